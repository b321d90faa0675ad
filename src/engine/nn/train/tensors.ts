/** Batch arrays -> tensors (created at use time and disposed by the caller). */
import { tf } from '../tf';
import type { BatchTargets } from './losses';
import type { DataGeometry, Prepared } from './prepare';

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The input batch `[B, h, w, c]` (or `[B, d, h, w, c]`). */
export function inputTensor(batch: Prepared[], geo: DataGeometry): tf.Tensor {
  return tf.tensor(concat(batch.map((b) => b.x)), [batch.length, ...geo.inputShape]);
}

/** The task's targets for a batch. */
export function targetTensors(batch: Prepared[], geo: DataGeometry): BatchTargets {
  const n = batch.length;
  // Spatial axes: [h, w] of images, [d, h, w] of volumes.
  const spatial = geo.inputShape.slice(0, -1);
  const pixels = spatial.reduce((a, b) => a * b, 1);
  switch (geo.task) {
    case 'classification':
      return {
        oneHot: tf.tidy(() =>
          tf.cast(
            tf.oneHot(
              tf.tensor1d(
                batch.map((b) => b.classIndex as number),
                'int32',
              ),
              geo.classes,
            ),
            'float32',
          ),
        ),
      };
    case 'segmentation': {
      const idx = new Int32Array(n * pixels);
      batch.forEach((b, i) => idx.set(b.mask as Int32Array, i * pixels));
      return {
        oneHot: tf.tidy(() =>
          tf.cast(tf.oneHot(tf.tensor(idx, [n, ...spatial], 'int32'), geo.classes), 'float32'),
        ),
      };
    }
    case 'detection': {
      const g = geo.grid as NonNullable<DataGeometry['grid']>;
      return {
        heatmap: tf.tensor4d(concat(batch.map((b) => b.heatmap as Float32Array)), [n, g.h, g.w, geo.classes]),
        regression: tf.tensor4d(concat(batch.map((b) => b.regression as Float32Array)), [n, g.h, g.w, 4]),
        centerMask: tf.tensor4d(concat(batch.map((b) => b.centerMask as Float32Array)), [n, g.h, g.w, 1]),
      };
    }
    case 'transformation':
      return {
        target: tf.tensor(concat(batch.map((b) => b.target as Float32Array)), [
          n,
          ...spatial,
          geo.targetChannels as number,
        ]),
      };
  }
}

/** Disposes every tensor of a targets object. */
export function disposeTargets(t: BatchTargets): void {
  tf.dispose(Object.values(t).filter((v): v is tf.Tensor => v instanceof tf.Tensor));
}

/** Pixel confusion matrix `[C*C]` (row-major true x pred) of a segmentation batch, on the backend. */
export function pixelConfusion(oneHot: tf.Tensor, pred: tf.Tensor, classes: number): Float32Array {
  return tf.tidy(() => {
    const t = tf.reshape(oneHot, [-1, classes]);
    const p = tf.cast(tf.oneHot(tf.argMax(tf.reshape(pred, [-1, classes]), 1), classes), 'float32');
    return tf.matMul(t, p, true, false).dataSync() as Float32Array;
  });
}
