/**
 * Compiles a network spec to a tf.js functional model, with shape inference
 * per layer and errors that name the layer and the shapes involved.
 */
import type { SymbolicTensor } from '@tensorflow/tfjs-layers';
import { tfl } from '../tf';
import { LAYER_TYPES, type ActivationName } from './catalogue';
import { patchInputConv } from './input-conv';
import type { NetworkSpec } from './spec';

/** Values for `$name` placeholders in layer params. */
export type SpecVars = Record<string, number>;

/** A spec problem located at a layer. */
export class SpecError extends Error {
  constructor(
    readonly layer: string,
    message: string,
  ) {
    super(`Layer "${layer}": ${message}`);
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

/** Builds the tf.js model; throws {@link SpecError} naming the layer and shapes on a wrong spec. */
export function compileSpec(spec: NetworkSpec, options: CompileOptions = {}): Compiled {
  const vars = options.vars ?? {};
  let seed = options.seed ?? 1;
  const tensors = new Map<string, SymbolicTensor>();
  const shapes: ShapeMap = {};
  const inputs: SymbolicTensor[] = [];
  for (const node of topoOrder(spec)) {
    const type = LAYER_TYPES[node.type];
    if (!type) throw new SpecError(node.id, `unknown layer type "${node.type}"`);
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
      out = tfl.input({ shape, name: node.id });
      inputs.push(out);
    } else {
      const ins = node.inputs.map((i) => tensors.get(i) as SymbolicTensor);
      const layer = type.build(params as never, { name: node.id, nextSeed: () => seed++ });
      if (node.type === 'Conv2D' && ins.length === 1 && inputs.includes(ins[0])) patchInputConv(layer);
      try {
        out = layer.apply(ins.length === 1 ? ins[0] : ins) as SymbolicTensor;
      } catch (e) {
        const got = ins.map((t) => `(${t.shape.map((d) => d ?? 'None').join(', ')})`).join(' and ');
        throw new SpecError(node.id, `${node.type} cannot take input shape ${got}: ${(e as Error).message}`);
      }
      // Leaky ReLU is a layer in tf.js: weight layers that ask for it get one appended.
      if ((params.activation as ActivationName | undefined) === 'leakyRelu' && node.type !== 'Activation')
        out = tfl.layers.leakyReLU({ name: `${node.id}_leaky`, alpha: 0.1 }).apply(out) as SymbolicTensor;
    }
    tensors.set(node.id, out);
    shapes[node.id] = out.shape;
  }
  const output = tensors.get(spec.output);
  if (!output) throw new SpecError(spec.output, 'the output layer is not in the network');
  if (inputs.length !== 1) throw new Error(`A network needs exactly one Input layer, found ${inputs.length}`);
  return {
    model: tfl.model({ inputs, outputs: output, name: spec.name.replace(/[^A-Za-z0-9_]/g, '_') }),
    shapes,
  };
}

/** Shape per layer for the layer builder's edges; the model is disposed at once. */
export function inferShapes(spec: NetworkSpec, options: CompileOptions = {}): ShapeMap {
  const { model, shapes } = compileSpec(spec, options);
  model.dispose();
  return shapes;
}
