/**
 * Execution order of a pipeline: topological, leftmost first (RUN
 * runs "from the leftmost module along the connections"), and the node sets of
 * each run mode.
 */
import type { Graph, GraphNode, RunMode } from '../api';

/** Input edges of each node, keyed by target id. */
export function inputsOf(graph: Graph): Map<string, { source: string; port: string }[]> {
  const inputs = new Map<string, { source: string; port: string }[]>();
  for (const node of graph.nodes) inputs.set(node.id, []);
  for (const edge of graph.edges)
    inputs.get(edge.target)?.push({ source: edge.source, port: edge.targetPort });
  return inputs;
}

/** Direct successors of each node. */
function successorsOf(graph: Graph): Map<string, string[]> {
  const successors = new Map<string, string[]>();
  for (const node of graph.nodes) successors.set(node.id, []);
  for (const edge of graph.edges) successors.get(edge.source)?.push(edge.target);
  return successors;
}

const leftmostFirst = (a: GraphNode, b: GraphNode): number =>
  a.position.x - b.position.x || a.position.y - b.position.y || a.id.localeCompare(b.id);

/**
 * Nodes in an order where every node follows its inputs, ties broken leftmost
 * first. Returns the cycle's nodes instead when there is one.
 */
export function topologicalOrder(graph: Graph): { order: string[] } | { cycle: string[] } {
  const indegree = new Map(graph.nodes.map((n) => [n.id, 0]));
  for (const edge of graph.edges) {
    if (indegree.has(edge.target) && indegree.has(edge.source)) {
      indegree.set(edge.target, (indegree.get(edge.target) ?? 0) + 1);
    }
  }
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const successors = successorsOf(graph);
  const ready = graph.nodes.filter((n) => indegree.get(n.id) === 0).sort(leftmostFirst);
  const order: string[] = [];
  while (ready.length > 0) {
    const node = ready.shift() as GraphNode;
    order.push(node.id);
    for (const next of successors.get(node.id) ?? []) {
      const left = (indegree.get(next) ?? 0) - 1;
      indegree.set(next, left);
      if (left === 0) {
        ready.push(byId.get(next) as GraphNode);
        ready.sort(leftmostFirst);
      }
    }
  }
  if (order.length === graph.nodes.length) return { order };
  return { cycle: graph.nodes.filter((n) => !order.includes(n.id)).map((n) => n.id) };
}

/** Every node downstream of `id` (excluding it). */
export function descendants(graph: Graph, id: string): Set<string> {
  const successors = successorsOf(graph);
  const seen = new Set<string>();
  const stack = [...(successors.get(id) ?? [])];
  while (stack.length > 0) {
    const next = stack.pop() as string;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(successors.get(next) ?? []));
  }
  return seen;
}

/** Every node upstream of `id` (excluding it). */
export function ancestors(graph: Graph, id: string): Set<string> {
  const inputs = inputsOf(graph);
  const seen = new Set<string>();
  const stack = (inputs.get(id) ?? []).map((i) => i.source);
  while (stack.length > 0) {
    const next = stack.pop() as string;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(inputs.get(next) ?? []).map((i) => i.source));
  }
  return seen;
}

/**
 * The nodes a run executes, in order: all of them (`all`, `sample`), one
 * (`node`), or one and everything after it (`step-forward`).
 */
export function planRun(graph: Graph, mode: RunMode, node?: string): string[] {
  const sorted = topologicalOrder(graph);
  if ('cycle' in sorted) throw new Error(`The pipeline has a cycle through ${sorted.cycle.join(', ')}`);
  if (mode === 'all' || mode === 'sample') return sorted.order;
  if (!node) throw new Error(`Run mode "${mode}" needs a node`);
  if (!graph.nodes.some((n) => n.id === node)) throw new Error(`Node "${node}" is not in the pipeline`);
  if (mode === 'node') return [node];
  const after = descendants(graph, node);
  return sorted.order.filter((id) => id === node || after.has(id));
}
