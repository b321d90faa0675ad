/** The canvas selection over a graph: toggling, unchanged replacements, what the panels show. */
import { observable, reaction, runInAction } from 'mobx';
import { describe, expect, it } from 'vitest';
import type { Graph, GraphNode } from '../../engine/api';
import { SelectionStore } from './selection';

const node = (id: string, x = 0): GraphNode => ({
  id,
  kind: id === 'data' ? 'dataset' : 'module',
  type: id,
  version: 1,
  params: {},
  position: { x, y: 0 },
});

const pipeline: Graph = {
  nodes: [node('data'), node('mask'), node('resize'), node('gray')],
  edges: [
    { id: 'e1', source: 'data', target: 'resize', targetPort: 'in' },
    { id: 'e2', source: 'mask', target: 'resize', targetPort: 'mask' },
    { id: 'e3', source: 'resize', target: 'gray', targetPort: 'in' },
  ],
};

function storeOver(graph: Graph) {
  const box = observable.box(graph, { deep: false });
  return { box, store: new SelectionStore(() => box.get()) };
}

describe('SelectionStore', () => {
  it('selects one node, or toggles it when additive', () => {
    const { store } = storeOver(pipeline);
    store.select('resize');
    store.select('gray', true);
    expect([...store.nodes]).toEqual(['resize', 'gray']);
    store.select('resize', true);
    expect([...store.nodes]).toEqual(['gray']);
    store.select('data');
    expect([...store.nodes]).toEqual(['data']);
  });

  it('does not notify when the same nodes are selected again', () => {
    const { store } = storeOver(pipeline);
    store.setNodes(['resize', 'gray']);
    let changes = 0;
    const stop = reaction(
      () => [...store.nodes].join(),
      () => changes++,
    );
    store.setNodes(['gray', 'resize']);
    expect(changes).toBe(0);
    store.setNodes(['gray']);
    expect(changes).toBe(1);
    stop();
  });

  it('shows the single selected node and the nodes feeding it, none for several', () => {
    const { store } = storeOver(pipeline);
    store.setNodes(['resize']);
    expect(store.selectedNode?.id).toBe('resize');
    expect(store.nodesShown).toEqual(['resize', 'data', 'mask']);
    store.setNodes(['resize', 'gray']);
    expect(store.selectedNode).toBeUndefined();
    expect(store.nodesShown).toEqual([]);
  });

  it("keeps the sole selected node's toolbar unchanged while the node moves", () => {
    const { box, store } = storeOver(pipeline);
    store.setNodes(['resize']);
    let changes = 0;
    const stop = reaction(
      () => store.soleSelectedNode,
      () => changes++,
    );
    const moved = {
      ...pipeline,
      nodes: pipeline.nodes.map((n) => (n.id === 'resize' ? node('resize', 300) : n)),
    };
    runInAction(() => box.set(moved));
    expect(store.selectedNode?.position.x).toBe(300);
    expect(changes).toBe(0);
    store.setNodes(['gray']);
    expect(store.soleSelectedNode).toEqual({ id: 'gray', kind: 'module' });
    expect(changes).toBe(1);
    stop();
  });

  it('drops selected nodes the graph lost', () => {
    const { box, store } = storeOver(pipeline);
    store.setNodes(['resize', 'gray']);
    runInAction(() => box.set({ ...pipeline, nodes: pipeline.nodes.filter((n) => n.id !== 'gray') }));
    store.keepExisting();
    expect([...store.nodes]).toEqual(['resize']);
  });
});
