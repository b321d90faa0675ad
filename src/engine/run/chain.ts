/**
 * How a module runs on one sample, in every runner: RUN (the executor, node
 * by node), `phi predict` and external evaluation (a network's chain, sample
 * by sample) and `phi process` (a chain outside a project). One rule each for
 * the random stream a module sees and for outputs that are not numbers.
 */
import type { Graph, Sample, Split } from '../api';
import type { ModuleNodeType } from '../graph/node-type';
import { inputsOf } from '../graph/plan';
import type { NodeTypeRegistry } from '../graph/registry';
import { createRng, seedFrom } from './rng';

/** Where a module runs: its node (or chain step) id, the run's seed, the sample's split and its other inputs. */
export interface StepContext {
  nodeId: string;
  seed: number;
  /** The split augmentations look at; none at inference, so they leave the sample as it is. */
  split?: Split;
  /** Samples on the module's other ports, by port name; the sample itself on `in` when absent. */
  inputs?: Record<string, Sample>;
}

/**
 * Runs `type` on `sample`: the random stream is seeded from (seed, node,
 * sample id), so a module gives the same output for the same item in every
 * runner; an output with NaN or infinite values is the item's failure.
 */
export async function runStep(
  type: ModuleNodeType,
  params: Record<string, unknown>,
  sample: Sample,
  ctx: StepContext,
): Promise<Sample | null> {
  const output = await type.run(sample, params, {
    nodeId: ctx.nodeId,
    rng: createRng(seedFrom(ctx.seed, ctx.nodeId, sample.id)),
    split: ctx.split,
    inputs: ctx.inputs ?? { in: sample },
  });
  return output && finite(output);
}

/** The sample, or the item's failure when its pixels hold NaN or infinite values (only float data can). */
export function finite(sample: Sample): Sample {
  const data = sample.image.data;
  if (!(data instanceof Float32Array)) return sample;
  let count = 0;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) count += 1;
  if (count) throw new Error(`produced ${count} values that are not finite numbers (NaN or ±Infinity)`);
  return sample;
}

/** One module of a chain with its parsed params. */
export interface ChainStep {
  node: Graph['nodes'][number];
  type: ModuleNodeType;
  params: Record<string, unknown>;
}

/** Module nodes from the dataset to `node`, in order (single-input chains). */
export function moduleChain(graph: Graph, node: string): Graph['nodes'] {
  const inputs = inputsOf(graph);
  const chain: Graph['nodes'] = [];
  let current = inputs.get(node)?.[0]?.source;
  while (current) {
    const n = graph.nodes.find((x) => x.id === current);
    if (!n || n.kind !== 'module') break;
    chain.unshift(n);
    current = inputs.get(n.id)?.[0]?.source;
  }
  return chain;
}

/** The Dataset node a network's chain starts from. */
export function datasetNodeOf(graph: Graph, node: string): Graph['nodes'][number] | undefined {
  const inputs = inputsOf(graph);
  let current = inputs.get(node)?.[0]?.source;
  while (current) {
    const found = graph.nodes.find((n) => n.id === current);
    if (found?.kind === 'dataset') return found;
    current = inputs.get(current)?.[0]?.source;
  }
  return undefined;
}

/** The module steps from the dataset to `node`, each with its type in `registry` and its parsed params. */
export function chainOf(registry: NodeTypeRegistry, graph: Graph, node: string): ChainStep[] {
  return moduleChain(graph, node).map((n) => {
    const type = registry.get(n.type);
    if (type?.kind !== 'module')
      throw new Error(`Module type "${n.type}" of node "${n.id}" is not available`);
    return { node: n, type, params: type.params.parse(n.params) };
  });
}

/** Runs `sample` through a chain as inference does (no augmentation); `null` when a module drops it. */
export async function applyChain(chain: ChainStep[], sample: Sample, seed = 0): Promise<Sample | null> {
  let current: Sample | null = sample;
  for (const step of chain) {
    if (!current) break;
    current = await runStep(step.type, step.params, current, { nodeId: step.node.id, seed });
  }
  return current;
}
