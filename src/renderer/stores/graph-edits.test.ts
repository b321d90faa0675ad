/**
 * Undo sends the inverse of an edit batch as an ordinary edit: for every kind
 * of edit, applying the batch and then its inverse must give back the graph
 * exactly (nodes, params, positions and the edges a removed node took along).
 */
import { describe, expect, it } from 'vitest';
import type { Graph, GraphEdit, GraphNode } from '../../engine/api';
import { applyEdits, copySelection, freshNodeId, invertEdits, pasteEdits } from './graph-edits';

function node(id: string, x = 0, params: Record<string, unknown> = {}): GraphNode {
  return {
    id,
    kind: id === 'ds' ? 'dataset' : 'module',
    type: id.replace(/-\d+$/, ''),
    version: 1,
    params,
    position: { x, y: 0 },
  };
}

const base: Graph = {
  nodes: [node('ds'), node('resize', 200, { width: 64 }), node('gray', 400), node('blur', 600, { sigma: 1 })],
  edges: [
    { id: 'e1', source: 'ds', target: 'resize', targetPort: 'in' },
    { id: 'e2', source: 'resize', target: 'gray', targetPort: 'in' },
    { id: 'e3', source: 'gray', target: 'blur', targetPort: 'in' },
  ],
};

/** Node and edge order does not matter to the engine; compare as sorted sets. */
function canonical(graph: Graph) {
  return {
    nodes: [...graph.nodes].sort((a, b) => a.id.localeCompare(b.id)),
    edges: [...graph.edges].sort((a, b) => a.id.localeCompare(b.id)),
  };
}

const cases: [string, GraphEdit[]][] = [
  ['add a node', [{ op: 'add-node', node: node('median', 800) }]],
  ['remove a middle node with both its edges', [{ op: 'remove-node', id: 'gray' }]],
  ['move', [{ op: 'move-node', id: 'blur', position: { x: 5, y: 7 } }]],
  ['set params', [{ op: 'set-params', id: 'resize', params: { width: 128, height: 32 } }]],
  ['set a label on an unlabelled node', [{ op: 'set-label', id: 'gray', label: 'Gray' }]],
  ['add an edge', [{ op: 'add-edge', edge: { id: 'e4', source: 'ds', target: 'blur', targetPort: 'in' } }]],
  ['remove an edge', [{ op: 'remove-edge', id: 'e2' }]],
  [
    'a batch whose later edits depend on earlier ones',
    [
      { op: 'add-node', node: node('median', 800) },
      { op: 'add-edge', edge: { id: 'e5', source: 'blur', target: 'median', targetPort: 'in' } },
      { op: 'set-params', id: 'median', params: { size: 5 } },
      { op: 'move-node', id: 'median', position: { x: 1, y: 2 } },
      { op: 'remove-node', id: 'resize' },
    ],
  ],
  [
    'replace an existing node (add-node with a taken id)',
    [{ op: 'add-node', node: node('blur', 900, { sigma: 3 }) }],
  ],
];

describe('invertEdits', () => {
  it.each(cases)('%s: edits then inverse restores the graph', (_name, edits) => {
    const after = applyEdits(base, edits);
    expect(canonical(after)).not.toEqual(canonical(base));
    const restored = applyEdits(after, invertEdits(base, edits));
    expect(canonical(restored)).toEqual(canonical(base));
  });

  it('removing a node drops its edges, and the inverse re-adds exactly those', () => {
    const inverse = invertEdits(base, [{ op: 'remove-node', id: 'gray' }]);
    expect(inverse).toEqual([
      { op: 'add-node', node: base.nodes[2] },
      { op: 'add-edge', edge: base.edges[1] },
      { op: 'add-edge', edge: base.edges[2] },
    ]);
  });

  it('redo after undo gives the edited graph again', () => {
    const edits = cases[7][1];
    const after = applyEdits(base, edits);
    const undone = applyEdits(after, invertEdits(base, edits));
    expect(canonical(applyEdits(undone, edits))).toEqual(canonical(after));
  });

  it('edits on unknown ids invert to nothing', () => {
    expect(
      invertEdits(base, [
        { op: 'remove-node', id: 'nope' },
        { op: 'remove-edge', id: 'nope' },
      ]),
    ).toEqual([]);
  });
});

describe('copy and paste', () => {
  it('copies the selected nodes with only the edges between them', () => {
    const clip = copySelection(base, ['resize', 'gray']);
    expect(clip.nodes.map((n) => n.id)).toEqual(['resize', 'gray']);
    expect(clip.edges.map((e) => e.id)).toEqual(['e2']);
  });

  it('pastes with fresh ids, shifted positions and re-pointed edges', () => {
    const clip = copySelection(base, ['resize', 'gray']);
    const taken = new Set<string>();
    const { edits, ids } = pasteEdits(clip, { x: 40, y: 40 }, (b) => {
      const id = freshNodeId(base, b, taken);
      taken.add(id);
      return id;
    });
    expect(ids).toEqual(['resize-1', 'gray-1']);
    const pasted = applyEdits(base, edits);
    expect(pasted.nodes).toHaveLength(6);
    expect(pasted.nodes.find((n) => n.id === 'resize-1')).toMatchObject({
      params: { width: 64 },
      position: { x: 240, y: 40 },
    });
    expect(pasted.edges.filter((e) => e.source === 'resize-1')).toEqual([
      { id: 'resize-1->gray-1:in', source: 'resize-1', target: 'gray-1', targetPort: 'in' },
    ]);
    // The copy's params are its own: editing them leaves the original alone.
    (pasted.nodes.find((n) => n.id === 'resize-1')!.params as { width: number }).width = 1;
    expect(base.nodes[1].params).toEqual({ width: 64 });
  });

  it('freshNodeId skips ids in use', () => {
    const graph = applyEdits(base, [{ op: 'add-node', node: node('resize-1') }]);
    expect(freshNodeId(graph, 'resize')).toBe('resize-2');
    expect(freshNodeId(graph, 'my module!')).toBe('my-module-1');
  });
});
