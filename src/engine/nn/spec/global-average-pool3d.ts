/**
 * Global average pooling of volumes, `(d, h, w, c) -> (c)`: tf.js layers has a 2-D one only. A
 * network that ends in it (cnn3d) has a dense head whose size does not follow the input's grid,
 * so one trained network takes volumes of any size. Registered for tf.js serialization under the
 * Keras name, so a model's JSON (and the ONNX export, nn/export/onnx.ts) knows it.
 */
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology';
import { tf, tfl } from '../tf';

/** The Keras `GlobalAveragePooling3D` layer, channels last. */
export class GlobalAveragePooling3D extends tfl.layers.Layer {
  static className = 'GlobalAveragePooling3D';

  constructor(args: LayerArgs = {}) {
    super(args);
    this.inputSpec = [{ ndim: 5 }];
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    return [shape[0], shape[4]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.mean(Array.isArray(inputs) ? inputs[0] : inputs, [1, 2, 3]));
  }
}

tf.serialization.registerClass(GlobalAveragePooling3D);
