/**
 * The spine end to end: real PNG datasets decoded by sharp, real modules, a
 * real .phiproj SQLite file and the on-disk cache. Asserts, for each run mode,
 * exactly which nodes ran and which came from cache (like ComfyUI's did_run).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBuiltinRegistry } from './builtin-registry';
import { Engine } from './engine';
import { EventLog, GraphBuilder, tempDir, writeClassFolders } from '../test-support/pipeline';
import { ProjectStore } from '../store/project-store';
import type { Graph } from '../api';

const registry = createBuiltinRegistry();

let dir: string;
let engine: Engine;
let log: EventLog;

beforeEach(() => {
  dir = tempDir();
  engine = new Engine({ cacheDir: join(dir, 'cache'), registry });
  log = new EventLog();
  engine.onDidEmit(log.listener);
});

afterEach(() => {
  engine.closeProject();
  rmSync(dir, { recursive: true, force: true });
});

/** Dataset -> resize -> grayscale on a generated RGB class-folder dataset. */
async function openPipeline(
  graph?: Graph,
  classes: Record<string, number> = { cyst: 6, tumor: 4 },
): Promise<string> {
  await writeClassFolders(join(dir, 'data'), { classes, size: [40, 30], channels: 3 });
  const path = join(dir, 'study.phiproj');
  const store = ProjectStore.create(path, {
    graph:
      graph ??
      new GraphBuilder(registry)
        .chain(
          ['data', 'dataset', { path: 'data', splitByPatient: false }],
          ['resize', 'resize', { width: 16, height: 16, interpolation: 'bilinear' }],
          ['gray', 'color-to-grayscale', {}],
        )
        .build(),
  });
  store.close();
  await engine.openProject({ path });
  return path;
}

describe('run modes', () => {
  it('run all computes every node, then serves all from cache', async () => {
    await openPipeline();
    const first = await engine.run({ mode: 'all' });
    expect(first.status).toBe('done');
    expect(first.ran).toEqual(['data', 'resize', 'gray']);
    expect(first.cached).toEqual([]);

    const second = await engine.run({ mode: 'all' });
    expect(second.ran).toEqual([]);
    expect(second.cached).toEqual(['data', 'resize', 'gray']);

    const shapes = log.of('shape').filter((e) => e.node === 'gray');
    expect(shapes.at(-1)).toMatchObject({
      shape: [16, 16, 1],
      colorMode: 'grayscale',
      dtype: 'uint8',
      count: 10,
    });
    const files = await engine.listFiles({ node: 'gray' });
    expect(files.total).toBe(10);
    const summary = await engine.getDatasetSummary({ node: 'data' });
    expect(summary.classes).toEqual(['cyst', 'tumor']);
    expect(summary.perClass.map((c) => [c.class, c.total])).toEqual([
      ['cyst', 6],
      ['tumor', 4],
    ]);
    expect(files.items[0]).toMatchObject({
      shape: [16, 16, 1],
      colorMode: 'grayscale',
      dtype: 'uint8',
      state: 'done',
    });
    // Regression (UI report): rows after a module showed class indices instead of names.
    expect(new Set(files.items.map((i) => i.label))).toEqual(new Set(['cyst', 'tumor']));
  });

  it('one parameter change re-runs only that node and what follows', async () => {
    await openPipeline();
    await engine.run({ mode: 'all' });
    const delta = await engine.editGraph({
      edits: [{ op: 'set-params', id: 'resize', params: { width: 8, height: 8, interpolation: 'bilinear' } }],
    });
    expect(delta.status.resize.state).toBe('stale');
    expect(delta.status.gray.state).toBe('stale');
    expect((await engine.getProject())?.status.data.state).toBe('done');

    const result = await engine.run({ mode: 'all' });
    expect(result.cached).toEqual(['data']);
    expect(result.ran).toEqual(['resize', 'gray']);
    expect((await engine.listFiles({ node: 'gray' })).items[0].shape).toEqual([8, 8, 1]);
  });

  it('run module works from cached upstream outputs, and says what to run when they are missing', async () => {
    await openPipeline();
    const missing = await engine.run({ mode: 'node', node: 'gray' });
    expect(missing.status).toBe('failed');
    expect(missing.errors[0].message).toMatch(/output of "resize" is not cached.*run it first/);

    await engine.run({ mode: 'all' });
    await engine.editGraph({
      edits: [
        { op: 'set-params', id: 'resize', params: { width: 12, height: 12, interpolation: 'nearest' } },
      ],
    });
    const resizeOnly = await engine.run({ mode: 'node', node: 'resize' });
    expect(resizeOnly.ran).toEqual(['resize']);
    expect(resizeOnly.cached).toEqual([]);
    const snapshot = await engine.getProject();
    expect(snapshot?.status.gray.state).toBe('stale');
  });

  it('step forward runs the node and everything after it', async () => {
    await openPipeline();
    await engine.run({ mode: 'all' });
    await engine.editGraph({
      edits: [{ op: 'set-params', id: 'resize', params: { width: 10, height: 10, interpolation: 'area' } }],
    });
    const result = await engine.run({ mode: 'step-forward', node: 'resize' });
    expect(log.of('run-started').at(-1)?.nodes).toEqual(['resize', 'gray']);
    expect(result.ran).toEqual(['resize', 'gray']);
  });

  it('sample run takes a deterministic label-stratified subset, reused by a later full run', async () => {
    await openPipeline(undefined, { cyst: 12, tumor: 8 });
    const sample = await engine.run({ mode: 'sample', sample: { count: 5 } });
    expect(sample.status).toBe('done');
    const files = await engine.listFiles({ node: 'data', limit: 100 });
    expect(files.total).toBe(5);
    const labels = files.items.map((i) => i.label);
    // An item outside the sample is not "missing output": the message says it was not in the sample.
    const outside = ['cyst/cyst-0.png', 'cyst/cyst-1.png', 'cyst/cyst-2.png'].find(
      (id) => !files.items.some((i) => i.id === id),
    ) as string;
    await expect(engine.getImage({ node: 'gray', sampleId: outside, size: 64 })).rejects.toThrow(
      /was not in the last run of "gray", a sample of 5 items: run all to see it/,
    );
    expect(labels.filter((l) => l === 'cyst').length).toBeGreaterThanOrEqual(2);
    expect(labels.filter((l) => l === 'tumor').length).toBeGreaterThanOrEqual(1);

    const again = await engine.run({ mode: 'sample', sample: { count: 5 } });
    expect(again.cached).toEqual(['data', 'resize', 'gray']);
    expect((await engine.listFiles({ node: 'data', limit: 100 })).items.map((i) => i.id)).toEqual(
      files.items.map((i) => i.id),
    );

    const percent = await engine.run({ mode: 'sample', sample: { percent: 50 } });
    expect(percent.status).toBe('done');
    expect((await engine.listFiles({ node: 'gray' })).total).toBe(10);
    // Run on one module after a Sample RUN works on that sample, and says so.
    log.clear();
    const single = await engine.run({ mode: 'node', node: 'gray' });
    expect(single.status).toBe('done');
    expect(
      log
        .of('log')
        .some(
          (e) =>
            e.node === 'gray' && /Runs on the sample its input "resize" holds \(10 items\)/.test(e.message),
        ),
    ).toBe(true);
    expect((await engine.getProject())?.status.gray).toMatchObject({
      state: 'done',
      count: 10,
      sample: true,
    });
    // Sample outputs say they are a sample's; a full run's do not.
    expect((await engine.getProject())?.status.gray).toMatchObject({
      state: 'done',
      count: 10,
      sample: true,
    });
    await engine.run({ mode: 'all' });
    expect((await engine.getProject())?.status.gray).toMatchObject({ state: 'done', count: 20 });
    expect((await engine.getProject())?.status.gray.sample).toBeUndefined();
  });
});

describe('shape summary and faults', () => {
  it('shows None on axes whose size differs between items', async () => {
    await writeClassFolders(join(dir, 'mixed'), {
      classes: { a: 2, b: 2 },
      size: (i) => [20 + i, 16],
      channels: 1,
    });
    const path = join(dir, 'mixed.phiproj');
    ProjectStore.create(path, {
      graph: new GraphBuilder(registry)
        .chain(['data', 'dataset', { path: 'mixed', splitByPatient: false }], ['gray', 'color-to-grayscale'])
        .build(),
    }).close();
    await engine.openProject({ path });
    await engine.run({ mode: 'all' });
    expect(log.of('shape').find((e) => e.node === 'gray')?.shape).toEqual([16, null, 1]);
  });

  it('a corrupt PNG fails that file only, naming it; the rest goes on', async () => {
    await openPipeline();
    writeFileSync(join(dir, 'data', 'cyst', 'broken.png'), Buffer.from('\x89PNG\r\n\x1a\nthis is not a png'));
    log.clear();
    await engine.run({ mode: 'all' });
    // Told once in the run's log, and listed with its reason among the dataset's files.
    const told = log.of('log').filter((e) => e.level === 'warn' && e.message.includes('broken.png'));
    expect(told).toHaveLength(1);
    const rows = await engine.listFiles({ node: 'data', filter: 'broken' });
    expect(rows.items).toMatchObject([
      { id: 'cyst/broken.png', state: 'skipped', error: expect.stringMatching(/PNG/) },
    ]);
    expect((await engine.listFiles({ node: 'gray' })).total).toBe(10);
  });

  it('items that fail to load make their node Failed with the count, while the rest goes on', async () => {
    await openPipeline();
    // A whole header but cut pixel data: indexed fine, fails when decoded.
    const good = readFileSync(join(dir, 'data', 'cyst', 'cyst-0.png'));
    writeFileSync(join(dir, 'data', 'cyst', 'cut.png'), good.subarray(0, good.length - 40));
    log.clear();
    const result = await engine.run({ mode: 'all' });
    const states = log.of('node-state').filter((e) => e.node === 'data' && e.state !== 'queued');
    expect(states.at(-1)).toMatchObject({
      state: 'failed',
      message: expect.stringMatching(/^1 of 11 items failed \(first: cyst\/cut\.png: /),
    });
    expect(result.errors.some((e) => e.file === 'cyst/cut.png')).toBe(true);
    expect((await engine.listFiles({ node: 'gray' })).total).toBe(10);
    // The snapshot says the same after the run, and the node's good items can still be listed.
    const snapshot = await engine.getProject();
    expect(snapshot?.status.data).toMatchObject({ state: 'failed', count: 10 });
    expect(snapshot?.status.gray).toMatchObject({ state: 'done', count: 10 });
  });

  it('a missing dataset folder fails its node with the folder named, and nothing downstream runs', async () => {
    const path = join(dir, 'lost.phiproj');
    ProjectStore.create(path, {
      graph: new GraphBuilder(registry)
        .chain(['data', 'dataset', { path: 'nowhere' }], ['gray', 'color-to-grayscale'])
        .build(),
    }).close();
    await engine.openProject({ path });
    const result = await engine.run({ mode: 'all' });
    expect(result.status).toBe('failed');
    expect(result.errors.find((e) => e.node === 'data')?.message).toMatch(/nowhere/);
    expect(result.ran).toEqual([]);
  });

  it('an unknown module and a cycle are reported by node, while another branch still runs', async () => {
    const graph = new GraphBuilder(registry)
      .chain(['data', 'dataset', { path: 'data', splitByPatient: false }], ['good', 'color-to-grayscale'])
      .build();
    graph.nodes.push({
      id: 'mystery',
      kind: 'module',
      type: 'no-such-module',
      version: 1,
      params: {},
      position: { x: 0, y: 200 },
    });
    graph.edges.push({ id: 'e-m', source: 'data', target: 'mystery', targetPort: 'in' });
    await openPipeline(graph);
    const result = await engine.run({ mode: 'all' });
    expect(result.errors.find((e) => e.node === 'mystery')?.message).toMatch(
      /Unknown module "no-such-module"/,
    );
    expect(result.ran).toEqual(['data', 'good']);

    const cyclic = await engine.getProject();
    expect(cyclic).not.toBeNull();
    await expect(
      engine.editGraph({
        edits: [
          { op: 'remove-node', id: 'mystery' },
          {
            op: 'add-node',
            node: {
              id: 'r2',
              kind: 'module',
              type: 'resize',
              version: 1,
              params: {},
              position: { x: 400, y: 0 },
            },
          },
          { op: 'add-edge', edge: { id: 'g-r2', source: 'good', target: 'r2', targetPort: 'in' } },
          { op: 'remove-edge', id: 'data->good:in' },
        ],
      }),
    ).resolves.toBeDefined();
    expect((await engine.checkConnection({ source: 'r2', target: 'good' })).reason).toMatch(/cycle/);
  });

  it('cancel mid-run leaves every node in a true state', async () => {
    await openPipeline(undefined, { a: 30, b: 30 });
    let cancelled = false;
    engine.onDidEmit((event) => {
      if (!cancelled && event.type === 'progress' && event.node === 'resize' && event.done >= 5) {
        cancelled = true;
        void engine.cancel({});
      }
    });
    const result = await engine.run({ mode: 'all' });
    expect(result.status).toBe('cancelled');
    const snapshot = await engine.getProject();
    expect(snapshot?.status.data.state).toBe('done');
    expect(snapshot?.status.resize.state).toBe('idle');
    expect(snapshot?.status.gray.state).toBe('idle');
    expect(snapshot?.running).toBe(false);

    // Items finished before the cancel are cached and not recomputed.
    const resumed = await engine.run({ mode: 'all' });
    expect(resumed.status).toBe('done');
    expect(resumed.cached).toEqual(['data']);
  });
});
