/**
 * Compiles a network spec to a tf.js functional model, with shape inference
 * per layer and errors that name the layer and the shapes involved.
 */
import type { SymbolicTensor } from '@tensorflow/tfjs-layers';
import { tfl } from '../tf';
import { LAYER_TYPES, type ActivationName } from './catalogue';
import { patchInputConv } from './input-conv';
import type { LayerNode, NetworkSpec } from '../../api/network-spec';

/** Values for `$name` placeholders in layer params. */
export type SpecVars = Record<string, number>;

/** A spec problem located at a layer. */
export class SpecError extends Error {
  constructor(
    readonly layer: string,
    /** What is wrong, without the layer's name. */
    readonly reason: string,
  ) {
    super(`Layer "${layer}": ${reason}`);
  }
}

/** Options of {@link compileSpec}. */
export interface CompileOptions {
  /** Input shape without batch axis, e.g. `[64, 64, 1]`; overrides the Input layer's. */
  inputShape?: (number | null)[];
  vars?: SpecVars;
  /** Base seed for initializers and dropout. */
  seed?: number;
}

/** Output shape per layer id (batch axis included as `null`). */
export type ShapeMap = Record<string, (number | null)[]>;

/** Replaces `$name` strings by their values, recursively. */
function resolveVars(value: unknown, vars: SpecVars, layer: string): unknown {
  if (typeof value === 'string' && value.startsWith('$')) {
    const v = vars[value.slice(1)];
    if (v === undefined) throw new SpecError(layer, `unknown placeholder ${value}`);
    return v;
  }
  if (Array.isArray(value)) return value.map((v) => resolveVars(v, vars, layer));
  return value;
}

/** Layers in dependency order; rejects unknown inputs and cycles. */
export function topoOrder(spec: NetworkSpec): NetworkSpec['layers'] {
  const byId = new Map(spec.layers.map((l) => [l.id, l]));
  if (byId.size !== spec.layers.length) throw new Error('Network spec has duplicate layer ids');
  const order: NetworkSpec['layers'] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, from: string): void => {
    const layer = byId.get(id);
    if (!layer) throw new SpecError(from, `input "${id}" is not a layer of this network`);
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') throw new SpecError(id, 'is part of a cycle');
    state.set(id, 'visiting');
    for (const i of layer.inputs) visit(i, id);
    state.set(id, 'done');
    order.push(layer);
  };
  for (const l of spec.layers) visit(l.id, l.id);
  return order;
}

/** Result of {@link compileSpec}. */
export interface Compiled {
  model: tfl.LayersModel;
  shapes: ShapeMap;
}

/** `[16384]` -> `a vector of 16384`, `[32, 32, 16]` -> `an image of 32 x 32 x 16` (no batch axis). */
export function describeShape(shape: readonly (number | null)[]): string {
  const dims = shape.map((d) => (d === null ? '?' : String(d))).join(' x ');
  const kind = ['a single number', 'a vector of', 'a sequence of', 'an image of', 'a volume of'][
    shape.length
  ];
  return kind ? `${kind}${shape.length ? ` ${dims}` : ''}`.trim() : `a tensor of ${dims}`;
}

/** What a layer needs, by the number of axes without the batch axis. */
const NEEDS = [
  'a single number',
  'a vector',
  'a sequence (length x channels)',
  'an image (height x width x channels)',
  'a volume (depth x height x width x channels)',
];

/** Where an input comes from, for messages: `after Flatten (flatten-1)` or `from the input`. */
function fromText(source: LayerNode): string {
  return source.type === 'Input' ? 'from the input' : `after ${source.type} (${source.id})`;
}

/**
 * Why a layer cannot take its inputs, in words ("Conv2D needs an image
 * (height x width x channels); after Flatten (flatten-1) it gets a vector of
 * 16384"), from tf.js's message (`expected ndim=4, found ndim=2`) and shapes.
 */
function misfitText(node: LayerNode, sources: LayerNode[], ins: SymbolicTensor[], error: Error): string {
  const shapes = ins.map((t) => t.shape.slice(1));
  const ndim = /expected (min_)?ndim=(\d+), found ndim=(\d+)/.exec(error.message);
  if (ndim && ins.length === 1) {
    const wanted = Number(ndim[2]) - 1;
    const needs = ndim[1]
      ? `an input of at least ${wanted} axes`
      : (NEEDS[wanted] ?? `an input of ${wanted} axes`);
    return `${node.type} needs ${needs}; ${fromText(sources[0])} it gets ${describeShape(shapes[0])}`;
  }
  const list = shapes
    .map((s, i) => `${s.map((d) => d ?? '?').join(' x ')} from ${sources[i].id}`)
    .join(' and ');
  if (node.type === 'Concatenate')
    return `Concatenate needs inputs that differ only in channels (the last axis); it gets ${list}`;
  if (ins.length > 1) return `${node.type} needs inputs of the same shape; it gets ${list}`;
  const got = ins.map((t) => `(${t.shape.map((d) => d ?? 'None').join(', ')})`).join(' and ');
  return `${node.type} cannot take input shape ${got}: ${error.message}`;
}

/** Every layer's tensors and tf.js layers, or the problems found on the way. */
interface Built {
  tensors: Map<string, SymbolicTensor>;
  shapes: ShapeMap;
  inputs: SymbolicTensor[];
  /** The tf.js layers made for each spec layer (a weight layer with leaky ReLU makes two). */
  layers: Map<string, tfl.layers.Layer[]>;
  /** Layers that do not fit (empty unless collecting). */
  problems: SpecError[];
  /** Layers made for layers that did not fit: they may hold weights made before tf.js refused. */
  refused: tfl.layers.Layer[];
}

/**
 * Builds layer by layer. Strict (`collect` false): the first problem is thrown.
 * Collecting: a layer that does not fit is recorded and the rest go on; the
 * layers after it have no shape and no problem of their own.
 */
function buildLayers(spec: NetworkSpec, options: CompileOptions, collect: boolean): Built {
  const vars = options.vars ?? {};
  let seed = options.seed ?? 1;
  const built: Built = {
    tensors: new Map(),
    shapes: {},
    inputs: [],
    layers: new Map(),
    problems: [],
    refused: [],
  };
  const byId = new Map(spec.layers.map((l) => [l.id, l]));
  for (const node of topoOrder(spec)) {
    // After a layer that does not fit, nothing is known.
    if (node.inputs.some((i) => !built.tensors.has(i))) continue;
    try {
      buildLayer(node);
    } catch (error) {
      if (!collect || !(error instanceof SpecError)) throw error;
      built.problems.push(error);
    }
  }
  return built;

  function buildLayer(node: LayerNode): void {
    const type = LAYER_TYPES[node.type];
    if (!type) throw new SpecError(node.id, `unknown layer type "${node.type}"`);
    if (node.inputs.length === 0 && type.inputs.min > 0)
      throw new SpecError(node.id, `${node.type} has no input: connect the layer that feeds it`);
    if (node.inputs.length < type.inputs.min || node.inputs.length > type.inputs.max)
      throw new SpecError(
        node.id,
        `${node.type} takes ${type.inputs.min === type.inputs.max ? type.inputs.min : `${type.inputs.min}-${type.inputs.max}`} input(s), got ${node.inputs.length}`,
      );
    const rawParams = Object.fromEntries(
      Object.entries(node.params).map(([k, v]) => [k, resolveVars(v, vars, node.id)]),
    );
    const parsed = type.params.safeParse(rawParams);
    if (!parsed.success)
      throw new SpecError(
        node.id,
        `bad params: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    const params = parsed.data as Record<string, unknown>;
    let out: SymbolicTensor;
    if (node.type === 'Input') {
      const shape = options.inputShape ?? (params.shape as (number | null)[] | undefined);
      if (!shape) throw new SpecError(node.id, 'input shape unknown: set it or connect data');
      if (built.inputs.length > 0)
        throw new SpecError(node.id, 'a network has one Input layer: remove this one or connect the other');
      out = tfl.input({ shape, name: node.id });
      built.inputs.push(out);
      built.layers.set(node.id, []);
    } else {
      const ins = node.inputs.map((i) => built.tensors.get(i) as SymbolicTensor);
      const layer = type.build(params as never, { name: node.id, nextSeed: () => seed++ });
      const made = [layer];
      if (node.type === 'Conv2D' && ins.length === 1 && built.inputs.includes(ins[0])) patchInputConv(layer);
      try {
        out = layer.apply(ins.length === 1 ? ins[0] : ins) as SymbolicTensor;
      } catch (e) {
        built.refused.push(layer);
        const sources = node.inputs.map((i) => byId.get(i) as LayerNode);
        throw new SpecError(node.id, misfitText(node, sources, ins, e as Error));
      }
      // Leaky ReLU is a layer in tf.js: weight layers that ask for it get one appended.
      if ((params.activation as ActivationName | undefined) === 'leakyRelu' && node.type !== 'Activation') {
        const leaky = tfl.layers.leakyReLU({ name: `${node.id}_leaky`, alpha: 0.1 });
        out = leaky.apply(out) as SymbolicTensor;
        made.push(leaky);
      }
      built.layers.set(node.id, made);
    }
    built.tensors.set(node.id, out);
    built.shapes[node.id] = out.shape;
  }
}

/** Builds the tf.js model; throws {@link SpecError} naming the layer and shapes on a wrong spec. */
export function compileSpec(spec: NetworkSpec, options: CompileOptions = {}): Compiled {
  const { tensors, shapes, inputs } = buildLayers(spec, options, false);
  const output = tensors.get(spec.output);
  if (!output) throw new SpecError(spec.output, 'the output layer is not in the network');
  if (inputs.length !== 1) throw new Error(`A network needs exactly one Input layer, found ${inputs.length}`);
  return {
    model: tfl.model({ inputs, outputs: output, name: spec.name.replace(/[^A-Za-z0-9_]/g, '_') }),
    shapes,
  };
}

/** One layer of a {@link SpecSummary}. */
export interface LayerSummary {
  /** Output shape, batch axis first (`null`). */
  shape: (number | null)[];
  /** Weights of the layer (trainable and not), as tf.js counts them. */
  parameters: number;
}

/** Result of {@link summarizeSpec}. */
export interface SpecSummary {
  /** Every layer whose output could be computed. */
  layers: Record<string, LayerSummary>;
  /** Layers that do not fit, in build order (empty when the network is valid). */
  problems: SpecError[];
  /** The compiled model's parameter count; only when there is no problem. */
  parameters?: number;
}

/**
 * Shapes and parameter counts of every layer that can be computed, and every
 * layer that does not fit: a problem in one layer leaves the others' shapes
 * known. Nothing is kept: the layers and model are disposed at once.
 */
export function summarizeSpec(spec: NetworkSpec, options: CompileOptions = {}): SpecSummary {
  const built = buildLayers(spec, options, true);
  const layers: Record<string, LayerSummary> = {};
  for (const [id, made] of built.layers)
    layers[id] = { shape: built.shapes[id], parameters: made.reduce((n, l) => n + l.countParams(), 0) };
  const problems = built.problems;
  if (built.inputs.length === 0 && problems.length === 0)
    problems.push(
      new SpecError(spec.layers[0]?.id ?? '', 'the network has no Input layer: add one at the top'),
    );
  const output = built.tensors.get(spec.output);
  if (!output && problems.length === 0)
    problems.push(new SpecError(spec.output, 'the output layer is not in the network'));
  let parameters: number | undefined;
  if (problems.length === 0 && output) {
    const model = tfl.model({ inputs: built.inputs, outputs: output });
    parameters = model.countParams();
    model.dispose();
  } else {
    // Without a model, each layer's weights are freed one by one.
    for (const layer of [...[...built.layers.values()].flat(), ...built.refused])
      for (const weight of layer.weights) weight.dispose();
  }
  return { layers, problems, parameters };
}

/** Shape per layer for the layer builder's edges; the model is disposed at once. */
export function inferShapes(spec: NetworkSpec, options: CompileOptions = {}): ShapeMap {
  const { model, shapes } = compileSpec(spec, options);
  model.dispose();
  return shapes;
}
