/**
 * The web-mode server of `phi serve`: the built renderer over HTTP and the
 * engine API over a WebSocket, on 127.0.0.1 only. Every HTTP request and the
 * WebSocket upgrade must present the token (URL query or the cookie set when
 * the page was first loaded with it); anything else gets 403 and no content.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { openConnection, type EventSource, type RequestHandler } from '../api/wire/connection';
import { contentSecurityPolicy, serveFile } from './static-files';
import { newToken, presentedToken, tokenCookieName, tokenMatches } from './token';

/** Path of the WebSocket endpoint. */
export const WS_PATH = '/ws';

/** What the server needs to know. */
export interface ServerOptions {
  /** Calls an engine method by name (the service's `dispatch` bound to an engine). */
  handle: RequestHandler;
  /** The engine's `onDidEmit`. */
  events: EventSource;
  /** Folder of the built renderer (`out/renderer`). */
  rendererDir: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Fixed token for tests; random otherwise. */
  token?: string;
}

/** A running server. */
export interface RunningServer {
  /** `http://127.0.0.1:PORT/?token=...`: the URL to open. */
  url: string;
  port: number;
  token: string;
  /** Number of open WebSocket connections. */
  connections(): number;
  close(): Promise<void>;
}

/** The only interface we listen on: other machines must tunnel (e.g. ssh -L) to reach it. */
const HOST = '127.0.0.1';

/** Starts the server; resolves once it listens. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const token = options.token ?? newToken();
  const sockets = new Set<WebSocket>();
  let port = 0;

  // Host and Origin checks stop DNS-rebinding pages in the user's browser from
  // reaching the server under another name, even if they learnt the token.
  const allowedHost = (req: IncomingMessage): boolean => {
    const host = req.headers.host ?? '';
    return host === `${HOST}:${port}` || host === `localhost:${port}`;
  };
  const allowedOrigin = (req: IncomingMessage): boolean => {
    const origin = req.headers.origin;
    return (
      origin === undefined || origin === `http://${HOST}:${port}` || origin === `http://localhost:${port}`
    );
  };
  const authorised = (req: IncomingMessage): URL | null => {
    if (!allowedHost(req)) return null;
    const url = new URL(req.url ?? '/', `http://${HOST}:${port}`);
    return tokenMatches(token, presentedToken(url, req.headers.cookie, tokenCookieName(port))) ? url : null;
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const url = authorised(req);
    if (!url || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(url ? 405 : 403, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(url ? 'Method not allowed' : 'Forbidden');
      return;
    }
    const headers: Record<string, string> = {
      'content-security-policy': contentSecurityPolicy(`${HOST}:${port}`),
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
    };
    // The cookie lets the page's own asset requests through without the token in their URLs.
    if (url.searchParams.has('token')) {
      headers['set-cookie'] =
        `${tokenCookieName(port)}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict`;
    }
    serveFile(options.rendererDir, url.pathname, res, headers).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(String(error));
    });
  };

  const http = createServer(onRequest);
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = authorised(req);
    if (!url || url.pathname !== WS_PATH || !allowedOrigin(req)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  const attach = (ws: WebSocket): void => {
    sockets.add(ws);
    const connection = openConnection(options.handle, options.events, {
      send: (message) => ws.send(JSON.stringify(message)),
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let message: unknown;
      try {
        message = JSON.parse(String(data));
      } catch {
        message = null;
      }
      connection.receive(message);
    });
    ws.on('close', () => {
      sockets.delete(ws);
      connection.close();
    });
    ws.on('error', () => ws.terminate());
  };

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, HOST, () => {
      http.off('error', reject);
      resolve();
    });
  });
  port = (http.address() as AddressInfo).port;

  return {
    url: `http://${HOST}:${port}/?token=${token}`,
    port,
    token,
    connections: () => sockets.size,
    close: async () => {
      for (const ws of sockets) ws.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
