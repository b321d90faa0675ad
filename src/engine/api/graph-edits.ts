/**
 * How graph edits change a graph, the one rule the engine's store and the
 * workbench's local mirror both apply: an edit may only name nodes and edges
 * that exist, may not add an id that is taken, and a removed node takes its
 * edges with it. Also the inverse of a batch (what Undo sends).
 */
import type { Graph, GraphEdit, GraphNode } from './graph';
import { mergeParams } from './params-merge';

/** An edit the graph cannot take; `index` is its place in the batch (0-based). */
export class GraphEditRefused extends Error {
  constructor(
    readonly index: number,
    readonly op: GraphEdit['op'],
    reason: string,
  ) {
    super(`edit ${index + 1} (${op}): ${reason}`);
    this.name = 'GraphEditRefused';
  }
}

/** Applies `edits` in order; throws {@link GraphEditRefused} at the first edit the graph cannot take. */
export function applyGraphEdits(graph: Graph, edits: readonly GraphEdit[]): Graph {
  let nodes = graph.nodes;
  let edges = graph.edges;
  edits.forEach((edit, index) => {
    const refuse = (reason: string): never => {
      throw new GraphEditRefused(index, edit.op, reason);
    };
    const existing = (id: string): GraphNode =>
      nodes.find((n) => n.id === id) ?? refuse(`there is no node with id "${id}"`);
    switch (edit.op) {
      case 'add-node':
        if (nodes.some((n) => n.id === edit.node.id))
          refuse(`a node with id "${edit.node.id}" already exists`);
        nodes = [...nodes, edit.node];
        return;
      case 'remove-node':
        existing(edit.id);
        nodes = nodes.filter((n) => n.id !== edit.id);
        edges = edges.filter((e) => e.source !== edit.id && e.target !== edit.id);
        return;
      case 'move-node': {
        const node = existing(edit.id);
        nodes = nodes.map((n) => (n === node ? { ...n, position: edit.position } : n));
        return;
      }
      case 'set-params': {
        const node = existing(edit.id);
        const merged = mergeParams(node.params, edit);
        if (!merged.ok) refuse(`parameter "${merged.field}" was changed by someone else meanwhile`);
        nodes = nodes.map((n) => (n === node && merged.ok ? { ...n, params: merged.params } : n));
        return;
      }
      case 'set-label': {
        // An empty label means "no label": the node shows its type's title again.
        const { label: _old, ...rest } = existing(edit.id);
        nodes = nodes.map((n) =>
          n.id === edit.id ? (edit.label ? { ...rest, label: edit.label } : rest) : n,
        );
        return;
      }
      case 'add-edge': {
        const { edge } = edit;
        if (edges.some((e) => e.id === edge.id)) refuse(`an edge with id "${edge.id}" already exists`);
        for (const end of [edge.source, edge.target])
          if (!nodes.some((n) => n.id === end))
            refuse(`edge "${edge.id}" names node "${end}", which does not exist`);
        edges = [...edges, edge];
        return;
      }
      case 'remove-edge':
        if (!edges.some((e) => e.id === edit.id)) refuse(`there is no edge with id "${edit.id}"`);
        edges = edges.filter((e) => e.id !== edit.id);
        return;
    }
  });
  return { nodes, edges };
}

/**
 * The edits that undo `edits` when applied to `applyGraphEdits(graph, edits)`.
 * Each edit's inverse is computed against the graph as it was just before
 * that edit, and the inverses run in reverse order.
 */
export function invertGraphEdits(graph: Graph, edits: readonly GraphEdit[]): GraphEdit[] {
  const inverse: GraphEdit[][] = [];
  let current = graph;
  for (const edit of edits) {
    inverse.push(invertOne(current, edit));
    current = applyGraphEdits(current, [edit]);
  }
  return inverse.reverse().flat();
}

function invertOne(graph: Graph, edit: GraphEdit): GraphEdit[] {
  const node = (id: string): GraphNode | undefined => graph.nodes.find((n) => n.id === id);
  switch (edit.op) {
    case 'add-node':
      return [{ op: 'remove-node', id: edit.node.id }];
    case 'remove-node': {
      const previous = node(edit.id);
      if (!previous) return [];
      // Restoring the node must restore the edges that went with it.
      const edges = graph.edges.filter((e) => e.source === edit.id || e.target === edit.id);
      return [
        { op: 'add-node', node: previous },
        ...edges.map((edge): GraphEdit => ({ op: 'add-edge', edge })),
      ];
    }
    case 'move-node': {
      const previous = node(edit.id);
      return previous ? [{ op: 'move-node', id: edit.id, position: previous.position }] : [];
    }
    case 'set-params': {
      // Undo carries what it undoes as `previous`: the engine refuses it if the field moved on since.
      const previous = node(edit.id);
      const after = previous && mergeParams(previous.params, edit);
      return previous && after?.ok
        ? [{ op: 'set-params', id: edit.id, params: previous.params, previous: after.params }]
        : [];
    }
    case 'set-label': {
      const previous = node(edit.id);
      return previous
        ? [{ op: 'set-label', id: edit.id, label: previous.label ?? '', previous: edit.label }]
        : [];
    }
    case 'add-edge':
      return [{ op: 'remove-edge', id: edit.edge.id }];
    case 'remove-edge': {
      const previous = graph.edges.find((e) => e.id === edit.id);
      return previous ? [{ op: 'add-edge', edge: previous }] : [];
    }
  }
}
