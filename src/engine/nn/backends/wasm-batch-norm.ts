/**
 * Batch normalization over the last (channel) axis on the wasm backend,
 * composed of XNNPACK-backed kernels that run at memory speed:
 *
 * - per-channel sums by average pooling over blocks of rows;
 * - per-channel `a[c] x + b[c]` as a 1x1 depthwise convolution with bias.
 *
 * `FusedBatchNorm` (inference) becomes one such affine pass; the wasm
 * package's own kernel took 65 ms of a 166 ms small-CNN inference batch.
 * `PhiBatchNormTrain` / `PhiBatchNormGrad` are the training-mode statistics and
 * the closed-form gradient (see spec/fast-batchnorm.ts) in a few passes,
 * replacing ~15 generic broadcast and reduction kernels whose reductions over
 * the non-channel axes transpose the whole activation. The variance is taken
 * of the centred values (two passes), so inputs far from zero mean keep
 * their precision. Plain loops in JavaScript were measured 6-8x slower per
 * element than these kernels.
 */
import {
  getKernel,
  registerKernel,
  unregisterKernel,
  type KernelBackend,
  type KernelConfig,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { call, constant, release, view } from './wasm-heap';

/** Kernel names of the training-mode pair (our own; registered on wasm only). */
export const BATCH_NORM_TRAIN = 'PhiBatchNormTrain';
export const BATCH_NORM_GRAD = 'PhiBatchNormGrad';

/** Pooling windows for {@link Rows.sums}, largest first, and the row count summed in JavaScript. */
const POOL_WINDOWS = [64, 32, 16, 8, 4, 2];
const FINAL_ROWS = 4096;

type KernelArgs = { inputs: Record<string, TensorInfo>; attrs?: NamedAttrMap; backend: KernelBackend };

/** Per-channel values of a parameter of size 1 or `c` (absent = `fill`). */
function perChannel(
  backend: KernelBackend,
  t: TensorInfo | undefined,
  c: number,
  fill: number,
): Float64Array {
  const out = new Float64Array(c).fill(fill);
  if (!t) return out;
  const v = view(backend, t);
  for (let k = 0; k < c; k++) out[k] = v.length === 1 ? v[0] : v[k];
  return out;
}

/** Whether every parameter broadcasts along the last axis only (one value, or one per channel). */
function channelParams(c: number, params: (TensorInfo | undefined)[]): boolean {
  return params.every((p) => {
    if (!p) return true;
    const size = p.shape.reduce((s, d) => s * d, 1);
    return size === 1 || (size === c && p.shape.at(-1) === c);
  });
}

/** A channel-last tensor viewed as `m` rows of `c` channels, in the layouts the passes take. */
export class Rows {
  readonly m: number;
  readonly c: number;
  private readonly owned: TensorInfo[] = [];

  constructor(
    private readonly backend: KernelBackend,
    shape: number[],
  ) {
    this.c = shape.at(-1) ?? 1;
    this.m = shape.reduce((s, d) => s * d, 1) / this.c;
  }

  /** `t` reshaped to `[1, 1, M, C]` (for the depthwise convolution) or `[1, M, C]` (matmul). */
  as(t: TensorInfo, rank: 3 | 4): TensorInfo {
    const shape = rank === 4 ? [1, 1, this.m, this.c] : [1, this.m, this.c];
    const r = call(this.backend, 'Reshape', { x: t }, { shape });
    this.owned.push(r);
    return r;
  }

  /**
   * Per-channel sums of `t` (any layout of M x C values): average pooling
   * over windows of up to 64 rows, repeated, then the few remaining rows
   * summed in float64. (A matmul `ones x` repacks `x` as XNNPACK weights on
   * every call, ~40 ms at 8M values; one pooling over all rows drifts by 1e-3
   * in float32.)
   */
  sums(t: TensorInfo): Float64Array {
    const { backend, c } = this;
    let rows = this.m;
    let cur = t;
    let scale = 1;
    for (;;) {
      const w = POOL_WINDOWS.find((v) => rows % v === 0);
      if (rows <= FINAL_ROWS || !w) break;
      const input = this.keep(call(backend, 'Reshape', { x: cur }, { shape: [1, rows / w, w, c] }));
      cur = this.keep(
        call(backend, 'AvgPool', { x: input }, { filterSize: [1, w], strides: [1, w], pad: 'valid' }),
      );
      rows /= w;
      scale *= w;
    }
    const v = view(backend, cur);
    const out = new Float64Array(c);
    for (let i = 0; i < v.length; i += c) for (let k = 0; k < c; k++) out[k] += v[i + k];
    return out.map((x) => x * scale);
  }

  /** `a[c] t + b[c]` as `[1, 1, M, C]`; the caller owns the result. */
  affine(t: TensorInfo, a: ArrayLike<number>, b: ArrayLike<number>): TensorInfo {
    const filter = constant(this.backend, [1, 1, this.c, 1], a);
    const bias = constant(this.backend, [this.c], b);
    const out = call(
      this.backend,
      'FusedDepthwiseConv2D',
      { x: this.as(t, 4), filter, bias },
      { strides: [1, 1], pad: 'valid', dilations: [1, 1], dataFormat: 'NHWC', activation: 'linear' },
    );
    release(this.backend, filter, bias);
    return out;
  }

  /** `t - mean[c]` as `[1, 1, M, C]`, released with the rest. */
  centre(t: TensorInfo, mean: ArrayLike<number>): TensorInfo {
    const minus = Float64Array.from(mean, (v) => -v);
    return this.keep(this.affine(t, new Float64Array(this.c).fill(1), minus));
  }

  /**
   * The kernel's outputs: `y` back in `shape`, then one `[C]` tensor per
   * per-channel array; releases every intermediate.
   */
  finish(y: TensorInfo, shape: number[], ...channels: ArrayLike<number>[]): TensorInfo[] {
    const out = [
      call(this.backend, 'Reshape', { x: y }, { shape }),
      ...channels.map((v) => constant(this.backend, [this.c], v)),
    ];
    this.dispose();
    return out;
  }

  /** Registers an intermediate to release with {@link dispose}. */
  keep(t: TensorInfo): TensorInfo {
    this.owned.push(t);
    return t;
  }

  dispose(): void {
    release(this.backend, ...this.owned);
  }
}

/** Inference batch norm; other layouts go to the wasm package's kernel. */
function fusedBatchNorm(original: KernelConfig): (args: KernelArgs) => TensorInfo {
  return (args) => {
    const { backend } = args;
    const { x, mean, variance, offset, scale } = args.inputs;
    const c = x.shape.at(-1) ?? 1;
    if (x.dtype !== 'float32' || !channelParams(c, [mean, variance, offset, scale]))
      return original.kernelFunc(args as never) as TensorInfo;
    const eps = (args.attrs?.varianceEpsilon as number | undefined) ?? 0.001;
    const m = perChannel(backend, mean, c, 0);
    const v = perChannel(backend, variance, c, 1);
    const g = perChannel(backend, scale, c, 1);
    const beta = perChannel(backend, offset, c, 0);
    const a = m.map((_, k) => g[k] / Math.sqrt(v[k] + eps));
    const b = m.map((mk, k) => beta[k] - mk * a[k]);
    const rows = new Rows(backend, x.shape);
    return rows.finish(rows.keep(rows.affine(x, a, b)), x.shape)[0];
  };
}

/** Training forward: outputs `[y, mean, variance]` (biased batch variance). */
function batchNormTrain(args: KernelArgs): TensorInfo[] {
  const { backend } = args;
  const { x, gamma, beta } = args.inputs;
  const eps = args.attrs?.epsilon as number;
  const rows = new Rows(backend, x.shape);
  const { m, c } = rows;
  const mean = rows.sums(x).map((s) => s / m);
  const centred = rows.centre(x, mean);
  const squares = rows.keep(call(backend, 'Square', { x: centred }, {}));
  const variance = rows.sums(squares).map((s) => s / m);
  const g = perChannel(backend, gamma, c, 1);
  const a = variance.map((v, k) => g[k] / Math.sqrt(v + eps));
  const y = rows.keep(rows.affine(centred, a, perChannel(backend, beta, c, 0)));
  return rows.finish(y, x.shape, mean, variance);
}

/**
 * Training backward from `dy`, the forward input `x` and its batch `mean` /
 * `variance`: outputs `[dx, dGamma, dBeta]`, with x - μ recomputed, not stored.
 *   dγ = σ⁻¹ Σ dy (x - μ),  dβ = Σ dy,  dx = k1 dy + k2 (x - μ) + k3
 */
function batchNormGrad(args: KernelArgs): TensorInfo[] {
  const { backend } = args;
  const { dy, x, mean, variance, gamma } = args.inputs;
  const eps = args.attrs?.epsilon as number;
  const rows = new Rows(backend, x.shape);
  const { m, c } = rows;
  const mu = perChannel(backend, mean, c, 0);
  const inv = perChannel(backend, variance, c, 1).map((v) => 1 / Math.sqrt(v + eps));
  const g = perChannel(backend, gamma, c, 1);
  const centred = rows.centre(x, mu);
  const product = rows.keep(call(backend, 'Multiply', { a: rows.as(dy, 4), b: centred }, {}));
  const dGamma = rows.sums(product).map((s, k) => s * inv[k]);
  const dBeta = rows.sums(dy);
  const k1 = g.map((gk, k) => gk * inv[k]);
  const k2 = k1.map((k1k, k) => (-k1k * inv[k] * dGamma[k]) / m);
  const k3 = k1.map((k1k, k) => (-k1k * dBeta[k]) / m);
  const fromDy = rows.keep(rows.affine(dy, k1, new Float64Array(c)));
  const fromX = rows.keep(rows.affine(centred, k2, k3));
  const sum = rows.keep(call(backend, 'Add', { a: fromDy, b: fromX }, {}));
  return rows.finish(sum, x.shape, dGamma, dBeta);
}

/**
 * Registers the three kernels on wasm. FusedBatchNorm replaces the package's
 * kernel but keeps its setup, which the fallback for other layouts needs.
 */
export function registerWasmBatchNormKernels(): void {
  const original = getKernel('FusedBatchNorm', 'wasm');
  if (original) {
    unregisterKernel('FusedBatchNorm', 'wasm');
    registerKernel({ ...original, kernelFunc: fusedBatchNorm(original) as never });
  }
  registerKernel({ kernelName: BATCH_NORM_TRAIN, backendName: 'wasm', kernelFunc: batchNormTrain as never });
  registerKernel({ kernelName: BATCH_NORM_GRAD, backendName: 'wasm', kernelFunc: batchNormGrad as never });
}
