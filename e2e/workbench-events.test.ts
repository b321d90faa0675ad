/**
 * How the workbench reduces engine events, over a real engine and wire connection:
 * node states and overall progress of a run, a repeat's seeds and a tuning
 * trial's training kept apart from the node, another front end's edit, the run's
 * end. Events are fed as the engine sends them, in orders a real run produces.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent, EpochMetrics, GraphNode } from '../src/engine/api';
import { Engine } from '../src/engine/service/engine';
import { tempDir } from '../src/engine/test-support/pipeline';
import type { Workbench } from '../src/renderer/stores/workbench';
import { openGrayPipelineProject } from './support/gray-pipeline-project';
import { inProcessWorkbench } from './support/in-process-workbench';

const dir = tempDir('phi-events-');
const engine = new Engine({ cacheDir: join(dir, 'cache') });
let wb: Workbench;
let close: () => void;

beforeAll(async () => {
  await openGrayPipelineProject(engine, dir);
  ({ workbench: wb, close } = inProcessWorkbench(engine));
  await wb.start();
});

afterAll(() => {
  close();
  engine.closeProject();
  rmSync(dir, { recursive: true, force: true });
});

const feed = (...events: EngineEvent[]) => events.forEach((event) => wb.handleEvent(event));
const metrics = { loss: 0.5 } as EpochMetrics;

describe('engine events in the workbench', () => {
  it('follows a run: queued nodes, per-node progress, the overall fraction, the end', () => {
    const serial = wb.runSerial;
    feed({ type: 'run-started', runId: 'r1', mode: 'all', nodes: ['data', 'resize', 'gray'] });
    expect(wb.run?.runId).toBe('r1');
    expect(wb.running).toBe(true);
    expect(['data', 'resize', 'gray'].map((id) => wb.status.get(id)?.state)).toEqual([
      'queued',
      'queued',
      'queued',
    ]);
    expect(wb.runBlockedReason).toBe('A run is in progress: wait for it or cancel it');
    expect(wb.runProgress).toBe(0);
    feed(
      { type: 'node-state', node: 'data', state: 'done' },
      { type: 'node-state', node: 'resize', state: 'running' },
      { type: 'progress', node: 'resize', done: 4, total: 8 },
    );
    expect(wb.status.get('resize')).toMatchObject({ state: 'running', done: 4, total: 8 });
    expect(wb.runProgress).toBeCloseTo((1 + 0.5) / 3, 10);
    feed(
      { type: 'shape', node: 'resize', shape: [null, 16, 16, 3], colorMode: 'rgb', dtype: 'uint8', count: 8 },
      { type: 'node-state', node: 'resize', state: 'done' },
      { type: 'node-state', node: 'gray', state: 'failed', message: 'no pixels' },
    );
    expect(wb.status.get('resize')).toMatchObject({
      state: 'done',
      shape: [null, 16, 16, 3],
      count: 8,
      sample: false,
    });
    expect(wb.runProgress).toBe(1);
    feed({ type: 'run-finished', runId: 'r1', status: 'failed', seconds: 1.25 });
    expect(wb.run).toBeNull();
    expect(wb.running).toBe(false);
    expect(wb.runProgress).toBeNull();
    expect(wb.runSerial).toBe(serial + 1);
    expect(wb.logs.lines.at(-1)).toMatchObject({ level: 'error', message: 'Run failed in 1.3 s' });
  });

  it("counts a repeat's seeds without touching the node's own state or curves", () => {
    wb.nodeStates.patch('gray', { state: 'done', message: undefined });
    const gray = wb.status.get('gray');
    feed({ type: 'run-started', runId: 'r2', mode: 'repeat', seeds: 4, nodes: ['gray'] });
    expect(wb.status.get('gray')?.state).toBe('done');
    feed(
      { type: 'progress', node: 'gray', done: 1, total: 2, trial: 'seed-1' },
      { type: 'epoch', node: 'gray', epoch: 2, split: 'train', metrics, trial: 'seed-1' },
    );
    expect(wb.run?.repeat).toEqual({ seeds: 4, trained: 0, epoch: 2 });
    expect(wb.status.get('gray')).toBe(gray);
    expect(wb.metrics.of('gray').rows).toEqual([]);
    feed({
      type: 'evaluation',
      node: 'gray',
      split: 'test',
      metrics,
      confusion: [],
      items: 2,
      classes: ['a', 'b'],
      trial: 'seed-1',
    });
    expect(wb.run?.repeat).toEqual({ seeds: 4, trained: 1 });
    expect(wb.runProgress).toBe(0.25);
    expect(wb.runBlockedReason).toBe('gray is being trained with several seeds: wait for it or cancel it');
    feed({ type: 'run-finished', runId: 'r2', status: 'cancelled', seconds: 3 });
    expect(wb.toasts.at(-1)).toMatchObject({ kind: 'info', message: 'Run cancelled' });
    // The node's own training draws its curve.
    feed({ type: 'epoch', node: 'gray', epoch: 1, split: 'train', metrics });
    expect(wb.metrics.of('gray').rows).toEqual([{ epoch: 1, train: metrics }]);
  });

  it("applies another front end's edit and marks results after it out of date", () => {
    wb.nodeStates.patch('gray', { state: 'done' });
    wb.nodeStates.patch('resize', { state: 'done' });
    const resize = wb.graph.nodes.find((n) => n.id === 'resize') as GraphNode;
    const changed = { ...resize, params: { ...resize.params, width: 12 } };
    feed({
      type: 'graph-changed',
      staleNodes: ['resize', 'gray'],
      change: { nodes: [changed], removedNodes: [], edges: [], removedEdges: [] },
    });
    expect(wb.graph.nodes.find((n) => n.id === 'resize')?.params.width).toBe(12);
    expect([wb.status.get('resize')?.state, wb.status.get('gray')?.state]).toEqual(['stale', 'stale']);
    feed({
      type: 'graph-changed',
      staleNodes: [],
      change: { nodes: [], removedNodes: ['gray'], edges: [], removedEdges: ['resize->gray'] },
    });
    expect(wb.graph.nodes.map((n) => n.id)).toEqual(['data', 'resize']);
    expect(wb.status.has('gray')).toBe(false);
  });

  it("keeps this window's edits ahead of another front end's change while they are on their way", async () => {
    const data = wb.graph.nodes.find((n) => n.id === 'data') as GraphNode;
    const sent = wb.edit([{ op: 'move-node', id: 'resize', position: { x: 500, y: 40 } }], 'Move node');
    // Applied at once, before the engine answers.
    expect(wb.graph.nodes.find((n) => n.id === 'resize')?.position).toEqual({ x: 500, y: 40 });
    feed({
      type: 'graph-changed',
      staleNodes: [],
      change: {
        nodes: [{ ...data, position: { x: -70, y: 0 } }],
        removedNodes: [],
        edges: [],
        removedEdges: [],
      },
    });
    expect(wb.graph.nodes.find((n) => n.id === 'data')?.position).toEqual(data.position);
    await sent;
    // The engine's answer is the truth again: this window's move, no phantom change.
    expect(wb.graph.nodes.find((n) => n.id === 'resize')?.position).toEqual({ x: 500, y: 40 });
    expect(wb.graph.nodes.find((n) => n.id === 'data')?.position).toEqual(data.position);
    expect(wb.canUndo).toBe(true);
    expect(wb.undoLabel).toBe('Move node');
  });

  it('counts file-state changes per node and follows the backend in use', () => {
    const before = wb.filesVersion.get('resize') ?? 0;
    feed(
      { type: 'file-state', node: 'resize', items: [] },
      {
        type: 'backend',
        name: 'cpu',
      },
    );
    expect(wb.filesVersion.get('resize')).toBe(before + 1);
    expect(wb.backend).toBe('cpu');
  });
});
