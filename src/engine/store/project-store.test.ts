import Database from 'better-sqlite3';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProjectError } from './errors';
import { node, sampleGraph, tempFolder } from './fixtures/sample-graph';
import { ProjectStore } from './project-store';
import { PHI_APPLICATION_ID } from './schema';

let tmp: ReturnType<typeof tempFolder>;
let open: ProjectStore[];
beforeEach(() => {
  tmp = tempFolder();
  open = [];
});
afterEach(() => {
  open.forEach((store) => store.close());
  tmp.remove();
});

/** Creates (and remembers for cleanup) a project with the sample graph. */
function create(file = 'study.phiproj', name?: string): ProjectStore {
  const store = ProjectStore.create(join(tmp.dir, file), { name, graph: sampleGraph() });
  open.push(store);
  return store;
}

function reopen(store: ProjectStore): ProjectStore {
  store.close();
  const again = ProjectStore.open(store.path);
  open.push(again);
  return again;
}

describe('create and open', () => {
  it('round-trips the graph, paths and title through a real file', () => {
    const store = create('sub/dir/study.phiproj', 'Lung nodules');
    expect(store.path).toBe(join(tmp.dir, 'sub/dir/study.phiproj'));
    expect(store.dir).toBe(join(tmp.dir, 'sub/dir'));
    expect(store.name).toBe('study');
    expect(store.title).toBe('Lung nodules');
    expect(store.artifactsDir).toBe(join(tmp.dir, 'sub/dir/study.phidata'));
    // The artifacts folder is made only when something is stored in it.
    expect(existsSync(store.artifactsDir)).toBe(false);

    const again = reopen(store);
    expect(again.graph()).toEqual(sampleGraph());
    expect(again.title).toBe('Lung nodules');
  });

  it('writes a real SQLite file in WAL mode with the Phi application id and foreign keys on', () => {
    const store = create();
    store.close();
    const header = readFileSync(store.path).subarray(0, 16).toString('latin1');
    expect(header).toBe('SQLite format 3\u0000');
    const raw = new Database(store.path, { readonly: true });
    try {
      expect(raw.pragma('application_id', { simple: true })).toBe(PHI_APPLICATION_ID);
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(raw.pragma('user_version', { simple: true })).toBe(5);
      // No pixels: the file of a small project stays small.
      expect(statSync(store.path).size).toBeLessThan(200_000);
    } finally {
      raw.close();
    }
    const again = ProjectStore.open(store.path);
    open.push(again);
    // Foreign keys on: removing a node removes its edges through ON DELETE CASCADE.
    expect(again.applyEdits([{ op: 'remove-node', id: 'resize' }]).edges).toEqual([]);
  });

  it('uses the file name as title when none is given', () => {
    expect(create('chest.phiproj').title).toBe('chest');
  });

  it('refuses to create over an existing file and leaves it untouched', () => {
    const path = join(tmp.dir, 'notes.phiproj');
    writeFileSync(path, 'my notes');
    expect(() => ProjectStore.create(path, { graph: sampleGraph() })).toThrow(/already exists/);
    expect(readFileSync(path, 'utf8')).toBe('my notes');
  });

  it('refuses an invalid initial graph, naming the problem, and leaves no file', () => {
    const path = join(tmp.dir, 'bad.phiproj');
    const graph = sampleGraph();
    graph.edges.push({ id: 'e3', source: 'gray', target: 'ghost', targetPort: 'in' });
    expect(() => ProjectStore.create(path, { graph })).toThrow(
      /edge "e3" connects node "ghost", which does not exist/,
    );
    const dup = sampleGraph();
    dup.nodes.push(node('resize'));
    expect(() => ProjectStore.create(path, { graph: dup })).toThrow(/two nodes have the id "resize"/);
    expect(existsSync(path)).toBe(false);
  });

  it('creates a project over a stale WAL of a deleted project without replaying it', () => {
    const first = create('same.phiproj');
    first.applyEdits([{ op: 'add-node', node: node('old') }]);
    // Keep a WAL with the edit by copying it while the file is still open, then delete the project.
    const wal = readFileSync(first.path + '-wal');
    expect(wal.length).toBeGreaterThan(0);
    first.close();
    rmSync(first.path);
    writeFileSync(first.path + '-wal', wal);
    const second = ProjectStore.create(first.path, { graph: { nodes: [node('fresh')], edges: [] } });
    open.push(second);
    expect(second.graph().nodes.map((n) => n.id)).toEqual(['fresh']);
  });

  it('keeps node order as inserted', () => {
    const store = create();
    store.applyEdits([
      { op: 'add-node', node: node('a') },
      { op: 'add-node', node: node('0') },
    ]);
    expect(
      reopen(store)
        .graph()
        .nodes.map((n) => n.id),
    ).toEqual(['dataset', 'resize', 'gray', 'a', '0']);
  });

  it('stores paths relative to the project folder', () => {
    const store = create('projects/study.phiproj');
    expect(store.toProjectPath(join(tmp.dir, 'projects/data/ct'))).toBe('data/ct');
    expect(store.toProjectPath(join(tmp.dir, 'shared/ct'))).toBe('../shared/ct');
    expect(store.resolvePath('data/ct')).toBe(join(tmp.dir, 'projects/data/ct'));
    expect(store.resolvePath('/abs/ct')).toBe('/abs/ct');
  });

  it('throws a ProjectError on use after close', () => {
    const store = create();
    store.close();
    store.close();
    expect(() => store.graph()).toThrow(ProjectError);
    expect(() => store.graph()).toThrow(/is closed/);
  });
});

describe('settings', () => {
  it('stores JSON values that survive a reopen, overwrite, and removal', () => {
    const store = create();
    expect(store.getSetting('sampleSize')).toBeUndefined();
    store.setSetting('sampleSize', { count: 40 });
    store.setSetting('backend', 'wasm');
    store.setSetting('zoom', 1.25);
    store.setSetting('flags', [true, null, 3]);
    store.setSetting('backend', 'cpu');
    const again = reopen(store);
    expect(again.getSetting<{ count: number }>('sampleSize')).toEqual({ count: 40 });
    expect(again.getSetting('backend')).toBe('cpu');
    expect(again.getSetting('zoom')).toBe(1.25);
    expect(again.getSetting('flags')).toEqual([true, null, 3]);
    again.setSetting('zoom', undefined);
    expect(again.getSetting('zoom')).toBeUndefined();
    expect(() => again.setSetting('fn', () => 1)).toThrow(/not JSON data/);
  });
});

describe('runs and epochs', () => {
  const info = { mode: 'all', seed: 7, appVersion: '0.1.0', nodeVersions: { dataset: 1, resize: 2 } };

  it('records runs with backend, seed, versions and dataset hash, and their end', () => {
    const store = create();
    const a = store.startRun({ ...info, backend: 'wasm', datasetHash: 'abc123' });
    const b = store.startRun({ ...info, mode: 'sample', seed: 8 });
    expect(a).not.toBe(b);
    store.finishRun(a, 'done');
    store.finishRun(b, 'cancelled');
    const runs = reopen(store).runs();
    expect(runs.map((r) => [r.id, r.mode, r.status, r.seed])).toEqual([
      [a, 'all', 'done', 7],
      [b, 'sample', 'cancelled', 8],
    ]);
    expect(runs[0]).toMatchObject({ backend: 'wasm', datasetHash: 'abc123', appVersion: '0.1.0' });
    expect(runs[0].nodeVersions).toEqual({ dataset: 1, resize: 2 });
    expect(runs[1].backend).toBeUndefined();
    expect(Date.parse(runs[0].finishedAt!)).toBeGreaterThanOrEqual(Date.parse(runs[0].startedAt));
  });

  it('names an unknown run', () => {
    const store = create();
    expect(() => store.finishRun('nope', 'done')).toThrow(/has no run "nope"/);
    expect(() => store.recordEpoch('nope', 'net', 1, 'train', {})).toThrow(/has no run "nope"/);
  });

  it('returns epochs of the latest run that trained the node, or of a given run', () => {
    const store = create();
    const first = store.startRun(info);
    store.recordEpoch(first, 'net', 1, 'train', { loss: 0.9 });
    store.recordEpoch(first, 'net', 1, 'validation', { loss: 1.1 });
    store.finishRun(first, 'done');
    const second = store.startRun(info);
    store.recordEpoch(second, 'net', 2, 'train', {
      loss: 0.4,
      sensitivity: [0.5, null],
      macroSensitivity: 0.5,
    });
    store.recordEpoch(second, 'net', 1, 'train', { loss: 0.6 });
    // A replayed epoch (resume from checkpoint) replaces the row.
    store.recordEpoch(second, 'net', 1, 'train', { loss: 0.5 });
    store.recordEpoch(second, 'net', 1, 'validation', { loss: Number.NaN });
    store.finishRun(second, 'done');
    // A later run of other nodes only does not hide the network's curves.
    store.finishRun(store.startRun({ ...info, mode: 'node' }), 'done');

    const again = reopen(store);
    expect(again.epochs('net')).toEqual([
      { runId: second, epoch: 1, split: 'train', metrics: { loss: 0.5 } },
      // JSON has no NaN: a diverged loss is kept as null ("—").
      { runId: second, epoch: 1, split: 'validation', metrics: { loss: null } },
      {
        runId: second,
        epoch: 2,
        split: 'train',
        metrics: { loss: 0.4, sensitivity: [0.5, null], macroSensitivity: 0.5 },
      },
    ]);
    expect(again.epochs('net', first).map((e) => [e.epoch, e.split, e.metrics.loss])).toEqual([
      [1, 'train', 0.9],
      [1, 'validation', 1.1],
    ]);
    expect(again.epochs('other')).toEqual([]);
  });

  it('marks a run left running by a closed store as interrupted on reopen', () => {
    const store = create();
    const run = store.startRun(info);
    store.recordEpoch(run, 'net', 1, 'train', { loss: 1 });
    const again = reopen(store);
    expect(again.runs()[0]).toMatchObject({ id: run, status: 'interrupted' });
    expect(again.epochs('net')).toHaveLength(1);
  });

  it('leaves a run that a second open handle in this process is still running', () => {
    const writer = create();
    const run = writer.startRun(info);
    const reader = ProjectStore.open(writer.path);
    open.push(reader);
    expect(reader.runs()[0].status).toBe('running');
    writer.finishRun(run, 'done');
    expect(reader.runs()[0].status).toBe('done');
  });
});

describe('node results', () => {
  it('keeps the last result per node across a reopen', () => {
    const store = create();
    expect(
      store.recordNodeResult('resize', { cacheKey: 'k1', state: 'failed', message: 'corrupt PNG a.png' }),
    ).toBe(true);
    store.recordNodeResult('resize', {
      cacheKey: 'k2',
      shape: [128, 128, null],
      colorMode: 'rgb',
      dtype: 'uint8',
      count: 12,
      state: 'done',
    });
    store.recordNodeResult('dataset', { cacheKey: 'k0', state: 'done', count: 12 });
    expect(reopen(store).nodeResults()).toEqual({
      dataset: { cacheKey: 'k0', state: 'done', count: 12 },
      resize: {
        cacheKey: 'k2',
        shape: [128, 128, null],
        colorMode: 'rgb',
        dtype: 'uint8',
        count: 12,
        state: 'done',
      },
    });
  });

  it('drops the result of a removed node and ignores results for nodes not in the graph', () => {
    const store = create();
    store.recordNodeResult('resize', { cacheKey: 'k', state: 'done' });
    store.recordNodeResult('gray', { cacheKey: 'k', state: 'done' });
    store.applyEdits([{ op: 'remove-node', id: 'resize' }]);
    expect(Object.keys(store.nodeResults())).toEqual(['gray']);
    expect(store.recordNodeResult('ghost', { cacheKey: 'k', state: 'done' })).toBe(false);
    store.replaceGraph({ nodes: [node('dataset')], edges: [] });
    expect(store.nodeResults()).toEqual({});
  });
});

describe('artifacts', () => {
  it('creates one folder per node inside <name>.phidata and indexes files relative to it', () => {
    const store = create('ct.phiproj');
    const folder = store.artifactsFor('net');
    expect(folder).toBe(join(tmp.dir, 'ct.phidata', 'net'));
    expect(statSync(folder).isDirectory()).toBe(true);
    writeFileSync(join(folder, 'weights.bin'), Buffer.alloc(8));
    store.recordArtifact('net', 'weights', 'net/weights.bin', { epoch: 3 });
    store.recordArtifact('net', 'checkpoint', 'net\\ckpt-1.bin');
    store.recordArtifact('net', 'weights', 'net/weights.bin', { epoch: 4 });
    const list = reopen(store).artifacts('net');
    expect(list.map((a) => [a.kind, a.relPath, a.meta])).toEqual([
      ['checkpoint', 'net/ckpt-1.bin', undefined],
      ['weights', 'net/weights.bin', { epoch: 4 }],
    ]);
    expect(list[1].path).toBe(join(tmp.dir, 'ct.phidata', 'net', 'weights.bin'));
    expect(existsSync(list[1].path)).toBe(true);
  });

  it('keeps every node id inside the artifacts folder', () => {
    const store = create();
    for (const id of ['..', '.', '../escape', 'a/b', 'C:\\x', 'net*1']) {
      const folder = store.artifactsFor(id);
      expect(folder.startsWith(store.artifactsDir + '/')).toBe(true);
      expect(folder.slice(store.artifactsDir.length + 1)).not.toMatch(/[/\\:*]|^\.+$/);
    }
    expect(store.artifactsFor('a/b')).not.toBe(store.artifactsFor('a_b'));
    expect(() => store.recordArtifact('net', 'weights', '../outside.bin')).toThrow(/must be relative/);
    expect(() => store.recordArtifact('net', 'weights', '/abs.bin')).toThrow(/must be relative/);
  });
});

describe('tables for later issues', () => {
  it('stores custom module sources with a trusted flag and a source hash', () => {
    const store = create();
    store.saveCustomModule({ id: 'clahe', version: 1, language: 'typescript', source: 'export default 1' });
    store.saveCustomModule({
      id: 'clahe',
      version: 2,
      language: 'typescript',
      source: 'export default 2',
      trusted: true,
    });
    store.setCustomModuleTrusted('clahe', false);
    const modules = reopen(store).customModules();
    expect(modules.map((m) => [m.id, m.version, m.source, m.trusted])).toEqual([
      ['clahe', 1, 'export default 1', false],
      ['clahe', 2, 'export default 2', false],
    ]);
    // SHA-256 of "export default 1", computed with `printf 'export default 1' | sha256sum`.
    expect(modules[0].sourceHash).toBe('f2ed650f15f224fa0836d26fabb81f0e219e1e3515d41640040073b222ffcbfd');
  });

  it('stores network specs by version and tuning trials by run', () => {
    const store = create();
    store.saveNetworkSpec('unet', 1, { layers: [{ type: 'Input' }] });
    store.saveNetworkSpec('unet', 2, { layers: [{ type: 'Input' }, { type: 'Conv2D' }] });
    expect(store.networkSpec('unet')?.version).toBe(2);
    expect(store.networkSpec('unet', 1)?.spec).toEqual({ layers: [{ type: 'Input' }] });
    expect(store.networkSpec('vgg')).toBeUndefined();
    const run = store.startRun({ mode: 'tuning', seed: 1, appVersion: '0.1.0', nodeVersions: {} });
    const t1 = store.recordTrial(run, { lr: 0.01 });
    const t2 = store.recordTrial(run, { lr: 0.001 }, { dice: 0.8 });
    store.setTrialMetrics(t1, { dice: 0.7 });
    const again = reopen(store);
    expect(again.trials(run).map((t) => [t.id, t.params, t.metrics])).toEqual([
      [t1, { lr: 0.01 }, { dice: 0.7 }],
      [t2, { lr: 0.001 }, { dice: 0.8 }],
    ]);
    expect(() => again.recordTrial('nope', {})).toThrow(/has no run "nope"/);
    expect(() => again.setTrialMetrics('nope', {})).toThrow(/no tuning trial "nope"/);
  });
});
