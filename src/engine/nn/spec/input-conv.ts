/**
 * A Conv2D that reads the network's input needs no gradient for that input,
 * but while recording gradients tf.js runs a conv with a linear activation
 * (bias or not) through a fused kernel whose custom gradient computes every
 * input's gradient eagerly. On wasm that unused
 * input gradient took 50 ms of a 0.67 s small-CNN training step. In training
 * mode the patched layer calls tf.conv2d, whose gradient tf.js computes per
 * input and only where needed; inference keeps the fused kernel.
 */
import type { Layer } from '@tensorflow/tfjs-layers/dist/engine/topology';
import { tf } from '../tf';

/** The parts of tf.js's Conv2D this patch reads (protected in its typings). */
interface ConvInternals {
  strides: number[];
  padding: 'valid' | 'same';
  dataFormat: string;
  dilationRate: number[];
  kernel: { read(): tf.Tensor };
  bias: { read(): tf.Tensor } | null;
  activation: { apply(x: tf.Tensor): tf.Tensor } | null;
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[];
}

/** Patches a Conv2D layer applied to the network's input (see the module comment). */
export function patchInputConv(layer: Layer): Layer {
  const conv = layer as unknown as ConvInternals;
  const original = conv.call.bind(conv);
  conv.call = (inputs, kwargs) => {
    const plain = conv.dataFormat === 'channelsLast' && conv.dilationRate.every((d) => d === 1);
    if (!kwargs?.training || !plain) return original(inputs, kwargs);
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const kernel = conv.kernel.read() as tf.Tensor4D;
      let y: tf.Tensor = tf.conv2d(x, kernel, conv.strides as [number, number], conv.padding);
      if (conv.bias) y = tf.add(y, conv.bias.read());
      return conv.activation ? conv.activation.apply(y) : y;
    });
  };
  return layer;
}
