/**
 * Converts a trained tf.js layers model to an ONNX model (opset 17, IR
 * version 8). The ONNX input keeps the engine's layout, NHWC (`[N, h, w, c]`,
 * float32), and the output is the tf.js model's, channels last: inside, the
 * graph switches to channels first (NCHW) where ONNX's Conv, pooling,
 * BatchNormalization and Resize need it, with a Transpose at each switch.
 * Every layer of the catalogue maps to ONNX operators; a layer or activation
 * without a mapping is refused with a sentence that names it.
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Layer } from '@tensorflow/tfjs-layers/dist/engine/topology';
import {
  AttributeType,
  DataType,
  encodeModel,
  type OnnxAttribute,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from './onnx-proto';

/** The ONNX operator set the graph uses (the default domain). */
export const ONNX_OPSET = 17;
/** The ONNX IR version written (ONNX 1.12 and later read it). */
export const ONNX_IR_VERSION = 8;
/** Name of the graph's input: NHWC float32, batch axis free. */
export const ONNX_INPUT = 'input';
/** Name of the graph's output: the tf.js model's output, channels last. */
export const ONNX_OUTPUT = 'output';

/** A tensor shape; `null` marks a free axis. */
export type Shape = (number | null)[];

/** A tensor of the ONNX graph. `shape` is always the tf.js (channels-last) shape; `cf` says the graph holds it channels first. */
interface Value {
  name: string;
  shape: Shape;
  cf: boolean;
}

/** A layer that has no ONNX mapping; the message names the layer. */
export class OnnxExportError extends Error {}

/** Options of {@link toOnnx}. */
export interface OnnxOptions {
  /** Written into the model's metadata_props (e.g. classes, task). */
  metadata?: Record<string, string>;
  /** The producer version recorded in the model. */
  producerVersion?: string;
  /** Operators before the network: they read the graph's input and give the network's input. */
  prelude?: OnnxPrelude;
}

/** Builds operators from the graph's input ({@link ONNX_INPUT}); returns that input's shape and the value the network reads. */
export type OnnxPrelude = (g: OnnxGraph) => { inputShape: Shape; output: string };

/** An INT attribute. */
export const int = (name: string, i: number): OnnxAttribute => ({ name, type: AttributeType.INT, i });
/** An INTS attribute. */
export const ints = (name: string, v: number[]): OnnxAttribute => ({
  name,
  type: AttributeType.INTS,
  ints: v,
});
/** A FLOAT attribute. */
export const float = (name: string, f: number): OnnxAttribute => ({ name, type: AttributeType.FLOAT, f });
/** A STRING attribute. */
export const str = (name: string, s: string): OnnxAttribute => ({
  name,
  type: AttributeType.STRING,
  s: new TextEncoder().encode(s),
});

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

/** `v` as an array of `n` numbers (tf.js configs hold either a number or one per axis). */
function perAxis(v: unknown, n: number): number[] {
  if (Array.isArray(v)) return v.map(Number);
  return Array.from({ length: n }, () => Number(v));
}

/** Row-major `data` of `shape` with its axes reordered by `perm`. */
export function transposeData(data: Float32Array, shape: number[], perm: number[]): Float32Array {
  const rank = shape.length;
  const strides = new Array<number>(rank);
  strides[rank - 1] = 1;
  for (let i = rank - 2; i >= 0; i--) strides[i] = strides[i + 1] * shape[i + 1];
  const outShape = perm.map((p) => shape[p]);
  const outStrides = perm.map((p) => strides[p]);
  const out = new Float32Array(data.length);
  const index = new Array<number>(rank).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let a = 0; a < rank; a++) src += index[a] * outStrides[a];
    out[o] = data[src];
    for (let a = rank - 1; a >= 0; a--) {
      if (++index[a] < outShape[a]) break;
      index[a] = 0;
    }
  }
  return out;
}

/** A layer's weights by their short name (`kernel`, `bias`, `gamma`...). */
function weightsOf(layer: Layer): Map<string, { shape: number[]; data: Float32Array }> {
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const w of layer.weights) {
    const short = w.originalName.split('/').pop() as string;
    out.set(short, { shape: w.shape as number[], data: Float32Array.from(w.read().dataSync()) });
  }
  return out;
}

/** Builds the ONNX node list, initializers and unique names. */
export class OnnxGraph {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly names = new Set<string>([ONNX_INPUT, ONNX_OUTPUT]);
  private readonly transposed = new Map<string, Value>();

  unique(base: string): string {
    let name = base;
    for (let i = 1; this.names.has(name); i++) name = `${base}_${i}`;
    this.names.add(name);
    return name;
  }

  op(opType: string, inputs: string[], base: string, attribute: OnnxAttribute[] = []): string {
    const output = this.unique(base);
    this.nodes.push({ input: inputs, output: [output], name: output, opType, attribute });
    return output;
  }

  floats(base: string, dims: number[], data: Float32Array): string {
    const name = this.unique(base);
    const rawData = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    this.initializers.push({ name, dims, dataType: DataType.FLOAT, rawData });
    return name;
  }

  int64s(base: string, values: number[]): string {
    const name = this.unique(base);
    this.initializers.push({ name, dims: [values.length], dataType: DataType.INT64, int64Data: values });
    return name;
  }

  /** The value channels first (rank 4 and 5; lower ranks have no channel axis to move). */
  channelsFirst(v: Value): Value {
    const rank = v.shape.length;
    if (v.cf || rank < 4) return v;
    return this.transpose(v, [0, rank - 1, ...range(1, rank - 1)], true);
  }

  /** The value channels last, as tf.js holds it. */
  channelsLast(v: Value): Value {
    if (!v.cf) return v;
    return this.transpose(v, [0, ...range(2, v.shape.length), 1], false);
  }

  private transpose(v: Value, perm: number[], cf: boolean): Value {
    const key = `${v.name}:${cf}`;
    const done = this.transposed.get(key);
    if (done) return done;
    const name = this.op('Transpose', [v.name], `${v.name}_${cf ? 'nchw' : 'nhwc'}`, [ints('perm', perm)]);
    const out = { name, shape: v.shape, cf };
    this.transposed.set(key, out);
    return out;
  }
}

/** Per spatial axis, TF's 'same' padding: `[begins..., ends...]`. */
function samePads(
  layer: string,
  spatial: Shape,
  kernel: number[],
  strides: number[],
  dilations: number[],
): number[] {
  const begins: number[] = [];
  const ends: number[] = [];
  spatial.forEach((size, i) => {
    if (size === null)
      throw new OnnxExportError(
        `Layer "${layer}" uses 'same' padding on an axis of free size, which ONNX export needs fixed.`,
      );
    const effective = (kernel[i] - 1) * dilations[i] + 1;
    const out = Math.ceil(size / strides[i]);
    const total = Math.max((out - 1) * strides[i] + effective - size, 0);
    begins.push(Math.floor(total / 2));
    ends.push(total - Math.floor(total / 2));
  });
  return [...begins, ...ends];
}

/** Layer config as tf.js gives it (camelCase). */
type Config = Record<string, unknown>;

/** Converts one layer: its ONNX nodes from its input values; returns its output value (shape filled in by the caller). */
type Converter = (
  g: OnnxGraph,
  layer: Layer,
  config: Config,
  inputs: Value[],
) => { name: string; cf: boolean };

function activation(g: OnnxGraph, layer: string, x: { name: string; cf: boolean }, rank: number, fn: string) {
  const base = `${layer}_${fn}`;
  switch (fn) {
    case 'linear':
      return x;
    case 'relu':
      return { name: g.op('Relu', [x.name], base), cf: x.cf };
    case 'sigmoid':
      return { name: g.op('Sigmoid', [x.name], base), cf: x.cf };
    case 'tanh':
      return { name: g.op('Tanh', [x.name], base), cf: x.cf };
    case 'elu':
      return { name: g.op('Elu', [x.name], base, [float('alpha', 1)]), cf: x.cf };
    case 'selu':
      return { name: g.op('Selu', [x.name], base), cf: x.cf };
    case 'swish': {
      const s = g.op('Sigmoid', [x.name], `${base}_sigmoid`);
      return { name: g.op('Mul', [x.name, s], base), cf: x.cf };
    }
    case 'softmax': {
      // tf.js takes the softmax over the channels: axis 1 when the graph holds them first.
      const axis = x.cf ? 1 : rank - 1;
      return { name: g.op('Softmax', [x.name], base, [int('axis', axis)]), cf: x.cf };
    }
    default:
      throw new OnnxExportError(`Layer "${layer}" uses the activation "${fn}", which has no ONNX export.`);
  }
}

/** Conv, depthwise (group = channels) and separable convolutions. */
function convolution(kind: 'conv' | 'depthwise' | 'separable'): Converter {
  return (g, layer, config, [input]) => {
    const x = g.channelsFirst(input);
    const w = weightsOf(layer);
    const n = input.shape.length - 2;
    const kernelShape = perAxis(config.kernelSize, n);
    const strides = perAxis(config.strides, n);
    const dilations = perAxis(config.dilationRate ?? 1, n);
    const pads =
      config.padding === 'same'
        ? samePads(layer.name, input.shape.slice(1, -1), kernelShape, strides, dilations)
        : new Array<number>(2 * n).fill(0);
    const attrs = [
      ints('kernel_shape', kernelShape),
      ints('strides', strides),
      ints('dilations', dilations),
      ints('pads', pads),
    ];
    const bias = w.get('bias');
    const b = bias ? [g.floats(`${layer.name}/bias`, bias.shape, bias.data)] : [];
    let y: string;
    if (kind === 'conv') {
      const k = w.get('kernel') as { shape: number[]; data: Float32Array };
      // tf.js [...kernel, in, out] -> ONNX [out, in, ...kernel].
      const perm = [n + 1, n, ...range(0, n)];
      const W = g.floats(
        `${layer.name}/kernel`,
        perm.map((p) => k.shape[p]),
        transposeData(k.data, k.shape, perm),
      );
      y = g.op('Conv', [x.name, W, ...b], layer.name, [...attrs, int('group', 1)]);
    } else {
      const k = w.get('depthwise_kernel') as { shape: number[]; data: Float32Array };
      const [kh, kw, channels, multiplier] = k.shape;
      // tf.js [kh, kw, in, m] -> ONNX [in * m, 1, kh, kw]: output channel c * m + j, as tf.js orders them.
      const W = g.floats(
        `${layer.name}/depthwise_kernel`,
        [channels * multiplier, 1, kh, kw],
        transposeData(k.data, k.shape, [2, 3, 0, 1]),
      );
      const group = int('group', channels);
      if (kind === 'depthwise') y = g.op('Conv', [x.name, W, ...b], layer.name, [...attrs, group]);
      else {
        const d = g.op('Conv', [x.name, W], `${layer.name}_depthwise`, [...attrs, group]);
        const p = w.get('pointwise_kernel') as { shape: number[]; data: Float32Array };
        const P = g.floats(
          `${layer.name}/pointwise_kernel`,
          [p.shape[3], p.shape[2], 1, 1],
          transposeData(p.data, p.shape, [3, 2, 0, 1]),
        );
        y = g.op('Conv', [d, P, ...b], layer.name, [ints('kernel_shape', [1, 1])]);
      }
    }
    return activation(g, layer.name, { name: y, cf: true }, input.shape.length, String(config.activation));
  };
}

const convTranspose: Converter = (g, layer, config, [input]) => {
  const x = g.channelsFirst(input);
  const n = input.shape.length - 2;
  const w = weightsOf(layer);
  const kernel = perAxis(config.kernelSize, n);
  const strides = perAxis(config.strides, n);
  if (perAxis(config.dilationRate ?? 1, n).some((d) => d !== 1))
    throw new OnnxExportError(
      `Layer "${layer.name}" is a dilated transposed convolution, which has no ONNX export.`,
    );
  // Keras output size: in * s ('same') or in * s + max(k - s, 0) ('valid'); ONNX's is s (in - 1) + k - pads + output_padding.
  const total = kernel.map((k, i) => (config.padding === 'same' ? Math.max(k - strides[i], 0) : 0));
  const pads = [...total.map((t) => Math.floor(t / 2)), ...total.map((t) => t - Math.floor(t / 2))];
  const outputPadding = kernel.map((k, i) => Math.max(strides[i] - k, 0));
  const k = w.get('kernel') as { shape: number[]; data: Float32Array };
  // tf.js [...spatial, out, in] -> ONNX [in, out, ...spatial].
  const perm = [n + 1, n, ...kernel.map((_, i) => i)];
  const W = g.floats(
    `${layer.name}/kernel`,
    perm.map((p) => k.shape[p]),
    transposeData(k.data, k.shape, perm),
  );
  const bias = w.get('bias');
  const b = bias ? [g.floats(`${layer.name}/bias`, bias.shape, bias.data)] : [];
  const y = g.op('ConvTranspose', [x.name, W, ...b], layer.name, [
    ints('kernel_shape', kernel),
    ints('strides', strides),
    ints('pads', pads),
    ints('output_padding', outputPadding),
  ]);
  return activation(g, layer.name, { name: y, cf: true }, input.shape.length, String(config.activation));
};

function pooling(op: 'MaxPool' | 'AveragePool'): Converter {
  return (g, layer, config, [input]) => {
    const x = g.channelsFirst(input);
    const n = input.shape.length - 2;
    const kernel = perAxis(config.poolSize, n);
    const strides = perAxis(config.strides ?? config.poolSize, n);
    const pads =
      config.padding === 'same'
        ? samePads(layer.name, input.shape.slice(1, -1), kernel, strides, new Array<number>(n).fill(1))
        : new Array<number>(2 * n).fill(0);
    // AveragePool leaves padding out of the mean (count_include_pad 0), as TF does.
    const name = g.op(op, [x.name], layer.name, [
      ints('kernel_shape', kernel),
      ints('strides', strides),
      ints('pads', pads),
    ]);
    return { name, cf: true };
  };
}

function globalPooling(op: 'GlobalAveragePool' | 'GlobalMaxPool'): Converter {
  return (g, layer, _config, [input]) => {
    const pooled = g.op(op, [g.channelsFirst(input).name], `${layer.name}_pool`);
    return { name: g.op('Flatten', [pooled], layer.name, [int('axis', 1)]), cf: false };
  };
}

const dense: Converter = (g, layer, config, [input]) => {
  const w = weightsOf(layer);
  const k = w.get('kernel') as { shape: number[]; data: Float32Array };
  const W = g.floats(`${layer.name}/kernel`, k.shape, k.data);
  const bias = w.get('bias');
  const b = bias ? g.floats(`${layer.name}/bias`, bias.shape, bias.data) : undefined;
  const x = g.channelsLast(input);
  let y: string;
  if (input.shape.length === 2) y = g.op('Gemm', [x.name, W, ...(b ? [b] : [])], layer.name);
  else {
    // Dense on more axes acts on the last one.
    const m = g.op('MatMul', [x.name, W], b ? `${layer.name}_matmul` : layer.name);
    y = b ? g.op('Add', [m, b], layer.name) : m;
  }
  return activation(g, layer.name, { name: y, cf: false }, input.shape.length, String(config.activation));
};

const batchNorm: Converter = (g, layer, config, [input]) => {
  const rank = input.shape.length;
  if ((config.axis !== -1 && config.axis !== rank - 1) || rank === 3)
    throw new OnnxExportError(
      `Layer "${layer.name}" normalizes an axis other than the channels, which has no ONNX export.`,
    );
  const w = weightsOf(layer);
  const mean = w.get('moving_mean') as { shape: number[]; data: Float32Array };
  const variance = w.get('moving_variance') as { shape: number[]; data: Float32Array };
  const ones = new Float32Array(mean.data.length).fill(1);
  const zeros = new Float32Array(mean.data.length);
  const gamma = w.get('gamma')?.data ?? ones;
  const beta = w.get('beta')?.data ?? zeros;
  const x = g.channelsFirst(input);
  const c = mean.shape;
  const inputs = [
    x.name,
    g.floats(`${layer.name}/gamma`, c, gamma),
    g.floats(`${layer.name}/beta`, c, beta),
    g.floats(`${layer.name}/moving_mean`, c, mean.data),
    g.floats(`${layer.name}/moving_variance`, c, variance.data),
  ];
  const name = g.op('BatchNormalization', inputs, layer.name, [float('epsilon', Number(config.epsilon))]);
  return { name, cf: x.cf };
};

/** Brings every input to the layout of the first one (channels first where any is). */
function sameLayout(g: OnnxGraph, inputs: Value[]): Value[] {
  const cf = inputs.some((v) => v.cf);
  return inputs.map((v) => (cf ? g.channelsFirst(v) : g.channelsLast(v)));
}

function elementwise(op: 'Add' | 'Mul'): Converter {
  return (g, layer, _config, inputs) => {
    const xs = sameLayout(g, inputs);
    let acc = xs[0].name;
    xs.slice(1).forEach((x, i) => {
      acc = g.op(op, [acc, x.name], i === xs.length - 2 ? layer.name : `${layer.name}_${i}`);
    });
    return { name: acc, cf: xs[0].cf };
  };
}

const concatenate: Converter = (g, layer, config, inputs) => {
  const xs = sameLayout(g, inputs);
  const rank = inputs[0].shape.length;
  const axis = Number(config.axis ?? -1) < 0 ? Number(config.axis ?? -1) + rank : Number(config.axis);
  // Channels-last axis a in a channels-first graph: 0 stays, the channels go to 1, the others move right.
  const onnxAxis = !xs[0].cf || axis === 0 ? axis : axis === rank - 1 ? 1 : axis + 1;
  const name = g.op(
    'Concat',
    xs.map((x) => x.name),
    layer.name,
    [int('axis', onnxAxis)],
  );
  return { name, cf: xs[0].cf };
};

const upsampling: Converter = (g, layer, config, [input]) => {
  const [sh, sw] = perAxis(config.size, 2);
  const x = g.channelsFirst(input);
  const scales = g.floats(`${layer.name}/scales`, [4], Float32Array.from([1, 1, sh, sw]));
  // tf.js resizes without align-corners or half-pixel centres: ONNX's 'asymmetric' mapping.
  const bilinear = config.interpolation === 'bilinear';
  const name = g.op('Resize', [x.name, '', scales], layer.name, [
    str('mode', bilinear ? 'linear' : 'nearest'),
    str('coordinate_transformation_mode', 'asymmetric'),
    ...(bilinear ? [] : [str('nearest_mode', 'floor')]),
  ]);
  return { name, cf: true };
};

const flatten: Converter = (g, layer, _config, [input]) => {
  if (input.shape.length <= 2) return input;
  // tf.js flattens channels last: (h, w, c) order.
  return { name: g.op('Flatten', [g.channelsLast(input).name], layer.name, [int('axis', 1)]), cf: false };
};

const reshape: Converter = (g, layer, config, [input]) => {
  // 0 keeps the batch axis as it is.
  const shape = g.int64s(`${layer.name}/shape`, [0, ...(config.targetShape as number[])]);
  return { name: g.op('Reshape', [g.channelsLast(input).name, shape], layer.name), cf: false };
};

/** `[[top, bottom], [left, right]]` from a number, a pair or the pairs. */
function sides(v: unknown): [[number, number], [number, number]] {
  if (typeof v === 'number')
    return [
      [v, v],
      [v, v],
    ];
  const [a, b] = v as (number | number[])[];
  const pair = (p: number | number[]): [number, number] => (Array.isArray(p) ? [p[0], p[1]] : [p, p]);
  return [pair(a), pair(b)];
}

const zeroPadding: Converter = (g, layer, config, [input]) => {
  const [[t, b], [l, r]] = sides(config.padding);
  const x = g.channelsFirst(input);
  const pads = g.int64s(`${layer.name}/pads`, [0, 0, t, l, 0, 0, b, r]);
  return { name: g.op('Pad', [x.name, pads], layer.name), cf: true };
};

const cropping: Converter = (g, layer, config, [input]) => {
  const [[t, b], [l, r]] = sides(config.cropping);
  const [, h, w] = input.shape;
  if (h === null || w === null)
    throw new OnnxExportError(
      `Layer "${layer.name}" crops an image of free size, which ONNX export needs fixed.`,
    );
  const x = g.channelsFirst(input);
  const inputs = [
    x.name,
    g.int64s(`${layer.name}/starts`, [t, l]),
    g.int64s(`${layer.name}/ends`, [h - b, w - r]),
    g.int64s(`${layer.name}/axes`, [2, 3]),
  ];
  return { name: g.op('Slice', inputs, layer.name), cf: true };
};

const CONVERTERS: Record<string, Converter> = {
  Conv2D: convolution('conv'),
  Conv3D: convolution('conv'),
  DepthwiseConv2D: convolution('depthwise'),
  SeparableConv2D: convolution('separable'),
  Conv2DTranspose: convTranspose,
  Conv3DTranspose: convTranspose,
  MaxPooling2D: pooling('MaxPool'),
  AveragePooling2D: pooling('AveragePool'),
  MaxPooling3D: pooling('MaxPool'),
  AveragePooling3D: pooling('AveragePool'),
  GlobalAveragePooling2D: globalPooling('GlobalAveragePool'),
  GlobalMaxPooling2D: globalPooling('GlobalMaxPool'),
  GlobalAveragePooling3D: globalPooling('GlobalAveragePool'),
  Dense: dense,
  BatchNormalization: batchNorm,
  Activation: (g, layer, config, [input]) =>
    activation(g, layer.name, input, input.shape.length, String(config.activation)),
  LeakyReLU: (g, layer, config, [input]) => ({
    name: g.op('LeakyRelu', [input.name], layer.name, [float('alpha', Number(config.alpha))]),
    cf: input.cf,
  }),
  // Dropout only acts while training.
  Dropout: (_g, _layer, _config, [input]) => input,
  Add: elementwise('Add'),
  Multiply: elementwise('Mul'),
  Concatenate: concatenate,
  UpSampling2D: upsampling,
  Flatten: flatten,
  Reshape: reshape,
  ZeroPadding2D: zeroPadding,
  Cropping2D: cropping,
};

/** The connectivity tf.js serialises (Keras JSON): each layer's inbound `[layer, node, tensor]`. */
interface Topology {
  config: {
    layers: { name: string; class_name: string; inbound_nodes: [string, number, number, unknown][][] }[];
    input_layers: [string, number, number][];
    output_layers: [string, number, number][];
  };
}

function valueInfo(name: string, shape: Shape): OnnxValueInfo {
  return {
    name,
    type: {
      tensorType: {
        elemType: DataType.FLOAT,
        shape: {
          dim: shape.map((d, i) =>
            d === null ? { dimParam: i === 0 ? 'batch' : `d${i}` } : { dimValue: d },
          ),
        },
      },
    },
  };
}

/** The ONNX model of a tf.js layers model (see the module comment); throws {@link OnnxExportError} naming a layer it cannot map. */
export function toOnnxModel(model: LayersModel, options: OnnxOptions = {}): OnnxModel {
  const topology = model.toJSON(null as never, false) as unknown as Topology;
  const { layers, input_layers: inputLayers, output_layers: outputLayers } = topology.config;
  if (inputLayers.length !== 1 || outputLayers.length !== 1)
    throw new OnnxExportError(
      `The network has ${inputLayers.length} inputs and ${outputLayers.length} outputs; ONNX export takes one of each.`,
    );
  const g = new OnnxGraph();
  const values = new Map<string, Value>();
  const key = (layer: string, node: number, tensor: number): string => `${layer}:${node}:${tensor}`;
  let inputShape: Shape = [];
  for (const entry of layers) {
    const layer = model.getLayer(entry.name);
    if (entry.class_name === 'InputLayer') {
      const networkShape = (layer.getConfig().batchInputShape as Shape).slice();
      const prelude = options.prelude?.(g);
      inputShape = prelude?.inputShape ?? networkShape;
      const name = prelude?.output ?? ONNX_INPUT;
      values.set(key(entry.name, 0, 0), { name, shape: networkShape, cf: false });
      continue;
    }
    const convert = CONVERTERS[entry.class_name];
    if (!convert)
      throw new OnnxExportError(`Layer "${entry.name}" (${entry.class_name}) has no ONNX export.`);
    entry.inbound_nodes.forEach((inbound, nodeIndex) => {
      const inputs = inbound.map(([source, node, tensor]) => {
        const v = values.get(key(source, node, tensor));
        if (!v)
          throw new Error(`ONNX export: the input "${source}" of layer "${entry.name}" is not converted yet`);
        return v;
      });
      const out = convert(g, layer, layer.getConfig() as Config, inputs);
      const shapes = inputs.map((v) => v.shape);
      const shape = layer.computeOutputShape(shapes.length === 1 ? shapes[0] : shapes) as Shape;
      values.set(key(entry.name, nodeIndex, 0), { ...out, shape });
    });
  }
  const [outLayer, outNode, outTensor] = outputLayers[0];
  const last = values.get(key(outLayer, outNode, outTensor)) as Value;
  const output = g.channelsLast(last);
  g.nodes.push({
    input: [output.name],
    output: [ONNX_OUTPUT],
    name: ONNX_OUTPUT,
    opType: 'Identity',
    attribute: [],
  });
  return {
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'Phi Studio',
    producerVersion: options.producerVersion ?? '',
    graph: {
      name: model.name,
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo(ONNX_INPUT, inputShape)],
      output: [valueInfo(ONNX_OUTPUT, last.shape)],
    },
    metadataProps: Object.entries(options.metadata ?? {}).map(([k, value]) => ({ key: k, value })),
  };
}

/** {@link toOnnxModel} as ONNX protobuf bytes. */
export function toOnnx(model: LayersModel, options: OnnxOptions = {}): Uint8Array {
  return encodeModel(toOnnxModel(model, options));
}
