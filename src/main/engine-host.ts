/**
 * The engine side of the desktop relay, run in the Electron utility process:
 * main sends `{ type: 'connect' }` with a MessagePort per window, and each
 * port becomes one engine connection (requests answered, events pushed).
 * The Electron objects are injected, so tests drive it with plain ports.
 */
import { openConnection, type EventSource, type RequestHandler } from '../engine/api/wire/connection';
import type { ConnectMessage } from './channels';

/** What Electron's `MessagePortMain` offers (and what tests imitate). */
export interface MainPortLike {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  postMessage(message: unknown): void;
  start(): void;
}

/** What Electron's `process.parentPort` in a utility process offers. */
export interface ParentPortLike {
  on(event: 'message', listener: (event: { data: unknown; ports: MainPortLike[] }) => void): unknown;
}

/** Serves every port main hands over; returns the number of live connections, for tests. */
export function hostEngine(
  parent: ParentPortLike,
  handle: RequestHandler,
  events: EventSource,
): { connections(): number } {
  let live = 0;
  parent.on('message', ({ data, ports }) => {
    // Only main can post here; still, anything but a connect with a port is ignored.
    if ((data as ConnectMessage | null)?.type !== 'connect' || ports.length !== 1) return;
    const port = ports[0];
    const connection = openConnection(handle, events, { send: (message) => port.postMessage(message) });
    live++;
    port.on('message', ({ data: message }) => connection.receive(message));
    port.on('close', () => {
      live--;
      connection.close();
    });
    port.start();
  });
  return { connections: () => live };
}
