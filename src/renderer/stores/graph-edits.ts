/**
 * Pure graph edit logic of the flow space: applying edits locally (so the
 * canvas answers at once, before the engine's snapshot arrives), the inverse
 * of a batch (undo sends it to the engine as an ordinary `editGraph`), and
 * copy/paste of a selection.
 */
import type { Graph, GraphEdge, GraphEdit, GraphNode } from '../../engine/api';
import { mergeParams } from '../../engine/api/params-merge';

/** Applies edits in order, as the engine does; edits naming unknown ids are ignored. */
export function applyEdits(graph: Graph, edits: GraphEdit[]): Graph {
  let nodes = graph.nodes;
  let edges = graph.edges;
  for (const edit of edits) {
    switch (edit.op) {
      case 'add-node':
        nodes = [...nodes.filter((n) => n.id !== edit.node.id), edit.node];
        break;
      case 'remove-node':
        nodes = nodes.filter((n) => n.id !== edit.id);
        // The engine drops a removed node's edges with it.
        edges = edges.filter((e) => e.source !== edit.id && e.target !== edit.id);
        break;
      case 'move-node':
        nodes = nodes.map((n) => (n.id === edit.id ? { ...n, position: edit.position } : n));
        break;
      case 'set-params':
        nodes = nodes.map((n) => {
          if (n.id !== edit.id) return n;
          // The engine's rule; a conflict it will refuse leaves the mirror as it is.
          const merged = mergeParams(n.params, edit);
          return merged.ok ? { ...n, params: merged.params } : n;
        });
        break;
      case 'set-label':
        // An empty label means "no label": the node shows its type's title again.
        nodes = nodes.map((n) => {
          if (n.id !== edit.id) return n;
          const { label: _old, ...rest } = n;
          return edit.label ? { ...rest, label: edit.label } : rest;
        });
        break;
      case 'add-edge':
        edges = [...edges.filter((e) => e.id !== edit.edge.id), edit.edge];
        break;
      case 'remove-edge':
        edges = edges.filter((e) => e.id !== edit.id);
        break;
    }
  }
  return { nodes, edges };
}

/**
 * The edits that undo `edits` when applied to `applyEdits(graph, edits)`.
 * Each edit's inverse is computed against the graph as it was just before
 * that edit, and the inverses run in reverse order.
 */
export function invertEdits(graph: Graph, edits: GraphEdit[]): GraphEdit[] {
  const inverse: GraphEdit[][] = [];
  let current = graph;
  for (const edit of edits) {
    inverse.push(invertOne(current, edit));
    current = applyEdits(current, [edit]);
  }
  return inverse.reverse().flat();
}

function invertOne(graph: Graph, edit: GraphEdit): GraphEdit[] {
  const node = (id: string): GraphNode | undefined => graph.nodes.find((n) => n.id === id);
  switch (edit.op) {
    case 'add-node': {
      const previous = node(edit.node.id);
      return previous ? [{ op: 'add-node', node: previous }] : [{ op: 'remove-node', id: edit.node.id }];
    }
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
    case 'add-edge': {
      const previous = graph.edges.find((e) => e.id === edit.edge.id);
      return previous ? [{ op: 'add-edge', edge: previous }] : [{ op: 'remove-edge', id: edit.edge.id }];
    }
    case 'remove-edge': {
      const previous = graph.edges.find((e) => e.id === edit.id);
      return previous ? [{ op: 'add-edge', edge: previous }] : [];
    }
  }
}

/** What Copy puts on the clipboard: the selected nodes and the edges among them. */
export interface GraphClipboard {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** Copies the nodes with the given ids and the edges that join two of them. */
export function copySelection(graph: Graph, ids: Iterable<string>): GraphClipboard {
  const selected = new Set(ids);
  return {
    nodes: graph.nodes.filter((n) => selected.has(n.id)).map((n) => structuredClone(n)),
    edges: graph.edges.filter((e) => selected.has(e.source) && selected.has(e.target)).map((e) => ({ ...e })),
  };
}

/**
 * Edits that paste a clipboard: fresh ids from `newId`, positions shifted by
 * `offset`, internal edges re-pointed to the copies. Returns the new node ids too.
 */
export function pasteEdits(
  clip: GraphClipboard,
  offset: { x: number; y: number },
  newId: (base: string) => string,
): { edits: GraphEdit[]; ids: string[] } {
  const idMap = new Map<string, string>();
  const edits: GraphEdit[] = [];
  for (const node of clip.nodes) {
    const id = newId(node.type);
    idMap.set(node.id, id);
    edits.push({
      op: 'add-node',
      node: {
        ...structuredClone(node),
        id,
        position: { x: node.position.x + offset.x, y: node.position.y + offset.y },
      },
    });
  }
  for (const edge of clip.edges) {
    const source = idMap.get(edge.source);
    const target = idMap.get(edge.target);
    if (!source || !target) continue;
    edits.push({
      op: 'add-edge',
      edge: { id: `${source}->${target}:${edge.targetPort}`, source, target, targetPort: edge.targetPort },
    });
  }
  return { edits, ids: [...idMap.values()] };
}

/** A node id not yet in the graph: the type id plus the smallest free number. */
export function freshNodeId(graph: Graph, base: string, taken: Set<string> = new Set()): string {
  const used = new Set([...graph.nodes.map((n) => n.id), ...taken]);
  const stem = base.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'node';
  for (let i = 1; ; i++) {
    const id = `${stem}-${i}`;
    if (!used.has(id)) return id;
  }
}

/** The id of the edge from `source` to `target`'s `port`: one edge per port pair. */
export function edgeId(source: string, target: string, port: string): string {
  return `${source}->${target}:${port}`;
}
