/**
 * The registered gradient of a transposed 3-D convolution against exact
 * differences: the loss sum(conv3dTranspose(x, f) * r) is linear in x and in
 * f, so the change of the loss when one value of x (or f) grows by 1 is that
 * value's gradient, up to float32 rounding.
 */
import { describe, expect, it } from 'vitest';
import { tf } from '../tf';

const values = (n: number, step: number): number[] => Array.from({ length: n }, (_, i) => Math.sin(i * step));

describe('Conv3DTranspose gradient', () => {
  it.each(['cpu', 'wasm'])('equals exact differences for the input and the filter on %s', async (backend) => {
    await tf.setBackend(backend);
    const out: [number, number, number, number, number] = [2, 6, 8, 8, 5];
    const x = tf.tensor5d(values(2 * 3 * 4 * 4 * 3, 1), [2, 3, 4, 4, 3]);
    const f = tf.tensor5d(values(2 * 2 * 2 * 5 * 3, 0.7), [2, 2, 2, 5, 3]);
    const r = tf.tensor5d(values(2 * 6 * 8 * 8 * 5, 0.3), out);
    const loss = (a: tf.Tensor, w: tf.Tensor): tf.Scalar =>
      tf.sum(tf.mul(tf.conv3dTranspose(a as tf.Tensor5D, w as tf.Tensor5D, out, 2, 'same'), r));
    const [gx, gf] = tf
      .grads(loss)([x, f])
      .map((g) => g.dataSync());
    const base = loss(x, f).dataSync()[0];
    const bumped = (t: tf.Tensor, i: number): tf.Tensor => {
      const data = Float32Array.from(t.dataSync());
      data[i] += 1;
      return tf.tensor(data, t.shape);
    };
    for (const i of [0, 7, 50, 143]) expect(loss(bumped(x, i), f).dataSync()[0] - base).toBeCloseTo(gx[i], 3);
    for (const i of [0, 13, 61, 119])
      expect(loss(x, bumped(f, i)).dataSync()[0] - base).toBeCloseTo(gf[i], 3);
  });
});
