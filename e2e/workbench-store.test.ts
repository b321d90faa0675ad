/**
 * The renderer's store driven over the real wire: Workbench -> WebSocket
 * client -> `phi serve`'s server -> the real Engine on a generated PNG
 * dataset and a real .phiproj. Every edit must reach the project file (read
 * back by a second engine), undo/redo must travel as inverse edits, refused
 * connections must say why, and node states must mirror engine events.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Graph } from '../src/engine/api';
import { startServer, type RunningServer } from '../src/engine/server/server';
import { dispatch } from '../src/engine/service/dispatch';
import { Engine } from '../src/engine/service/engine';
import { tempDir, writeClassFolders } from '../src/engine/test-support/pipeline';
import { connectWebSocket, type WebSocketLike } from '../src/renderer/api/ws-client';
import { RecentProjects } from '../src/engine/store/recent-projects';
import { Workbench } from '../src/renderer/stores/workbench';

let dir: string;
let project: string;
let engine: Engine;
let server: RunningServer;
let wb: Workbench;

/** Waits until `check` holds (events arrive asynchronously). */
async function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The graph as saved in the project file, read by an independent engine. */
async function graphOnDisk(): Promise<Graph> {
  const reader = new Engine({ cacheDir: join(dir, 'cache2') });
  try {
    return (await reader.openProject({ path: project })).graph;
  } finally {
    reader.closeProject();
  }
}

/** The project settings as saved in the project file, read by an independent engine. */
async function settingsOnDisk(): Promise<unknown> {
  const reader = new Engine({ cacheDir: join(dir, 'cache2') });
  try {
    return (await reader.openProject({ path: project })).settings;
  } finally {
    reader.closeProject();
  }
}

beforeAll(async () => {
  dir = tempDir('phi-wb-');
  // RGB images: the grayscale-only modules must refuse them.
  await writeClassFolders(join(dir, 'data'), { classes: { cyst: 4, tumor: 4 }, size: [30, 20], channels: 3 });
  project = join(dir, 'study.phiproj');
  engine = new Engine({
    cacheDir: join(dir, 'cache'),
    recentProjects: new RecentProjects(join(dir, 'config', 'recent-projects.json')),
  });
  await engine.createProject({ path: project, dataset: join(dir, 'data') });
  server = await startServer({
    handle: (method, params) => dispatch(engine, method, params),
    events: (listener) => engine.onDidEmit(listener),
    rendererDir: dir,
  });
  const url = `ws://127.0.0.1:${server.port}/ws?token=${server.token}`;
  wb = new Workbench(connectWebSocket(url, (u) => new WebSocket(u) as unknown as WebSocketLike));
  await wb.start();
});

afterAll(async () => {
  wb?.dispose();
  await server?.close();
  engine?.closeProject();
  rmSync(dir, { recursive: true, force: true });
});

describe('Workbench over the WebSocket against the real engine', () => {
  it('loads node types and the open project', () => {
    expect(wb.connection).toBe('open');
    expect(wb.info?.nodeTypes.some((t) => t.id === 'clahe')).toBe(true);
    expect(wb.project?.path).toBe(project);
    expect(wb.graph.nodes.map((n) => n.id)).toEqual(
      expect.arrayContaining(['dataset', 'resize', 'color-to-grayscale']),
    );
  });

  it('adds a node from the palette with its default params, saved to the project', async () => {
    const id = await wb.addNode('clahe', { x: 900, y: 40 });
    expect(id).toBe('clahe-1');
    expect([...wb.selection]).toEqual(['clahe-1']);
    const saved = (await graphOnDisk()).nodes.find((n) => n.id === 'clahe-1');
    expect(saved).toMatchObject({ type: 'clahe', kind: 'module', position: { x: 900, y: 40 } });
    expect(saved?.params).toEqual(wb.graph.nodes.find((n) => n.id === 'clahe-1')?.params);
  });

  it('refuses an RGB connection into a grayscale-only module, saying why', async () => {
    const result = await wb.connect('resize', 'clahe-1');
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/gray/i);
    expect(wb.toasts.at(-1)?.message).toBe(`Connection refused: ${result.reason}`);
    expect(wb.graph.edges.some((e) => e.target === 'clahe-1')).toBe(false);
    expect((await graphOnDisk()).edges.some((e) => e.target === 'clahe-1')).toBe(false);
  });

  it('refuses a second edge into a connected input and a self loop', async () => {
    expect((await wb.connect('dataset', 'color-to-grayscale')).reason).toMatch(/already connected/);
    expect((await wb.connect('resize', 'resize')).reason).toBe('A node cannot feed itself');
  });

  it('connects a grayscale output and saves the edge; undo and redo travel as edits', async () => {
    expect(await wb.connect('color-to-grayscale', 'clahe-1')).toEqual({ ok: true });
    const edge = { source: 'color-to-grayscale', target: 'clahe-1', targetPort: 'in' };
    expect((await graphOnDisk()).edges).toContainEqual(expect.objectContaining(edge));

    await wb.undo();
    expect(wb.graph.edges).not.toContainEqual(expect.objectContaining(edge));
    expect((await graphOnDisk()).edges).not.toContainEqual(expect.objectContaining(edge));
    expect(wb.canRedo).toBe(true);

    await wb.redo();
    expect((await graphOnDisk()).edges).toContainEqual(expect.objectContaining(edge));
  });

  it('a parameter change is saved and marks downstream results stale after a run', async () => {
    await wb.runAll();
    await until(() => wb.status.get('clahe-1')?.state === 'done', 'clahe done');
    expect(wb.status.get('resize')).toMatchObject({
      state: 'done',
      shape: [64, 64, 3],
      colorMode: 'rgb',
      count: 8,
    });
    expect(wb.status.get('color-to-grayscale')).toMatchObject({ shape: [64, 64, 1], colorMode: 'grayscale' });

    const resize = wb.graph.nodes.find((n) => n.id === 'resize')!;
    await wb.setParams('resize', { ...resize.params, width: 48 });
    expect((await graphOnDisk()).nodes.find((n) => n.id === 'resize')?.params.width).toBe(48);
    await until(() => wb.status.get('clahe-1')?.state === 'stale', 'downstream stale');
    expect(wb.status.get('color-to-grayscale')?.state).toBe('stale');
    expect(wb.status.get('dataset')?.state).toBe('done');
  });

  it('Sample RUN asks the size once, keeps it in the project, and then reuses it', async () => {
    expect(await wb.sampleRun()).toBeUndefined();
    expect(wb.askingSampleSize).toBe(true);

    const started: string[] = [];
    const counts: number[] = [];
    const off = wb.api.onDidEmit((e) => {
      if (e.type === 'run-started') started.push(e.mode);
      if (e.type === 'shape' && e.node === 'resize') counts.push(e.count);
    });
    const first = await wb.setSampleSize({ count: 4 });
    expect(first?.status).toBe('done');
    expect(wb.askingSampleSize).toBe(false);
    expect(wb.status.get('resize')).toMatchObject({ state: 'done', shape: [64, 48, 3], count: 4 });
    expect(await wb.save()).toBe(true);
    expect(await settingsOnDisk()).toEqual({ sampleSize: { count: 4 }, inferenceRuntime: 'auto' });

    const second = await wb.sampleRun();
    expect(second?.status).toBe('done');
    expect(wb.askingSampleSize).toBe(false);
    expect(started).toEqual(['sample', 'sample']);
    expect(counts).toEqual([4, 4]);
    off();
  });

  it('Run and Step forward run the node alone or with what follows', async () => {
    // After the parameter change only a sample of resize's new output exists: Run works on that sample, saying so.
    const onSample = await wb.runNode('color-to-grayscale');
    expect(onSample?.status).toBe('done');
    await until(() => wb.status.get('color-to-grayscale')?.sample === true, 'sample state');
    expect(wb.status.get('color-to-grayscale')).toMatchObject({ state: 'done', count: 4, sample: true });
    expect(
      wb.logs.lines.some((e) => /Runs on the sample its input "resize" holds \(4 items\)/.test(e.message)),
    ).toBe(true);
    await wb.runAll();
    const alone = await wb.runNode('color-to-grayscale');
    expect(alone?.ran.concat(alone.cached)).toEqual(['color-to-grayscale']);
    const forward = await wb.stepForward('color-to-grayscale');
    expect(forward?.ran.concat(forward.cached).sort()).toEqual(['clahe-1', 'color-to-grayscale', 'network']);
  });

  it('copy/paste duplicates nodes and their inner edge with fresh ids; delete and undo restore them', async () => {
    wb.setSelection(['color-to-grayscale', 'clahe-1']);
    wb.copy();
    const ids = await wb.paste();
    expect(ids).toEqual(['color-to-grayscale-1', 'clahe-2']);
    let disk = await graphOnDisk();
    expect(disk.edges).toContainEqual(
      expect.objectContaining({ source: 'color-to-grayscale-1', target: 'clahe-2' }),
    );
    expect(disk.nodes.find((n) => n.id === 'clahe-2')?.position).toEqual({ x: 940, y: 80 });

    wb.setSelection(['color-to-grayscale-1']);
    await wb.deleteSelection();
    disk = await graphOnDisk();
    expect(disk.nodes.some((n) => n.id === 'color-to-grayscale-1')).toBe(false);
    expect(disk.edges.some((e) => e.target === 'clahe-2')).toBe(false);

    await wb.undo();
    disk = await graphOnDisk();
    expect(disk.nodes.some((n) => n.id === 'color-to-grayscale-1')).toBe(true);
    expect(disk.edges).toContainEqual(
      expect.objectContaining({ source: 'color-to-grayscale-1', target: 'clahe-2' }),
    );
  });

  it('a move is one undoable edit from the position before the drag', async () => {
    const before = wb.graph;
    wb.applyLocal([{ op: 'move-node', id: 'clahe-2', position: { x: 10, y: 10 } }]);
    wb.applyLocal([{ op: 'move-node', id: 'clahe-2', position: { x: 20, y: 30 } }]);
    await wb.moveNodes([{ id: 'clahe-2', position: { x: 20, y: 30 } }], before);
    expect((await graphOnDisk()).nodes.find((n) => n.id === 'clahe-2')?.position).toEqual({ x: 20, y: 30 });
    await wb.undo();
    expect((await graphOnDisk()).nodes.find((n) => n.id === 'clahe-2')?.position).toEqual({ x: 940, y: 80 });
  });

  it('Cancel stops a training run', async () => {
    const network = wb.graph.nodes.find((n) => n.id === 'network')!;
    await wb.setParams('network', { ...network.params, epochs: 500, learningRate: 0.0005 });
    const run = wb.runAll();
    await until(() => wb.status.get('network')?.state === 'running', 'network running', 60_000);
    expect(wb.running).toBe(true);
    await wb.cancel();
    const result = await run;
    expect(result?.status).toBe('cancelled');
    expect(wb.running).toBe(false);
    expect(wb.metrics.of('network').rows.length).toBeLessThan(500);
    expect(wb.toasts.some((t) => t.message === 'Run cancelled')).toBe(true);
  });

  it('an edit the engine refuses is rolled back to the saved graph with the reason shown', async () => {
    const count = wb.graph.nodes.length;
    await wb.edit([{ op: 'remove-node', id: 'no-such-node' }], 'bogus');
    expect(wb.toasts.at(-1)?.message).toMatch(/no-such-node/);
    expect(wb.graph.nodes).toHaveLength(count);
  });

  it('a lost connection fails pending requests instead of hanging', async () => {
    const api = connectWebSocket(
      `ws://127.0.0.1:${server.port}/ws?token=wrong`,
      (u) => new WebSocket(u) as unknown as WebSocketLike,
    );
    const states: string[] = [];
    api.onConnectionState?.((s) => states.push(s));
    await expect(api.getInfo({})).rejects.toThrow(/refused the connection/);
    expect(states).toEqual(['closed']);
  });

  it('Save confirms with the project name; it is the first of the recent projects', async () => {
    expect(await wb.save()).toBe(true);
    expect(wb.toasts.at(-1)?.message).toMatch(/^Saved: every change is in study\.phiproj/);
    expect(wb.projects.recent[0]).toBe(project);
    // The engine keeps the list (created, then opened by the reconnecting store below).
    expect((await wb.api.listRecentProjects({})).map((p) => p.path)).toEqual([project]);
    expect(wb.projects.savedLabel).toMatch(/^Saved \d/);
  });

  it('Reconnect opens a new connection after the engine went away and came back', async () => {
    const { port, token } = server;
    await server.close();
    await until(() => wb.connection === 'closed', 'the store to see the connection closed');
    server = await startServer({
      handle: (method, params) => dispatch(engine, method, params),
      events: (listener) => engine.onDidEmit(listener),
      rendererDir: dir,
      port,
      token,
    });
    await wb.reconnect();
    expect(wb.connection).toBe('open');
    expect(wb.connectionError).toBeNull();
    expect(wb.project?.path).toBe(project);
    // Requests flow again, and so do events.
    expect((await wb.api.getProject({}))?.path).toBe(project);
    expect(wb.toasts.at(-1)?.message).toBe('Reconnected to the engine');
  });
});
