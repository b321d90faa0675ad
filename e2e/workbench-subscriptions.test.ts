/**
 * The workbench subscribes to what it shows: over the real wire client and
 * connection to a real engine, every node's states arrive, but per-item file
 * states only for the selected node and its input; a new connection (web mode
 * reconnecting) gets the same subscription again; another front end's edit
 * reaches this one's graph as the change it made.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ConnectionState, WireTransport } from '../src/engine/api/wire/client';
import { createWireClient } from '../src/engine/api/wire/client';
import { openConnection, type Connection } from '../src/engine/api/wire/connection';
import type { EngineEvent, WireFromEngine } from '../src/engine/api';
import { dispatch } from '../src/engine/service/dispatch';
import { Engine } from '../src/engine/service/engine';
import { tempDir } from '../src/engine/test-support/pipeline';
import { Workbench } from '../src/renderer/stores/workbench';
import { openGrayPipelineProject } from './support/gray-pipeline-project';
import { inProcessWorkbench } from './support/in-process-workbench';

const dir = tempDir('phi-subscribe-');
const engine = new Engine({ cacheDir: join(dir, 'cache') });
/** Events the engine sent this front end's connection. */
const delivered: EngineEvent[] = [];
let toClient: (message: WireFromEngine) => void = () => {};
let stateOf: (state: ConnectionState) => void = () => {};
let connection: Connection;
let wb: Workbench;

/** A connection like the WebSocket server's: messages cloned both ways, answers sent asynchronously. */
function connect(): Connection {
  return openConnection(
    (method, params, signal) => dispatch(engine, method, params, signal),
    (listener) => engine.onDidEmit(listener),
    {
      send: (message) => {
        if (message.kind === 'event') delivered.push(message.event);
        const copy = structuredClone(message);
        queueMicrotask(() => toClient(copy));
      },
    },
  );
}

beforeAll(async () => {
  await openGrayPipelineProject(engine, dir);
  connection = connect();
  const transport: WireTransport = {
    send: (message) => connection.receive(structuredClone(message)),
    onMessage: (handler) => (toClient = handler),
    onState: (handler) => (stateOf = handler),
  };
  wb = new Workbench(createWireClient(transport));
  await wb.start();
});

afterAll(() => {
  wb.dispose();
  connection.close();
  engine.closeProject();
  rmSync(dir, { recursive: true, force: true });
});

/** The nodes of the delivered events of one kind. */
function nodesOf(type: EngineEvent['type']): string[] {
  return [
    ...new Set(delivered.flatMap((e) => (e.type === type && 'node' in e && e.node ? [e.node] : []))),
  ].sort();
}

it('gets every node state but the file states of the node it shows and its input only', async () => {
  wb.select('gray');
  await wb.runAll();
  expect(nodesOf('node-state')).toEqual(['data', 'gray', 'resize']);
  expect(nodesOf('file-state')).toEqual(['gray', 'resize']);
  expect(wb.status.get('data')?.state).toBe('done');
  expect(wb.filesVersion.has('data')).toBe(false);
  expect(wb.filesVersion.get('gray')).toBeGreaterThan(0);
});

it('subscribes a new connection the same way', async () => {
  connection.close();
  connection = connect();
  stateOf('open');
  delivered.length = 0;
  // A new split seed makes every node run again.
  await wb.edit([{ op: 'set-params', id: 'data', params: { seed: 3 } }], 'seed');
  await wb.runAll();
  expect(nodesOf('node-state')).toEqual(['data', 'gray', 'resize']);
  expect(nodesOf('file-state')).toEqual(['gray', 'resize']);
});

it("shows another front end's edit without reloading the project", async () => {
  // A second workbench on its own connection to the same engine, as a second browser tab.
  const { workbench: other, close } = inProcessWorkbench(engine);
  try {
    await other.start();
    expect(other.graph.nodes.find((n) => n.id === 'resize')?.params.width).toBe(16);
    await wb.edit([{ op: 'set-params', id: 'resize', params: { width: 12 } }], 'width');
    await expect.poll(() => other.graph.nodes.find((n) => n.id === 'resize')?.params.width).toBe(12);
    expect(other.status.get('gray')?.state).toBe('stale');
    await wb.edit([{ op: 'remove-node', id: 'gray' }], 'remove');
    await expect.poll(() => other.graph.nodes.map((n) => n.id).sort()).toEqual(['data', 'resize']);
    expect(other.graph.edges.map((e) => e.target)).toEqual(['resize']);
  } finally {
    close();
  }
});
