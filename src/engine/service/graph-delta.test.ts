/**
 * Edits are answered with what changed: a real engine over a real .phiproj
 * and PNG dataset, a run, then edits. The answer holds the edited node and the
 * states downstream of it only; a front end that applies it to its copy of the
 * graph gets the engine's graph; the graph is read from SQLite once per edit,
 * and again only when the project file changed.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { applyGraphChange, type EngineApi, type Graph } from '../api';
import { ProjectStore } from '../store/project-store';
import { GraphBuilder, tempDir, writeClassFolders } from '../test-support/pipeline';
import { createBuiltinRegistry } from './builtin-registry';
import { dispatch } from './dispatch';
import { Engine } from './engine';

const registry = createBuiltinRegistry();
const dir = tempDir('phi-delta-');
const engine = new Engine({ cacheDir: join(dir, 'cache'), registry });

/** data -> resize -> gray, and a side branch data -> flip. */
beforeAll(async () => {
  await writeClassFolders(join(dir, 'scans'), { classes: { a: 4, b: 4 }, size: [24, 24] });
  const path = join(dir, 'p.phiproj');
  ProjectStore.create(path, {
    graph: new GraphBuilder(registry)
      .chain(
        ['data', 'dataset', { path: 'scans', splitByPatient: false }],
        ['resize', 'resize', { width: 16, height: 16, interpolation: 'bilinear' }],
        ['gray', 'color-to-grayscale', {}],
      )
      .node('flip', 'flip', {})
      .edge('data', 'flip')
      .build(),
  }).close();
  await engine.openProject({ path });
  expect((await engine.run({ mode: 'all' })).status).toBe('done');
});

afterAll(() => {
  engine.closeProject();
  rmSync(dir, { recursive: true, force: true });
});

it('answers a parameter edit with the node and the states downstream of it, nothing else', async () => {
  const mirror = (await engine.getProject())!.graph;
  const delta = await engine.editGraph({ edits: [{ op: 'set-params', id: 'resize', params: { width: 8 } }] });
  expect(delta.nodes.map((n) => n.id)).toEqual(['resize']);
  expect(delta.nodes[0].params).toMatchObject({ width: 8, height: 16 });
  expect(delta).toMatchObject({ removedNodes: [], edges: [], removedEdges: [], running: false });
  expect(Object.keys(delta.status).sort()).toEqual(['gray', 'resize']);
  expect(delta.status.resize.state).toBe('stale');
  expect(delta.status.gray.state).toBe('stale');
  // The upstream node and the side branch were not sent, and are still done.
  const after = (await engine.getProject())!;
  expect([after.status.data.state, after.status.flip.state]).toEqual(['done', 'done']);
  // A front end's copy with the change applied is the engine's graph.
  expect(applyGraphChange(mirror, delta)).toEqual(after.graph);
});

it('answers a move with the node and no states, and a removal with the ids gone', async () => {
  const mirror = (await engine.getProject())!.graph;
  const moved = await engine.editGraph({
    edits: [{ op: 'move-node', id: 'flip', position: { x: 5, y: 7 } }],
  });
  expect(moved.nodes.map((n) => [n.id, n.position])).toEqual([['flip', { x: 5, y: 7 }]]);
  expect(moved.status).toEqual({});
  const removed = await engine.editGraph({ edits: [{ op: 'remove-node', id: 'flip' }] });
  expect(removed).toMatchObject({ nodes: [], removedNodes: ['flip'], removedEdges: ['data->flip:in'] });
  expect(removed.status).toEqual({});
  const graph: Graph = (await engine.getProject())!.graph;
  expect(applyGraphChange(applyGraphChange(mirror, moved), removed)).toEqual(graph);
});

it('answers a new edge with the states from its target down', async () => {
  const delta = await engine.editGraph({
    edits: [
      { op: 'remove-edge', id: 'resize->gray:in' },
      { op: 'add-edge', edge: { id: 'data->gray:in', source: 'data', target: 'gray' } },
    ],
  });
  expect(delta.removedEdges).toEqual(['resize->gray:in']);
  expect(delta.edges.map((e) => e.id)).toEqual(['data->gray:in']);
  expect(Object.keys(delta.status)).toEqual(['gray']);
});

it('reads the graph from the project file once per edit', async () => {
  const reads = vi.spyOn(ProjectStore.prototype, 'graph');
  try {
    await engine.editGraph({ edits: [{ op: 'set-params', id: 'resize', params: { height: 12 } }] });
    expect(reads).toHaveBeenCalledTimes(1);
    reads.mockClear();
    // Through the wire's dispatch, whose result check passes the delta as it is.
    const delta = (await dispatch(engine, 'editGraph', {
      edits: [{ op: 'set-label', id: 'resize', label: 'Small' }],
    })) as Awaited<ReturnType<EngineApi['editGraph']>>;
    expect(delta.nodes.map((n) => n.label)).toEqual(['Small']);
    expect(reads).toHaveBeenCalledTimes(1);
  } finally {
    reads.mockRestore();
  }
});

it('holds the graph in memory, but sees what another process wrote to the project file', async () => {
  const reads = vi.spyOn(ProjectStore.prototype, 'graph');
  try {
    await engine.getProject();
    await engine.getProject();
    expect(reads).toHaveBeenCalledTimes(0);
    // Another process (phi tune applying a trial, say) edits the same file.
    const other = ProjectStore.open(join(dir, 'p.phiproj'));
    other.applyEdits([{ op: 'set-label', id: 'gray', label: 'Written elsewhere' }]);
    other.close();
    reads.mockClear();
    const seen = (await engine.getProject())!.graph.nodes.find((n) => n.id === 'gray');
    expect(seen?.label).toBe('Written elsewhere');
    expect(reads).toHaveBeenCalledTimes(1);
  } finally {
    reads.mockRestore();
  }
});

it('refuses to pass on an answer that does not fit its schema', async () => {
  // An engine whose project answer lost its graph: the check names the method and the field.
  const broken = {
    getProject: async () => ({ path: 'p', name: 'p', issues: [], status: {}, running: false }),
  };
  await expect(dispatch(broken as unknown as EngineApi, 'getProject', {})).rejects.toThrow(
    /^The engine's answer to getProject is malformed: graph: /,
  );
});
