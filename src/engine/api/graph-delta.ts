/**
 * The graph part of an edit's answer (`GraphDelta`, results.ts): the engine
 * computes it from the graph before and after the edit, a front end applies
 * it to its mirror. One rule for both sides.
 */
import { z } from 'zod';
import { GraphEdgeSchema, GraphNodeSchema, type Graph } from './graph';
import { sameValue } from './params-merge';

/** What an edit changed in the graph: nodes and edges added or changed (whole), ids of those removed. */
export const GraphChangeSchema = z.object({
  nodes: z.array(GraphNodeSchema),
  removedNodes: z.array(z.string()),
  edges: z.array(GraphEdgeSchema),
  removedEdges: z.array(z.string()),
});
/** See {@link GraphChangeSchema}. */
export type GraphChange = z.infer<typeof GraphChangeSchema>;

/** What changed from `before` to `after`: nodes and edges added or changed, ids of those removed. */
export function graphChange(before: Graph, after: Graph): GraphChange {
  const oldNodes = new Map(before.nodes.map((n) => [n.id, n]));
  const oldEdges = new Map(before.edges.map((e) => [e.id, e]));
  const newNodes = new Set(after.nodes.map((n) => n.id));
  const newEdges = new Set(after.edges.map((e) => e.id));
  return {
    nodes: after.nodes.filter((n) => !sameValue(oldNodes.get(n.id), n)),
    removedNodes: before.nodes.filter((n) => !newNodes.has(n.id)).map((n) => n.id),
    edges: after.edges.filter((e) => !sameValue(oldEdges.get(e.id), e)),
    removedEdges: before.edges.filter((e) => !newEdges.has(e.id)).map((e) => e.id),
  };
}

/** `graph` with a change applied: changed nodes and edges replaced in place, new ones appended. */
export function applyGraphChange(graph: Graph, change: GraphChange): Graph {
  const nodes = new Map(change.nodes.map((n) => [n.id, n]));
  const edges = new Map(change.edges.map((e) => [e.id, e]));
  const goneNodes = new Set(change.removedNodes);
  const goneEdges = new Set(change.removedEdges);
  const keptNodes = graph.nodes.filter((n) => !goneNodes.has(n.id));
  const keptEdges = graph.edges.filter((e) => !goneEdges.has(e.id));
  const hasNode = new Set(keptNodes.map((n) => n.id));
  const hasEdge = new Set(keptEdges.map((e) => e.id));
  return {
    nodes: [...keptNodes.map((n) => nodes.get(n.id) ?? n), ...change.nodes.filter((n) => !hasNode.has(n.id))],
    edges: [...keptEdges.map((e) => edges.get(e.id) ?? e), ...change.edges.filter((e) => !hasEdge.has(e.id))],
  };
}

/**
 * The nodes whose outputs a change can alter, before their downstream is
 * added: new nodes, nodes changed in anything but position and label, and the
 * targets of edges added or removed (a removed edge's target is looked up in `before`).
 */
export function changedInputs(before: Graph, change: GraphChange): Set<string> {
  const old = new Map(before.nodes.map((n) => [n.id, n]));
  const ids = new Set<string>();
  for (const node of change.nodes) {
    const was = old.get(node.id);
    const { position: _p, label: _l, ...now } = node;
    if (!was) ids.add(node.id);
    else {
      const { position: _wp, label: _wl, ...then } = was;
      if (!sameValue(then, now)) ids.add(node.id);
    }
  }
  for (const edge of change.edges) ids.add(edge.target);
  const removed = new Set(change.removedEdges);
  for (const edge of before.edges) if (removed.has(edge.id)) ids.add(edge.target);
  return ids;
}
