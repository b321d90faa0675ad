import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GraphEdit } from '../api/graph';
import { ProjectError } from './errors';
import { node, sampleGraph, tempFolder } from './fixtures/sample-graph';
import { ProjectStore } from './project-store';

let tmp: ReturnType<typeof tempFolder>;
let store: ProjectStore;
beforeEach(() => {
  tmp = tempFolder();
  store = ProjectStore.create(join(tmp.dir, 'edits.phiproj'), { graph: sampleGraph() });
});
afterEach(() => {
  store.close();
  tmp.remove();
});

/** The graph as a reopened project sees it: proves the edit was committed to the file. */
function graphOnDisk() {
  store.close();
  store = ProjectStore.open(join(tmp.dir, 'edits.phiproj'));
  return store.graph();
}

describe('each edit', () => {
  it('adds a node and an edge (target port defaults to "in")', () => {
    store.applyEdits([
      { op: 'add-node', node: node('net', { kind: 'network', type: 'network', params: { epochs: 5 } }) },
      { op: 'add-edge', edge: { id: 'e3', source: 'gray', target: 'net' } },
    ]);
    const graph = graphOnDisk();
    expect(graph.nodes.at(-1)).toEqual(
      node('net', { kind: 'network', type: 'network', params: { epochs: 5 } }),
    );
    expect(graph.edges.at(-1)).toEqual({ id: 'e3', source: 'gray', target: 'net', targetPort: 'in' });
  });

  it('moves, relabels and replaces the params of a node', () => {
    store.applyEdits([
      { op: 'move-node', id: 'resize', position: { x: -5.5, y: 12 } },
      { op: 'set-label', id: 'resize', label: 'Resize to 64' },
      { op: 'set-params', id: 'resize', params: { width: 64 } },
    ]);
    expect(graphOnDisk().nodes[1]).toEqual(
      node('resize', { params: { width: 64 }, position: { x: -5.5, y: 12 }, label: 'Resize to 64' }),
    );
  });

  it('removes an edge, and a node together with its edges', () => {
    store.applyEdits([{ op: 'remove-edge', id: 'e2' }]);
    expect(store.graph().edges.map((e) => e.id)).toEqual(['e1']);
    store.applyEdits([{ op: 'remove-node', id: 'dataset' }]);
    const graph = graphOnDisk();
    expect(graph.nodes.map((n) => n.id)).toEqual(['resize', 'gray']);
    expect(graph.edges).toEqual([]);
  });

  it('lets a batch refer to what an earlier edit of it added, and returns the new graph', () => {
    const graph = store.applyEdits([
      { op: 'add-node', node: node('crop') },
      { op: 'add-edge', edge: { id: 'e3', source: 'gray', target: 'crop', targetPort: 'in' } },
      { op: 'set-params', id: 'crop', params: { size: 32 } },
      { op: 'remove-edge', id: 'e3' },
    ]);
    expect(graph).toEqual(graphOnDisk());
    expect(graph.nodes.at(-1)?.params).toEqual({ size: 32 });
    expect(graph.edges.map((e) => e.id)).toEqual(['e1', 'e2']);
  });
});

describe('a failing edit leaves the whole batch unapplied', () => {
  const good: GraphEdit[] = [
    { op: 'add-node', node: node('crop') },
    { op: 'set-params', id: 'resize', params: { width: 1 } },
    { op: 'remove-edge', id: 'e1' },
  ];
  const cases: [string, GraphEdit | Record<string, unknown>, RegExp][] = [
    [
      'missing node',
      { op: 'set-params', id: 'ghost', params: {} },
      /edit 4 \(set-params\): there is no node with id "ghost"/,
    ],
    [
      'missing node to move',
      { op: 'move-node', id: 'ghost', position: { x: 0, y: 0 } },
      /no node with id "ghost"/,
    ],
    ['missing node to remove', { op: 'remove-node', id: 'ghost' }, /no node with id "ghost"/],
    ['missing node to label', { op: 'set-label', id: 'ghost', label: 'x' }, /no node with id "ghost"/],
    [
      'missing edge',
      { op: 'remove-edge', id: 'e9' },
      /edit 4 \(remove-edge\): there is no edge with id "e9"/,
    ],
    ['duplicate node id', { op: 'add-node', node: node('gray') }, /a node with id "gray" already exists/],
    [
      'node id added earlier in the batch',
      { op: 'add-node', node: node('crop') },
      /a node with id "crop" already exists/,
    ],
    [
      'duplicate edge id',
      { op: 'add-edge', edge: { id: 'e2', source: 'dataset', target: 'gray', targetPort: 'in' } },
      /an edge with id "e2" already exists/,
    ],
    [
      'edge to a missing node',
      { op: 'add-edge', edge: { id: 'e9', source: 'gray', target: 'ghost', targetPort: 'in' } },
      /edge "e9" names node "ghost", which does not exist/,
    ],
    ['malformed edit', { op: 'add-node', node: { id: 'x' } }, /edit 4 is malformed: node.kind/],
    ['unknown op', { op: 'explode', id: 'x' }, /edit 4 is malformed/],
  ];

  it.each(cases)('%s', (_name, bad, message) => {
    const before = store.graph();
    let error: unknown;
    try {
      store.applyEdits([...good, bad as GraphEdit]);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ProjectError);
    expect((error as ProjectError).code).toBe('invalid-edit');
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain(store.path);
    expect(graphOnDisk()).toEqual(before);
  });

  it('replaceGraph refuses a graph with a dangling edge and keeps the old one', () => {
    const before = store.graph();
    const bad = sampleGraph();
    bad.nodes = bad.nodes.filter((n) => n.id !== 'gray');
    expect(() => store.replaceGraph(bad)).toThrow(/edge "e2" connects node "gray", which does not exist/);
    expect(() => store.replaceGraph({ nodes: [{ id: '' }], edges: [] } as never)).toThrow(
      /node number 1: id/,
    );
    expect(graphOnDisk()).toEqual(before);
  });

  it('replaceGraph swaps the whole graph', () => {
    const next = {
      nodes: [node('a'), node('b')],
      edges: [{ id: 'x', source: 'a', target: 'b', targetPort: 'mask' }],
    };
    store.replaceGraph(next);
    expect(graphOnDisk()).toEqual(next);
  });
});
