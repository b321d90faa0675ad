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

/** A 3-D network's Grad-CAM target: its last Conv3D (after its activation), the deepest feature map before pooling. */
export function lastConv3dLayer(spec: NetworkSpec): string {
  const target = topoOrder(spec)
    .filter((l) => l.type === 'Conv3D')
    .at(-1)?.id;
  if (!target) throw new Error('The network has no Conv3D layer for Grad-CAM');
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

/**
 * The class score's gradient with respect to `layer`'s activations for a single input `x`
 * ([1, h, w, c] or [1, d, h, w, c]), averaged over the spatial axes: one weight per channel.
 * Returns the activations (`[1, ..., k]`) and the weights (`[1, 1, ..., k]`); call inside tf.tidy.
 */
export function gradCamWeights(
  model: LayersModel,
  spec: NetworkSpec,
  x: tf.Tensor,
  classIndex: number,
  layer: string,
): { activations: tf.Tensor; weights: tf.Tensor } {
  const { captured } = runLayers(model, spec, x, undefined, layer);
  if (!captured || captured.rank !== x.rank)
    throw new Error(`Grad-CAM layer "${layer}" has no spatial output`);
  const score = (a: tf.Tensor): tf.Scalar => {
    const { out } = runLayers(model, spec, x, { id: layer, value: a });
    return tf.squeeze(tf.slice(out, [0, classIndex], [1, 1])) as tf.Scalar;
  };
  const grads = tf.grad(score)(captured);
  const spatial = Array.from({ length: x.rank - 2 }, (_, k) => k + 1);
  return { activations: captured, weights: tf.mean(grads, spatial, true) };
}

/** The rectified channel-weighted map (`[1, ..., 1]`) at the layer's resolution. */
function camOf(activations: tf.Tensor, weights: tf.Tensor): tf.Tensor {
  return tf.relu(tf.sum(tf.mul(activations, weights), -1, true));
}

/** A map scaled to [0, 1] by its maximum (all zero when nothing counts for the class). */
function scaled(map: tf.Tensor): Float32Array {
  return tf.div(map, tf.maximum(tf.max(map), 1e-12)).dataSync() as Float32Array;
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
    const { activations, weights } = gradCamWeights(model, spec, x, classIndex, layer);
    const [, h, w] = x.shape;
    const up = tf.image.resizeBilinear(camOf(activations, weights) as tf.Tensor4D, [h, w]);
    return scaled(up);
  });
}

/**
 * Grad-CAM map `[d, h, w]` in [0, 1] at the volume's grid for class `classIndex` of a single
 * volume `x` ([1, d, h, w, c]). The map is upsampled trilinearly, one axis pair at a time:
 * bilinear over height and width per feature slice, then linear over depth (a resize that
 * keeps an axis's size leaves it unchanged).
 */
export function gradCam3d(
  model: LayersModel,
  spec: NetworkSpec,
  x: tf.Tensor5D,
  classIndex: number,
  layer: string,
): Float32Array {
  return tf.tidy(() => {
    const { activations, weights } = gradCamWeights(model, spec, x, classIndex, layer);
    const [, d, h, w] = x.shape;
    const cam = camOf(activations, weights);
    const [, cd] = cam.shape;
    const planes = tf.image.resizeBilinear(tf.squeeze(cam, [0]) as tf.Tensor4D, [h, w]);
    const up = tf.image.resizeBilinear(tf.reshape(planes, [1, cd, h * w, 1]) as tf.Tensor4D, [d, h * w]);
    return scaled(up);
  });
}
