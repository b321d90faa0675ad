import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf';
import { relL2, seededValues } from '../../test-support/arrays';

type Kind = 'conv' | 'fused' | 'depthwise' | 'fused-depthwise';
interface Case {
  kind: Kind;
  stride: 1 | 2;
  pad: 'same' | 'valid';
  bias: boolean;
  h: number;
  w: number;
  k: number;
  ci: number;
  co: number; // output channels (conv) or channel multiplier (depthwise)
}

/** Gradients of sum(y * r) w.r.t. x, filter (and bias) on the current backend. */
function grads(c: Case): Float32Array[] {
  const n = 2;
  const depthwise = c.kind === 'depthwise' || c.kind === 'fused-depthwise';
  const x = tf.tensor4d(seededValues(n * c.h * c.w * c.ci, 1), [n, c.h, c.w, c.ci]);
  const f = tf.tensor4d(seededValues(c.k * c.k * c.ci * c.co, 2), [c.k, c.k, c.ci, c.co]);
  const outC = depthwise ? c.ci * c.co : c.co;
  const b = tf.tensor1d(seededValues(outC, 3));
  const forward = (xx: tf.Tensor4D, ff: tf.Tensor4D, bb: tf.Tensor1D): tf.Tensor4D => {
    switch (c.kind) {
      case 'conv':
        return tf.conv2d(xx, ff, c.stride, c.pad);
      case 'fused':
        return tf.fused.conv2d({
          x: xx,
          filter: ff,
          strides: c.stride,
          pad: c.pad,
          bias: c.bias ? bb : undefined,
          activation: 'linear',
        });
      case 'depthwise':
        return tf.depthwiseConv2d(xx, ff, c.stride, c.pad);
      case 'fused-depthwise':
        return tf.fused.depthwiseConv2d({
          x: xx,
          filter: ff,
          strides: c.stride,
          pad: c.pad,
          bias: c.bias ? bb : undefined,
          activation: 'linear',
        });
    }
  };
  const probe = forward(x, f, b);
  const r = tf.tensor(seededValues(probe.size, 4), probe.shape);
  probe.dispose();
  const g = tf.grads((...args: tf.Tensor[]) =>
    tf.sum(tf.mul(forward(args[0] as tf.Tensor4D, args[1] as tf.Tensor4D, (args[2] ?? b) as tf.Tensor1D), r)),
  )(c.bias ? [x, f, b] : [x, f]);
  const out = g.map((t) => t.dataSync() as Float32Array);
  tf.dispose([x, f, b, r, ...g]);
  return out;
}

const cases: Case[] = [];
for (const kind of ['conv', 'fused', 'depthwise', 'fused-depthwise'] as Kind[]) {
  for (const stride of [1, 2] as const) {
    for (const pad of ['same', 'valid'] as const) {
      for (const bias of kind.startsWith('fused') ? [false, true] : [false]) {
        // Odd sizes and odd kernels, plus an even kernel, and a channel multiplier of 2.
        cases.push({
          kind,
          stride,
          pad,
          bias,
          h: 9,
          w: 7,
          k: 3,
          ci: 3,
          co: kind.includes('depthwise') ? 2 : 5,
        });
        cases.push({
          kind,
          stride,
          pad,
          bias,
          h: 8,
          w: 11,
          k: 2,
          ci: 2,
          co: kind.includes('depthwise') ? 1 : 4,
        });
        // Enough input channels for the dilated-conv filter gradient (fewer take im2col).
        if (!kind.includes('depthwise'))
          cases.push({ kind, stride, pad, bias, h: 9, w: 7, k: 3, ci: 6, co: 3 });
      }
    }
  }
}

describe('wasm gradient kernels match the cpu backend', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    await tf.ready();
  });

  it.each(cases)('$kind stride $stride $pad bias $bias $h x $w k$k ci$ci co$co', async (c) => {
    await tf.setBackend('cpu');
    const ref = grads(c);
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const got = grads(c);
    expect(tf.memory().numTensors).toBe(before);
    expect(got.length).toBe(ref.length);
    for (let i = 0; i < ref.length; i++) {
      expect(got[i].length).toBe(ref[i].length);
      expect(relL2(got[i], ref[i])).toBeLessThan(1e-4);
    }
  });

  it.each([
    [2, 2, 'valid'],
    [3, 2, 'valid'],
    [2, 2, 'same'],
  ] as const)(
    'a transposed conv whose kernel (%i x %i) equals its stride, %s, matches cpu',
    async (kh, kw, pad) => {
      const [n, h, w, ci, co] = [2, 5, 4, 6, 3];
      const run = (): Float32Array[] => {
        const x = tf.tensor4d(seededValues(n * h * w * ci, 11), [n, h, w, ci]);
        const f = tf.tensor4d(seededValues(kh * kw * co * ci, 12), [kh, kw, co, ci]);
        const out: [number, number, number, number] = [n, h * kh, w * kw, co];
        const r = tf.tensor4d(
          seededValues(
            out.reduce((a, b) => a * b, 1),
            13,
          ),
          out,
        );
        const forward = (xx: tf.Tensor, ff: tf.Tensor): tf.Tensor4D =>
          tf.conv2dTranspose(xx as tf.Tensor4D, ff as tf.Tensor4D, out, [kh, kw], pad);
        const y = forward(x, f);
        const g = tf.grads((xx: tf.Tensor, ff: tf.Tensor) => tf.sum(tf.mul(forward(xx, ff), r)))([x, f]);
        const result = [y, ...g].map((t) => t.dataSync() as Float32Array);
        tf.dispose([x, f, r, y, ...g]);
        return result;
      };
      await tf.setBackend('cpu');
      const ref = run();
      await tf.setBackend('wasm');
      const before = tf.memory().numTensors;
      const got = run();
      expect(tf.memory().numTensors).toBe(before);
      ref.forEach((r, i) => expect(relL2(got[i], r)).toBeLessThan(1e-4));
    },
  );

  it('a conv layer with linear activation and bias (FusedConv2D) trains on wasm', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor4d(seededValues(4 * 6 * 6 * 1, 7), [4, 6, 6, 1]);
    const target = tf.tensor4d(seededValues(4 * 6 * 6 * 2, 8), [4, 6, 6, 2]);
    const f = tf.variable(tf.mul(tf.tensor4d(seededValues(9 * 2, 9), [3, 3, 1, 2]), 0.1));
    const b = tf.variable(tf.zeros([2]));
    const opt = tf.train.sgd(0.1);
    const loss = (): tf.Scalar =>
      tf.losses.meanSquaredError(
        target,
        tf.fused.conv2d({
          x,
          filter: f as tf.Tensor4D,
          strides: 1,
          pad: 'same',
          bias: b,
          activation: 'linear',
        }),
      );
    const first = (loss().dataSync() as Float32Array)[0];
    for (let i = 0; i < 30; i++) opt.minimize(loss);
    const last = (loss().dataSync() as Float32Array)[0];
    expect(last).toBeLessThan(first * 0.95);
    tf.dispose([x, target, f, b]);
    opt.dispose();
  });
});
