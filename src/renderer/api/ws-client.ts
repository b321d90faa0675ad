/**
 * `window.phi` in web mode: the engine API over the WebSocket of `phi serve`.
 * Requests made before the socket opens are queued, so the app can start
 * calling at once.
 */
import type { WireFromEngine, WireToEngine } from '../../engine/api';
import { createWireClient, type ConnectionState, type PhiApi } from '../../engine/api/wire/client';

/** The part of the WebSocket interface we use (the browser's, or `ws` in tests). */
export interface WebSocketLike {
  readyState: number;
  send(data: string): void;
  close(): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

/** Constructor of {@link WebSocketLike}. */
export type WebSocketFactory = (url: string) => WebSocketLike;

/** The WebSocket URL for a page served by `phi serve`: same host, `/ws`, the page's token. */
export function webSocketUrl(location: { host: string; search: string; protocol: string }): string {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/ws?token=${encodeURIComponent(token)}`;
}

/** Connects and returns the API object; `reconnect()` opens a new socket to the same URL. */
export function connectWebSocket(url: string, factory: WebSocketFactory): PhiApi {
  const queue: string[] = [];
  let handler: (message: WireFromEngine) => void = () => {};
  let stateHandler: (state: ConnectionState, reason?: string) => void = () => {};

  const open = (): WebSocketLike => {
    const next = factory(url);
    let opened = false;
    next.addEventListener('open', () => {
      opened = true;
      for (const data of queue.splice(0)) next.send(data);
      stateHandler('open');
    });
    next.addEventListener('message', (event) => {
      if (typeof event.data !== 'string') return;
      handler(JSON.parse(event.data) as WireFromEngine);
    });
    // A refused upgrade is reported as an error, then a close: the close handler explains it.
    next.addEventListener('error', () => {});
    next.addEventListener('close', () => {
      // A socket replaced by reconnect() no longer speaks for the connection.
      if (next !== socket) return;
      stateHandler(
        'closed',
        opened
          ? 'The connection to the engine was lost'
          : 'The engine refused the connection (wrong or missing token?)',
      );
    });
    return next;
  };
  let socket = open();

  return createWireClient({
    send(message: WireToEngine) {
      const data = JSON.stringify(message);
      if (socket.readyState === 1) socket.send(data);
      else if (socket.readyState === 0) queue.push(data);
      else throw new Error('The connection to the engine is closed');
    },
    onMessage(h) {
      handler = h;
    },
    onState(h) {
      stateHandler = h;
    },
    reconnect() {
      const old = socket;
      socket = open();
      if (old.readyState < 2) old.close();
      stateHandler('connecting');
    },
  });
}
