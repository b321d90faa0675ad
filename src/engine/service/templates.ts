/**
 * Pipeline templates for `phi new` and "New project": Dataset -> sensible
 * preprocessing for the task -> the task's default network (when the network
 * node type is registered).
 */
import type { Graph, GraphNode, Task } from '../api';
import type { NodeTypeRegistry } from '../graph/registry';

/** A node of `type` with its params completed from the type's defaults. */
export function makeNode(
  registry: NodeTypeRegistry,
  type: string,
  id: string,
  params: Record<string, unknown>,
  position: { x: number; y: number },
): GraphNode {
  const nodeType = registry.get(type);
  if (!nodeType) throw new Error(`Unknown module "${type}"`);
  const parsed = nodeType.params.safeParse(params);
  return {
    id,
    kind: nodeType.kind,
    type,
    version: nodeType.version,
    params: parsed.success ? (parsed.data as Record<string, unknown>) : params,
    position,
  };
}

/** Preprocessing chain per task: [module id, params]. */
const PREPROCESSING: Record<Task, [string, Record<string, unknown>][]> = {
  classification: [
    ['resize', { width: 64, height: 64, interpolation: 'area' }],
    ['color-to-grayscale', {}],
  ],
  segmentation: [['resize', { width: 128, height: 128, interpolation: 'bilinear' }]],
  detection: [['resize', { width: 128, height: 128, interpolation: 'bilinear' }]],
  transformation: [['resize', { width: 128, height: 128, interpolation: 'bilinear' }]],
};

/** A runnable pipeline for `task` reading the dataset folder `datasetPath` (relative to the project). */
export function templateGraph(registry: NodeTypeRegistry, datasetPath: string, task: Task): Graph {
  const nodes: GraphNode[] = [
    makeNode(registry, 'dataset', 'dataset', { path: datasetPath, task }, { x: 0, y: 0 }),
  ];
  const steps = PREPROCESSING[task].filter(([type]) => registry.get(type));
  steps.forEach(([type, params], index) => {
    nodes.push(makeNode(registry, type, type, params, { x: 260 * (index + 1), y: 0 }));
  });
  if (registry.get('neural-network')) {
    nodes.push(
      makeNode(registry, 'neural-network', 'network', { task }, { x: 260 * (steps.length + 1), y: 0 }),
    );
  }
  const edges = nodes.slice(1).map((node, index) => ({
    id: `e-${nodes[index].id}-${node.id}`,
    source: nodes[index].id,
    target: node.id,
    targetPort: 'in',
  }));
  return { nodes, edges };
}
