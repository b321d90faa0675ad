/**
 * The web-mode server against the real engine: nothing without the token
 * (HTTP 403, WebSocket refused), the token in the URL or its cookie lets the
 * page and its assets through, requests and events cross the WebSocket, and
 * the static file server stays inside its folder.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { EngineEvent, WireFromEngine } from '../api';
import { dispatch } from '../service/dispatch';
import { Engine } from '../service/engine';
import { tempDir, writeClassFolders } from '../test-support/pipeline';
import { startServer, type RunningServer } from './server';
import { resolveInside } from './static-files';

let dir: string;
let engine: Engine;
let server: RunningServer;

beforeAll(async () => {
  dir = tempDir('phi-server-');
  const renderer = join(dir, 'renderer');
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'outside the root');
  await writeClassFolders(join(dir, 'data'), { classes: { a: 8, b: 8 }, size: [20, 16], channels: 3 });
  engine = new Engine({ cacheDir: join(dir, 'cache') });
  await engine.createProject({ path: join(dir, 'p.phiproj'), dataset: join(dir, 'data') });
  server = await startServer({
    handle: (method, params, signal) => dispatch(engine, method, params, signal),
    events: (listener) => engine.onDidEmit(listener),
    rendererDir: renderer,
  });
});

afterAll(async () => {
  await server.close();
  engine.closeProject();
  rmSync(dir, { recursive: true, force: true });
});

/** A raw GET (so that Host and Cookie headers are ours to set). */
function get(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a WebSocket; resolves when open, rejects with the HTTP status when refused. */
function connect(path: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}${path}`);
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** Sends one request and waits for its answer, collecting events meanwhile. */
function call(
  ws: WebSocket,
  id: number,
  method: string,
  params: unknown,
  events: EngineEvent[] = [],
): Promise<WireFromEngine> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const message = JSON.parse(String(data)) as WireFromEngine;
      if (message.kind === 'event') events.push(message.event);
      else if (message.id === id) {
        ws.off('message', onMessage);
        resolve(message);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ kind: 'request', id, method, params }));
  });
}

describe('phi serve server', () => {
  it('listens on 127.0.0.1 with a 32-byte token in the URL', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
  });

  it('refuses HTTP without the token, with a wrong token, and under another Host name', async () => {
    expect((await get('/')).status).toBe(403);
    expect((await get('/')).body).toBe('Forbidden');
    expect((await get('/assets/app.js')).status).toBe(403);
    expect((await get(`/?token=${server.token.slice(0, -1)}x`)).status).toBe(403);
    // A DNS-rebinding page reaches us under its own host name: refused even with the token.
    expect((await get(`/?token=${server.token}`, { host: `evil.example:${server.port}` })).status).toBe(403);
  });

  it('serves the page with the token, sets the cookie, and then serves assets by cookie', async () => {
    const page = await get(`/?token=${server.token}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>t</title>');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    const cookie = String(page.headers['set-cookie']);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const asset = await get('/assets/app.js', { cookie: cookie.split(';')[0] });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toContain('text/javascript');
    expect((await get('/assets/missing.js', { cookie: cookie.split(';')[0] })).status).toBe(404);
  });

  it('names its cookie after its own port, so another server on 127.0.0.1 finds no token in it', async () => {
    const page = await get(`/?token=${server.token}`);
    const cookie = String(page.headers['set-cookie']).split(';')[0];
    expect(cookie.startsWith(`phi_token_${server.port}=`)).toBe(true);
    // The same token under another server's cookie name is not this server's cookie.
    const other = await startServer({
      handle: () => Promise.resolve(null),
      events: () => () => undefined,
      rendererDir: join(dir, 'renderer'),
      token: server.token,
    });
    try {
      const sent = { host: `127.0.0.1:${other.port}`, cookie };
      const refused = await new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: other.port, path: '/', headers: sent }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      expect(refused).toBe(403);
    } finally {
      await other.close();
    }
  });

  it('never serves files outside the renderer folder', async () => {
    const t = `token=${server.token}`;
    expect((await get(`/../secret.txt?${t}`)).status).toBe(404);
    expect((await get(`/%2e%2e/secret.txt?${t}`)).status).toBe(404);
    expect(resolveInside('/srv/r', '/../secret.txt')).toBe('/srv/r/secret.txt');
    expect(resolveInside('/srv/r', '/%2e%2e%2fsecret.txt')).toBe('/srv/r/secret.txt');
    expect(resolveInside('/srv/r', '/a%00b')).toBeNull();
  });

  it('refuses the WebSocket without the token or from a foreign origin', async () => {
    await expect(connect('/ws')).rejects.toThrow('HTTP 403');
    await expect(connect('/ws?token=nope')).rejects.toThrow('HTTP 403');
    await expect(
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, {
          origin: 'http://evil.example',
        });
        ws.once('open', resolve);
        ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      }),
    ).rejects.toThrow('HTTP 403');
    expect(server.connections()).toBe(0);
  });

  it('answers requests and pushes engine events over the WebSocket', async () => {
    const ws = await connect(`/ws?token=${server.token}`);
    expect(server.connections()).toBe(1);
    const info = await call(ws, 1, 'getInfo', {});
    expect(
      info.kind === 'response' && (info.result as { nodeTypes: { id: string }[] }).nodeTypes.map((t) => t.id),
    ).toContain('resize');

    // Bad params come back as a readable error, not a dropped connection.
    const bad = await call(ws, 2, 'listFiles', { node: 5 });
    expect(bad.kind === 'response' && bad.error).toMatch(/Bad parameters for listFiles: node/);
    const unknown = await call(ws, 3, 'formatDisk', {});
    expect(unknown.kind === 'response' && unknown.error).toBe('Unknown request "formatDisk"');

    const events: EngineEvent[] = [];
    const run = await call(ws, 4, 'run', { mode: 'all' }, events);
    expect(run.kind === 'response' && (run.result as { status: string }).status).toBe('done');
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('run-started');
    expect(types.at(-1)).toBe('run-finished');
    const shape = events.find((e) => e.type === 'shape' && e.node === 'resize');
    expect(shape).toMatchObject({ shape: [64, 64, 3], count: 16 });

    ws.close();
    // The close reaches the server when the machine gets to it: wait for it, not for a fixed time.
    await expect.poll(() => server.connections()).toBe(0);
  });

  it('answers a malformed message with an error instead of closing', async () => {
    const ws = await connect(`/ws?token=${server.token}`);
    const answer = await new Promise<WireFromEngine>((resolve) => {
      ws.once('message', (data) => resolve(JSON.parse(String(data)) as WireFromEngine));
      ws.send('{"kind":"request","id":9}');
    });
    expect(answer).toEqual({ kind: 'response', id: 9, error: expect.stringMatching(/^Malformed request/) });
    ws.close();
  });
});
