/**
 * Grad-CAM (Selvaraju et al.): where a classification network looked. The
 * network is re-run layer by layer from its spec so the gradient of the class
 * score with respect to a chosen layer's activations can be taken; the
 * channel-weighted activation map is rectified, upsampled and scaled to [0, 1].
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { topoOrder } from './spec/compile';
import type { NetworkSpec } from '../api/network-spec';
import { tf } from './tf';

/**
 * The default target: the last layer with a spatial (4-D) output before the
 * head, i.e. the deepest feature map, which keeps the most class-specific detail.
 */
export function defaultGradCamLayer(spec: NetworkSpec, shapes: Record<string, (number | null)[]>): string {
  let target: string | undefined;
  for (const l of topoOrder(spec)) if (l.type !== 'Input' && shapes[l.id]?.length === 4) target = l.id;
  if (!target) throw new Error('The network has no spatial layer for Grad-CAM');
  return target;
}

/** Runs the model's layers from the spec on a concrete input, replacing `override` layer's output. */
function runLayers(
  model: LayersModel,
  spec: NetworkSpec,
  x: tf.Tensor,
  override?: { id: string; value: tf.Tensor },
  capture?: string,
): { out: tf.Tensor; captured?: tf.Tensor } {
  const values = new Map<string, tf.Tensor>();
  let captured: tf.Tensor | undefined;
  for (const l of topoOrder(spec)) {
    let v: tf.Tensor;
    if (l.type === 'Input') v = x;
    else if (override && l.id === override.id) v = override.value;
    else {
      const ins = l.inputs.map((i) => values.get(i) as tf.Tensor);
      v = model.getLayer(l.id).apply(ins.length === 1 ? ins[0] : ins, { training: false }) as tf.Tensor;
      const leaky = model.layers.find((m) => m.name === `${l.id}_leaky`);
      if (leaky) v = leaky.apply(v) as tf.Tensor;
    }
    values.set(l.id, v);
    if (l.id === capture) captured = v;
  }
  return { out: values.get(spec.output) as tf.Tensor, captured };
}

/** Grad-CAM map `[h, w]` in [0, 1] at the input's size for class `classIndex` of a single image `x` ([1,h,w,c]). */
export function gradCam(
  model: LayersModel,
  spec: NetworkSpec,
  x: tf.Tensor4D,
  classIndex: number,
  layer: string,
): Float32Array {
  return tf.tidy(() => {
    const { captured } = runLayers(model, spec, x, undefined, layer);
    if (!captured || captured.rank !== 4) throw new Error(`Grad-CAM layer "${layer}" has no spatial output`);
    const score = (a: tf.Tensor): tf.Scalar => {
      const { out } = runLayers(model, spec, x, { id: layer, value: a });
      return tf.squeeze(tf.slice(out, [0, classIndex], [1, 1])) as tf.Scalar;
    };
    const grads = tf.grad(score)(captured);
    const weights = tf.mean(grads, [1, 2], true);
    const cam = tf.relu(tf.sum(tf.mul(captured, weights), -1, true)) as tf.Tensor4D;
    const [, h, w] = x.shape;
    const up = tf.image.resizeBilinear(cam, [h, w]);
    const max = tf.max(up);
    const scaled = tf.div(up, tf.maximum(max, 1e-12));
    return scaled.dataSync() as Float32Array;
  });
}
