/**
 * The desktop relay without the Electron binary: real MessagePorts from
 * node:worker_threads stand in for Electron's, and small objects with the
 * shapes of ipcMain, ipcRenderer, webContents and the utility process carry
 * them. A request made in the "preload" reaches the real Engine in the
 * "utility process" and its answer and events come back over the port.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../engine/api';
import { dispatch } from '../engine/service/dispatch';
import { Engine } from '../engine/service/engine';
import { tempDir, writeClassFolders } from '../engine/test-support/pipeline';
import { createPreloadApi, type PortLike } from '../preload/bridge';
import { CONNECT_CHANNEL, PORT_CHANNEL, type ConnectMessage } from './channels';
import { hostEngine, type MainPortLike } from './engine-host';
import { projectFromArgv } from './project-path';
import { installRelay, isAppFrame, type ConnectEvent } from './relay';

/** Electron's MessagePortMain delivers `{ data }` events; Node's port delivers the data. */
function asMainPort(port: MessagePort): MainPortLike {
  const wrapped: MainPortLike = {
    on(event: 'message' | 'close', listener: ((e: { data: unknown }) => void) | (() => void)) {
      if (event === 'message')
        port.on('message', (data) => (listener as (e: { data: unknown }) => void)({ data }));
      else port.on('close', listener as () => void);
      return wrapped;
    },
    postMessage: (message) => port.postMessage(message),
    start: () => port.start(),
  };
  return wrapped;
}

let dir: string;
let engine: Engine;
const opened: MessagePort[] = [];

/** Wires preload, main and utility process as Electron would; returns the pieces. */
function desktop(frameUrl = 'file:///opt/phi/resources/app.asar/out/renderer/index.html') {
  const parentListeners: ((e: { data: unknown; ports: MainPortLike[] }) => void)[] = [];
  const host = hostEngine(
    { on: (_event, listener) => parentListeners.push(listener) },
    (method, params) => dispatch(engine, method, params),
    (listener) => engine.onDidEmit(listener),
  );
  const utility = {
    postMessage(message: ConnectMessage, transfer: MessagePort[]) {
      for (const l of parentListeners) l({ data: message, ports: transfer.map(asMainPort) });
    },
  };
  const mainListeners = new Map<string, (event: ConnectEvent<MessagePort>) => void>();
  const rendererListeners = new Map<string, (event: { ports: readonly PortLike[] }) => void>();
  let portsSent = 0;
  installRelay<MessagePort>(
    { on: (channel, listener) => mainListeners.set(channel, listener) },
    () => utility,
    () => {
      const channel = new MessageChannel();
      opened.push(channel.port1, channel.port2);
      return channel;
    },
  );
  const sender = {
    postMessage(channel: string, _message: unknown, transfer: MessagePort[]) {
      portsSent++;
      // IPC is asynchronous: the port arrives after the preload has started sending.
      setTimeout(() => rendererListeners.get(channel)?.({ ports: transfer as unknown as PortLike[] }), 10);
    },
  };
  const api = createPreloadApi({
    send: (channel) =>
      setTimeout(() => mainListeners.get(channel)?.({ sender, senderFrame: { url: frameUrl } }), 0),
    on: (channel, listener) => rendererListeners.set(channel, listener),
  });
  return {
    api,
    host,
    portsSent: () => portsSent,
    channels: () => [...mainListeners.keys(), ...rendererListeners.keys()],
  };
}

beforeAll(async () => {
  dir = tempDir('phi-relay-');
  await writeClassFolders(join(dir, 'data'), { classes: { a: 8, b: 8 }, size: [12, 10], channels: 3 });
  engine = new Engine({ cacheDir: join(dir, 'cache') });
  await engine.createProject({ path: join(dir, 'p.phiproj'), dataset: join(dir, 'data') });
});

afterAll(() => {
  for (const port of opened) port.close();
  engine.closeProject();
  rmSync(dir, { recursive: true, force: true });
});

describe('desktop relay', () => {
  it('uses only the whitelisted channels', () => {
    expect(desktop().channels().sort()).toEqual([CONNECT_CHANNEL, PORT_CHANNEL].sort());
  });

  it('answers a request made before the port arrived, through main, from the real engine', async () => {
    const { api, host } = desktop();
    const info = await api.getInfo({});
    expect(info.nodeTypes.map((t) => t.id)).toContain('resize');
    expect(host.connections()).toBe(1);
    const project = await api.getProject({});
    expect(project?.graph.nodes.map((n) => n.id)).toContain('dataset');
  });

  it('pushes engine events to the window and reports engine errors as rejections', async () => {
    const { api } = desktop();
    const events: EngineEvent[] = [];
    api.onDidEmit((e) => events.push(e));
    const result = await api.run({ mode: 'all' });
    expect(result.status).toBe('done');
    expect(events[0]).toMatchObject({ type: 'run-started', mode: 'all' });
    expect(events.some((e) => e.type === 'shape' && e.node === 'resize')).toBe(true);
    await expect(api.listFiles({ node: 5 } as unknown as { node: string })).rejects.toThrow(
      /Bad parameters for listFiles/,
    );
  });

  it('exposes only the contract methods (no generic send)', () => {
    const { api } = desktop();
    expect(Object.keys(api)).not.toContain('send');
    expect((api as unknown as Record<string, unknown>).invoke).toBeUndefined();
    expect(typeof api.getInfo).toBe('function');
  });

  it('gives no port to a frame that is not the app (a page navigated to)', async () => {
    const { portsSent } = desktop('https://example.org/');
    await new Promise((r) => setTimeout(r, 50));
    expect(portsSent()).toBe(0);
    expect(isAppFrame('http://localhost:5173/', 'http://localhost:5173')).toBe(true);
    expect(isAppFrame('http://localhost:5173/', undefined)).toBe(false);
    expect(isAppFrame(undefined)).toBe(false);
  });

  it('ignores anything but a connect message with one port', () => {
    const listeners: ((e: { data: unknown; ports: MainPortLike[] }) => void)[] = [];
    const host = hostEngine(
      { on: (_e, l) => listeners.push(l) },
      async () => null,
      () => () => {},
    );
    const { port1 } = new MessageChannel();
    opened.push(port1);
    listeners[0]({ data: { type: 'shutdown' }, ports: [asMainPort(port1)] });
    listeners[0]({ data: { type: 'connect' }, ports: [] });
    expect(host.connections()).toBe(0);
    listeners[0]({ data: { type: 'connect' }, ports: [asMainPort(port1)] });
    expect(host.connections()).toBe(1);
  });

  it('finds the project in the command line of a file-association launch', () => {
    expect(projectFromArgv(['/opt/phi/phi-studio', '--no-sandbox', '/home/u/Study A.phiproj'])).toBe(
      '/home/u/Study A.phiproj',
    );
    expect(projectFromArgv(['/opt/phi/phi-studio'])).toBeUndefined();
  });
});
