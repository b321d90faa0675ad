/**
 * The preprocessing chain as ONNX operators, so that an exported graph takes
 * the raw image (float32 NHWC of the values the dataset's reader gives, at
 * the dataset's image size or, with a free size, any size) and does what the
 * chain's modules and the network's input scaling do. Each module maps to the
 * arithmetic its own code does: Window Setting, HU Clamp, Clip, Min-Max and
 * Z-score Normalization, Color to Grayscale, Grayscale to RGB and Resize (at a
 * known size the module's own interpolation weights as two MatMuls, so every
 * mode, area included, is the module's; at a free size ONNX's Resize operator,
 * which has no area mode); integer images are rounded half to even and
 * saturated where the module stores into their dtype.
 * Augmentations leave a sample unchanged at inference and are left out. A
 * module without an ONNX form is refused with a sentence naming it.
 */
import type { DType } from '../../api';
import { dtypeRange } from '../../imaging/image';
import { builtinModules } from '../../modules';
import { BT601 } from '../../modules/ops/color';
import { axisTables, type AxisTable } from '../../modules/ops/resample';
import { WINDOW_PRESETS } from '../../modules/window-setting';
import type { NetworkParams } from '../params';
import type { PreprocessingStep } from './export';
import { float, int, ints, OnnxExportError, ONNX_INPUT, str, type OnnxGraph, type OnnxPrelude } from './onnx';

/** The raw image the graph takes: its size (`null`: any), channels and the dtype the reader gives. */
export interface RawImage {
  height: number | null;
  width: number | null;
  channels: number;
  dtype: DType;
}

/** The chain and the network input it must end in. */
export interface InGraphChain {
  steps: PreprocessingStep[];
  source: RawImage;
  /** The network's `[h, w, c]`. */
  inputShape: number[];
  normalization: NetworkParams['normalization'];
  /** The training split's range (`dataset-minmax`). */
  range?: [number, number];
}

/** The image between two operators: its ONNX value (NHWC), size (`null` until a Resize fixes it) and dtype. */
interface Image {
  name: string;
  height: number | null;
  width: number | null;
  channels: number;
  dtype: DType;
}

const ALL_PIXELS = [1, 2, 3];

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Builds the operators of one chain; `scalar` and `op` name what they make after the module. */
class ChainOps {
  constructor(
    private readonly g: OnnxGraph,
    private readonly base: string,
  ) {}

  scalar(v: number): string {
    return this.g.floats(`${this.base}/c`, [], Float32Array.of(v));
  }

  weights(dims: number[], data: Float32Array): string {
    return this.g.floats(`${this.base}/w`, dims, data);
  }

  int64s(values: number[]): string {
    return this.g.int64s(`${this.base}/i`, values);
  }

  op(type: string, inputs: string[], attrs: Parameters<OnnxGraph['op']>[3] = []): string {
    return this.g.op(type, inputs, `${this.base}_${type.toLowerCase()}`, attrs);
  }

  reduce(type: 'ReduceMin' | 'ReduceMax' | 'ReduceMean', x: string, axes: number[]): string {
    return this.op(type, [x], [ints('axes', axes), int('keepdims', 1)]);
  }

  /** `numerator / d` where `d > 0`, else `flat` (no division by zero reaches the result). */
  divideUnlessFlat(numerator: string, d: string, flat: number): string {
    const positive = this.op('Greater', [d, this.scalar(0)]);
    const safe = this.op('Where', [positive, d, this.scalar(1)]);
    return this.op('Where', [positive, this.op('Div', [numerator, safe]), this.scalar(flat)]);
  }

  /** `x` stored into `dtype` as the engine stores floats (fromFloat: rounded half to even, saturated). */
  store(x: string, dtype: DType): string {
    const range = dtypeRange(dtype);
    if (!range) return x;
    return this.op('Clip', [this.op('Round', [x]), this.scalar(range[0]), this.scalar(range[1])]);
  }

  /** `(x - offset) / scale` with per-image `offset` and `scale` values. */
  scale(x: string, offset: string, scale: string): string {
    return this.op('Div', [this.op('Sub', [x, offset]), scale]);
  }
}

/** The dense `[dst, src]` matrix of an axis table (row d holds output d's weights). */
function tableMatrix(t: AxisTable, src: number, transposed: boolean): Float32Array {
  const m = new Float32Array(t.size * src);
  for (let d = 0; d < t.size; d++)
    for (let k = 0; k < t.taps; k++) {
      const s = t.index[d * t.taps + k];
      const at = transposed ? s * t.size + d : d * src + s;
      m[at] += t.weight[d * t.taps + k];
    }
  return m;
}

function refuse(
  step: PreprocessingStep,
  why: string,
  fix = 'export without the preprocessing and apply the chain as the manifest lists it',
): never {
  throw new OnnxExportError(`Module "${step.node}" (${step.module}) ${why}: ${fix}.`);
}

type StepOps = (ops: ChainOps, image: Image, p: Record<string, unknown>, step: PreprocessingStep) => Image;

function clamp(ops: ChainOps, image: Image, p: Record<string, unknown>, step: PreprocessingStep): Image {
  const [min, max] = [Number(p.min), Number(p.max)];
  if (min > max) refuse(step, `has min ${min} above max ${max}`);
  const y = ops.op('Clip', [image.name, ops.scalar(min), ops.scalar(max)]);
  return { ...image, name: ops.store(y, image.dtype) };
}

const STEPS: Record<string, StepOps> = {
  'window-setting': (ops, image, p) => {
    const w =
      p.preset === 'custom'
        ? { center: Number(p.center), width: Number(p.width) }
        : WINDOW_PRESETS[p.preset as keyof typeof WINDOW_PRESETS];
    const t = ops.op('Div', [
      ops.op('Sub', [image.name, ops.scalar(w.center - w.width / 2)]),
      ops.scalar(w.width),
    ]);
    const unit = ops.op('Clip', [t, ops.scalar(0), ops.scalar(1)]);
    if (p.output === 'float') return { ...image, name: unit, dtype: 'float32' };
    // The module rounds half up (Math.round) into 8 bits.
    const scaled = ops.op('Add', [ops.op('Mul', [unit, ops.scalar(255)]), ops.scalar(0.5)]);
    return { ...image, name: ops.op('Floor', [scaled]), dtype: 'uint8' };
  },
  'hu-clamp': clamp,
  clip: clamp,
  'min-max-normalization': (ops, image, p) => {
    const lo = ops.reduce('ReduceMin', image.name, ALL_PIXELS);
    const hi = ops.reduce('ReduceMax', image.name, ALL_PIXELS);
    const [min, max] = [Number(p.min), Number(p.max)];
    const gain = ops.divideUnlessFlat(ops.scalar(max - min), ops.op('Sub', [hi, lo]), 0);
    const y = ops.op('Add', [ops.op('Mul', [ops.op('Sub', [image.name, lo]), gain]), ops.scalar(min)]);
    return { ...image, name: y, dtype: 'float32' };
  },
  'z-score-normalization': (ops, image, p) => {
    const axes = p.perChannel ? [1, 2] : ALL_PIXELS;
    const mean = ops.reduce('ReduceMean', image.name, axes);
    const centred = ops.op('Sub', [image.name, mean]);
    const sd = ops.op('Sqrt', [ops.reduce('ReduceMean', ops.op('Mul', [centred, centred]), axes)]);
    return {
      ...image,
      name: ops.op('Mul', [centred, ops.divideUnlessFlat(ops.scalar(1), sd, 0)]),
      dtype: 'float32',
    };
  },
  'color-to-grayscale': (ops, image, _p, step) => {
    if (image.channels === 1) return image;
    if (image.channels !== 3) refuse(step, `needs 3 channels, the image has ${image.channels}`);
    const y = ops.op('MatMul', [image.name, ops.weights([3, 1], Float32Array.from(BT601))]);
    return { ...image, name: ops.store(y, image.dtype), channels: 1 };
  },
  'grayscale-to-rgb': (ops, image, _p, step) => {
    if (image.channels === 3) return image;
    if (image.channels !== 1) refuse(step, `needs 1 channel, the image has ${image.channels}`);
    const rgb = ops.op('Concat', [image.name, image.name, image.name], [int('axis', 3)]);
    return { ...image, name: rgb, channels: 3 };
  },
  resize: (ops, image, p, step) => {
    if (p.keepAspectRatio) refuse(step, 'keeps the aspect ratio (letterbox), which has no ONNX form here');
    const dst = { height: Number(p.height), width: Number(p.width) };
    const interpolation = p.interpolation as Parameters<typeof axisTables>[0];
    if (image.height === null || image.width === null)
      return {
        ...image,
        ...dst,
        name: ops.store(
          anySizeResize(ops, image.name, image.channels, interpolation, dst, step),
          image.dtype,
        ),
      };
    const tables = axisTables(interpolation, { height: image.height, width: image.width }, dst);
    // NHWC -> NCHW, rows times the width table, the height table times that (the module's two passes), back.
    const nchw = ops.op('Transpose', [image.name], [ints('perm', [0, 3, 1, 2])]);
    const across = ops.op('MatMul', [
      nchw,
      ops.weights([image.width, dst.width], tableMatrix(tables.x, image.width, true)),
    ]);
    const down = ops.op('MatMul', [
      ops.weights([dst.height, image.height], tableMatrix(tables.y, image.height, false)),
      across,
    ]);
    const nhwc = ops.op('Transpose', [down], [ints('perm', [0, 2, 3, 1])]);
    return { ...image, ...dst, name: ops.store(nhwc, image.dtype) };
  },
};

/**
 * ONNX's Resize operator from any size to `dst` with OpenCV's conventions
 * (half-pixel centres, edges replicated, bicubic A = -0.75, nearest ties to
 * the lower pixel as INTER_NEAREST_EXACT); area has no ONNX Resize mode.
 */
function anySizeResize(
  ops: ChainOps,
  x: string,
  channels: number,
  interpolation: Parameters<typeof axisTables>[0],
  dst: { height: number; width: number },
  step: PreprocessingStep,
): string {
  if (interpolation === 'area')
    refuse(step, 'resizes with area, which ONNX Resize has no mode for', 'export without --any-size');
  const mode = { bilinear: 'linear', bicubic: 'cubic', nearest: 'nearest' }[interpolation];
  const attrs = [
    str('mode', mode),
    str('coordinate_transformation_mode', 'half_pixel'),
    float('cubic_coeff_a', -0.75),
    str('nearest_mode', 'round_prefer_floor'),
  ];
  // Each channel as [N, 1, H, W] by Reshape, not Transpose: ONNX Runtime would move a Transpose
  // into the Resize (channels last), where cubic cannot shrink.
  const shape = ops.op('Shape', [x]);
  const batch = ops.op('Slice', [shape, ops.int64s([0]), ops.int64s([1])]);
  const rows = ops.op('Slice', [shape, ops.int64s([1]), ops.int64s([3])]);
  const planar = ops.op('Concat', [batch, ops.int64s([1]), rows], [int('axis', 0)]);
  const sizes = ops.op('Concat', [batch, ops.int64s([1, dst.height, dst.width])], [int('axis', 0)]);
  const back = ops.int64s([0, dst.height, dst.width, 1]);
  const resized = range(channels).map((k) => {
    const channel = ops.op('Slice', [x, ops.int64s([k]), ops.int64s([k + 1]), ops.int64s([3])]);
    const plane = ops.op('Reshape', [channel, planar]);
    return ops.op('Reshape', [ops.op('Resize', [plane, '', '', sizes], attrs), back]);
  });
  return channels === 1 ? resized[0] : ops.op('Concat', resized, [int('axis', 3)]);
}

/** The network's own input scaling (prepareInput): `(v - offset) / scale` per image. */
function networkScaling(ops: ChainOps, x: string, chain: InGraphChain): string {
  switch (chain.normalization) {
    case 'none':
      return x;
    case 'dataset-minmax': {
      const [lo, hi] = chain.range ?? [0, 1];
      return ops.scale(x, ops.scalar(lo), ops.scalar(hi > lo ? hi - lo : 1));
    }
    case 'per-image-minmax': {
      const lo = ops.reduce('ReduceMin', x, ALL_PIXELS);
      const span = ops.op('Sub', [ops.reduce('ReduceMax', x, ALL_PIXELS), lo]);
      return ops.scale(
        x,
        lo,
        ops.op('Where', [ops.op('Greater', [span, ops.scalar(0)]), span, ops.scalar(1)]),
      );
    }
    case 'per-image-zscore': {
      const mean = ops.reduce('ReduceMean', x, ALL_PIXELS);
      const centred = ops.op('Sub', [x, mean]);
      const sd = ops.op('Sqrt', [ops.reduce('ReduceMean', ops.op('Mul', [centred, centred]), ALL_PIXELS)]);
      return ops.op('Div', [
        centred,
        ops.op('Where', [ops.op('Greater', [sd, ops.scalar(0)]), sd, ops.scalar(1)]),
      ]);
    }
  }
}

/**
 * The prelude of {@link toOnnxModel} for a chain; throws {@link OnnxExportError}
 * naming the first module without an ONNX form, before any operator is built.
 */
export function preprocessingPrelude(chain: InGraphChain): OnnxPrelude {
  if (chain.inputShape.length !== 3)
    throw new OnnxExportError(
      'Preprocessing inside the ONNX graph covers 2-D images; this network takes volumes.',
    );
  const randomAtTraining = new Set(builtinModules.filter((m) => m.usesRandomness).map((m) => m.id));
  const steps = chain.steps.filter((s) => !randomAtTraining.has(s.module));
  const missing = steps.find((s) => !STEPS[s.module]);
  if (missing) refuse(missing, 'has no ONNX form');
  return (g) => {
    const { source } = chain;
    let image: Image = { name: ONNX_INPUT, ...source };
    for (const step of steps)
      image = STEPS[step.module](new ChainOps(g, step.node), image, step.params, step);
    const [h, w, c] = chain.inputShape;
    if (image.height === null)
      throw new OnnxExportError(
        'The chain has no Resize, so the network takes images of one size: export without --any-size.',
      );
    if (image.height !== h || image.width !== w || image.channels !== c)
      throw new OnnxExportError(
        `The chain turns a ${source.height}x${source.width}x${source.channels} image into ${image.height}x${image.width}x${image.channels}, but the network takes ${h}x${w}x${c}.`,
      );
    return {
      inputShape: [null, source.height, source.width, source.channels],
      output: networkScaling(new ChainOps(g, 'scaling'), image.name, chain),
    };
  };
}
