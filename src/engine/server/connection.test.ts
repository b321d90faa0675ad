/**
 * A connection to a real engine: a cancelled request is answered at once with
 * "Cancelled" and only once, and the engine stops the work (the dataset
 * summary's decoding pass, phi process between files); a subscription
 * narrows events to kinds and nodes, and one kind to its own nodes.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REQUEST_CANCELLED, type WireFromEngine } from '../api';
import { dispatch } from '../service/dispatch';
import { Engine } from '../service/engine';
import { ProjectStore } from '../store/project-store';
import { createBuiltinRegistry } from '../service/builtin-registry';
import { GraphBuilder, tempDir, writeClassFolders } from '../test-support/pipeline';
import { openConnection } from '../api/wire/connection';

const dir = tempDir('phi-connection-');
const engine = new Engine({ cacheDir: join(dir, 'cache') });

beforeAll(async () => {
  await writeClassFolders(join(dir, 'scans'), { classes: { a: 150, b: 150 }, size: [48, 48] });
  const path = join(dir, 'p.phiproj');
  ProjectStore.create(path, {
    graph: new GraphBuilder(createBuiltinRegistry())
      .chain(['data', 'dataset', { path: 'scans', splitByPatient: false }], ['flip', 'flip', {}])
      .build(),
  }).close();
  await engine.openProject({ path });
});

afterAll(() => {
  engine.closeProject();
  rmSync(dir, { recursive: true, force: true });
});

/** A connection whose messages are collected, and the outcome of every request the engine worked on. */
function connect() {
  const sent: WireFromEngine[] = [];
  const outcomes = new Map<string, Promise<string>>();
  const connection = openConnection(
    (method, params, signal) => {
      const work = dispatch(engine, method, params, signal);
      outcomes.set(
        method,
        work.then(
          () => 'finished',
          (error: Error) => error.name,
        ),
      );
      return work;
    },
    (listener) => engine.onDidEmit(listener),
    { send: (message) => sent.push(message) },
  );
  return { sent, outcomes, connection };
}

it('answers a cancelled request at once, once, and the engine stops its work', async () => {
  const { sent, outcomes, connection } = connect();
  connection.receive({ kind: 'request', id: 1, method: 'getDatasetSummary', params: { node: 'data' } });
  connection.receive({ kind: 'cancel', id: 1 });
  expect(sent).toEqual([{ kind: 'response', id: 1, error: REQUEST_CANCELLED }]);
  // The decoding pass over 300 images gave up instead of finishing.
  expect(await outcomes.get('getDatasetSummary')).toBe('AbortError');
  // No second answer for the cancelled request; the connection goes on serving.
  connection.receive({ kind: 'request', id: 2, method: 'getDatasetSummary', params: { node: 'data' } });
  await expect.poll(() => sent.filter((m) => m.kind === 'response').length, { timeout: 60_000 }).toBe(2);
  expect(sent.filter((m) => m.kind === 'response' && m.id === 1)).toHaveLength(1);
  const summary = sent.find((m) => m.kind === 'response' && m.id === 2);
  expect(summary).toMatchObject({ result: { splits: expect.any(Object) } });
  connection.close();
});

it('stops a long phi process when its request is cancelled', async () => {
  const { sent, outcomes, connection } = connect();
  const output = join(dir, 'processed');
  connection.receive({
    kind: 'request',
    id: 1,
    method: 'processImages',
    params: { steps: [{ module: 'flip' }], input: join(dir, 'scans'), output },
  });
  await expect.poll(() => existsSync(output), { timeout: 30_000 }).toBe(true);
  connection.receive({ kind: 'cancel', id: 1 });
  expect(sent).toEqual([{ kind: 'response', id: 1, error: REQUEST_CANCELLED }]);
  expect(await outcomes.get('processImages')).toBe('AbortError');
  // It stopped between files: some of the 300 images were written, not all.
  const written = readdirSync(output, { recursive: true }).filter((f) => String(f).endsWith('.png'));
  expect(written.length).toBeGreaterThan(0);
  expect(written.length).toBeLessThan(300);
  connection.close();
});

it('sends only the events of the kinds and nodes subscribed to', async () => {
  const everything = connect();
  const narrow = connect();
  narrow.connection.receive({ kind: 'subscribe', types: ['node-state'], nodes: ['flip'] });
  expect((await engine.run({ mode: 'all' })).status).toBe('done');
  const events = (c: ReturnType<typeof connect>) =>
    c.sent.flatMap((m) => (m.kind === 'event' ? [m.event] : []));
  expect(new Set(events(everything).map((e) => e.type)).size).toBeGreaterThan(1);
  expect(events(narrow).length).toBeGreaterThan(0);
  for (const event of events(narrow)) expect(event).toMatchObject({ type: 'node-state', node: 'flip' });
  everything.connection.close();
  narrow.connection.close();
});

it('narrows one kind to its own nodes while the others come for every node', async () => {
  const shown = connect();
  shown.connection.receive({ kind: 'subscribe', nodesByType: { 'file-state': ['flip'] } });
  // Cached outputs send no item states: a new split seed makes both nodes run again.
  await engine.editGraph({ edits: [{ op: 'set-params', id: 'data', params: { seed: 7 } }] });
  expect((await engine.run({ mode: 'all' })).status).toBe('done');
  const events = shown.sent.flatMap((m) => (m.kind === 'event' ? [m.event] : []));
  const nodesOf = (type: string) =>
    new Set(events.flatMap((e) => (e.type === type && 'node' in e ? [e.node] : [])));
  expect(nodesOf('node-state')).toEqual(new Set(['data', 'flip']));
  expect(nodesOf('file-state')).toEqual(new Set(['flip']));
  shown.connection.close();
});
