/**
 * Two front ends editing one node at once, through the real web-mode server
 * and two WebSocket connections: edits to different fields both land (merged
 * per field), an edit to a field that changed meanwhile is refused with a
 * message to the client that sent it, and edits are checked against the
 * node type's schema and the size limits. No edit is lost without a word.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { GraphNode, ProjectSnapshot, WireResponse } from '../api';
import { dispatch } from '../service/dispatch';
import { Engine } from '../service/engine';
import { tempDir, writeClassFolders } from '../test-support/pipeline';
import { startServer, type RunningServer } from './server';

let dir: string;
let engine: Engine;
let server: RunningServer;
let alice: Client;
let bob: Client;

/** One front end: a WebSocket and its request ids. */
class Client {
  private next = 1;
  private constructor(private readonly ws: WebSocket) {}

  static open(): Promise<Client> {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, {
      maxPayload: 128 * 1024 * 1024,
    });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new Client(ws)));
      ws.once('error', reject);
    });
  }

  /** Sends a request; resolves with its response (events are skipped). */
  call(method: string, params: unknown): Promise<WireResponse> {
    const id = this.next++;
    return new Promise((resolve) => {
      const onMessage = (data: WebSocket.RawData) => {
        const message = JSON.parse(String(data)) as { kind: string; id?: number };
        if (message.kind === 'response' && message.id === id) {
          this.ws.off('message', onMessage);
          resolve(message as WireResponse);
        }
      };
      this.ws.on('message', onMessage);
      this.ws.send(JSON.stringify({ kind: 'request', id, method, params }));
    });
  }

  async node(id: string): Promise<GraphNode> {
    const { result } = await this.call('getProject', {});
    const node = (result as ProjectSnapshot).graph.nodes.find((n) => n.id === id);
    if (!node) throw new Error(`no node ${id}`);
    return node;
  }

  close(): void {
    this.ws.close();
  }
}

const RESIZE: GraphNode = {
  id: 'size',
  kind: 'module',
  type: 'resize',
  version: 1,
  params: { width: 64, height: 64 },
  position: { x: 300, y: 100 },
};

beforeAll(async () => {
  dir = tempDir('phi-concurrent-');
  await writeClassFolders(join(dir, 'data'), { classes: { a: 2, b: 2 }, size: [8, 8], channels: 1 });
  engine = new Engine({ cacheDir: join(dir, 'cache') });
  await engine.createProject({ path: join(dir, 'p.phiproj'), dataset: join(dir, 'data') });
  await engine.editGraph({ edits: [{ op: 'add-node', node: RESIZE }] });
  server = await startServer({
    handle: (method, params, signal) => dispatch(engine, method, params, signal),
    events: (listener) => engine.onDidEmit(listener),
    rendererDir: join(dir, 'renderer'),
  });
  [alice, bob] = await Promise.all([Client.open(), Client.open()]);
});

afterAll(async () => {
  alice.close();
  bob.close();
  await server.close();
  engine.closeProject();
  rmSync(dir, { recursive: true, force: true });
});

describe('two front ends editing one node', () => {
  it('keeps both edits to different fields, and refuses a stale edit to the sender only', async () => {
    const seen = await alice.node('size');
    expect(await bob.node('size')).toEqual(seen);
    // Both edit what they saw, at the same moment: whole params objects, as the UI sends them.
    const [a, b] = await Promise.all([
      alice.call('editGraph', {
        edits: [
          { op: 'set-params', id: 'size', params: { ...seen.params, width: 100 }, previous: seen.params },
        ],
      }),
      bob.call('editGraph', {
        edits: [
          { op: 'set-params', id: 'size', params: { ...seen.params, height: 50 }, previous: seen.params },
        ],
      }),
    ]);
    expect(a.error).toBeUndefined();
    expect(b.error).toBeUndefined();
    expect((await alice.node('size')).params).toMatchObject({ width: 100, height: 50 });

    // Bob still shows width 64 and changes it: Alice's 100 is not overwritten unseen.
    const stale = await bob.call('editGraph', {
      edits: [{ op: 'set-params', id: 'size', params: { ...seen.params, width: 80 }, previous: seen.params }],
    });
    expect(stale.error).toBe(
      'Parameter "width" of node "size" was changed to 100 by someone else while you edited it; your value 80 was not applied',
    );
    expect((await bob.node('size')).params).toMatchObject({ width: 100, height: 50 });
  });

  it('refuses a stale label the same way', async () => {
    const first = await alice.call('editGraph', {
      edits: [{ op: 'set-label', id: 'size', label: 'Alice', previous: '' }],
    });
    expect(first.error).toBeUndefined();
    const second = await bob.call('editGraph', {
      edits: [{ op: 'set-label', id: 'size', label: 'Bob', previous: '' }],
    });
    expect(second.error).toMatch(/label of node "size" was changed to "Alice" by someone else/);
    expect((await bob.node('size')).label).toBe('Alice');
  });

  it('checks params against the node type: unknown names with the valid list, bad values with the reason', async () => {
    const unknown = await alice.call('editGraph', {
      edits: [{ op: 'set-params', id: 'size', params: { constructor: { prototype: { polluted: true } } } }],
    });
    expect(unknown.error).toMatch(
      /^Node "size" \(Resize\) has no parameter "constructor"; its parameters are width, height, interpolation/,
    );
    const bad = await alice.call('editGraph', {
      edits: [{ op: 'set-params', id: 'size', params: { width: -3 } }],
    });
    expect(bad.error).toMatch(/^Parameter "width" of node "size" cannot be -3: /);
    const added = await alice.call('editGraph', {
      edits: [{ op: 'add-node', node: { ...RESIZE, id: 'size2', params: { colour: 'red' } } }],
    });
    expect(added.error).toMatch(/has no parameter "colour"/);
    const node = await alice.node('size');
    expect(node.params).not.toHaveProperty('constructor');
    expect(node.params.width).toBe(100);
  });

  it('bounds each field and each request, saying which limit', async () => {
    const long = await alice.call('editGraph', {
      edits: [{ op: 'set-label', id: 'size', label: 'x'.repeat(201) }],
    });
    expect(long.error).toMatch(/label: at most 200 characters/);
    const huge = await alice.call('editGraph', {
      edits: [{ op: 'set-label', id: 'size', label: 'x'.repeat(50 * 1024 * 1024) }],
    });
    expect(huge.error).toBe('The request is too large (50.0 MB; at most 8.0 MB): nothing was changed');
    const bigValue = await alice.call('editGraph', {
      edits: [{ op: 'set-params', id: 'size', params: { interpolation: 'x'.repeat(100_000) } }],
    });
    expect(bigValue.error).toMatch(/a parameter value may be at most 64 KB/);
    expect((await alice.node('size')).label).toBe('Alice');
  });
});
