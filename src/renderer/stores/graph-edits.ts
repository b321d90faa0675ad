/**
 * Graph edits of the flow space the engine does not need: copy/paste of a
 * selection and fresh ids. Applying and inverting edits is the engine's own
 * rule (api/graph-edits.ts), which the local mirror applies as well.
 */
import type { Graph, GraphEdge, GraphEdit, GraphNode } from '../../engine/api';

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
