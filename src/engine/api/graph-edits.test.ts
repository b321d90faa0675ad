/**
 * The rule of graph edits the store and the workbench's mirror share: edits
 * that name what is not there or take an id in use are refused, naming the
 * edit; and Undo sends the inverse of a batch as an ordinary edit: for every
 * kind of edit, applying the batch and then its inverse gives back the graph
 * exactly (nodes, params, positions and the edges a removed node took along).
 */
import { describe, expect, it } from 'vitest';
import type { Graph, GraphEdit, GraphNode } from './graph';
import { applyGraphEdits as applyEdits, invertGraphEdits as invertEdits } from './graph-edits';

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
];

describe('invertGraphEdits', () => {
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
});

describe('applyGraphEdits', () => {
  it.each([
    [
      'a taken node id',
      { op: 'add-node', node: node('blur', 900) },
      /^edit 2 \(add-node\): a node with id "blur" already exists$/,
    ],
    [
      'an unknown node',
      { op: 'move-node', id: 'nope', position: { x: 0, y: 0 } },
      /^edit 2 \(move-node\): there is no node with id "nope"$/,
    ],
    [
      'an unknown edge',
      { op: 'remove-edge', id: 'nope' },
      /^edit 2 \(remove-edge\): there is no edge with id "nope"$/,
    ],
    [
      'an edge to a missing node',
      { op: 'add-edge', edge: { id: 'e9', source: 'ds', target: 'ghost', targetPort: 'in' } },
      /^edit 2 \(add-edge\): edge "e9" names node "ghost", which does not exist$/,
    ],
    [
      'a taken edge id',
      { op: 'add-edge', edge: { id: 'e1', source: 'ds', target: 'blur', targetPort: 'in' } },
      /an edge with id "e1" already exists/,
    ],
  ] as [string, GraphEdit, RegExp][])(
    'refuses %s, naming the edit, and leaves the graph as it was',
    (_name, bad, reason) => {
      const batch: GraphEdit[] = [{ op: 'move-node', id: 'ds', position: { x: 9, y: 9 } }, bad];
      expect(() => applyEdits(base, batch)).toThrow(reason);
      expect(base.nodes[0].position).toEqual({ x: 0, y: 0 });
    },
  );
});
