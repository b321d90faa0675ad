/**
 * `window.phi` in the desktop app: the engine API over the MessagePort main
 * hands this window. Only the methods of the contract exist on the object
 * (the whitelist); requests made before the port arrives are queued.
 */
import type { WireFromEngine, WireToEngine } from '../engine/api';
import { createWireClient, type PhiApi } from '../engine/api/wire/client';
import { CONNECT_CHANNEL, PORT_CHANNEL } from '../main/channels';

/** The DOM MessagePort a preload receives. */
export interface PortLike {
  postMessage(message: unknown): void;
  start(): void;
  onmessage: ((event: { data: unknown }) => void) | null;
}

/** `ipcRenderer` as the bridge uses it. */
export interface IpcRendererLike {
  send(channel: string): void;
  on(channel: string, listener: (event: { ports: readonly PortLike[] }) => void): unknown;
}

/** Asks main for an engine port and returns the API over it. */
export function createPreloadApi(ipc: IpcRendererLike): PhiApi {
  let port: PortLike | null = null;
  const queue: WireToEngine[] = [];
  let handler: (message: WireFromEngine) => void = () => {};
  ipc.on(PORT_CHANNEL, (event) => {
    const received = event.ports[0];
    if (!received || port) return;
    port = received;
    port.onmessage = (e) => handler(e.data as WireFromEngine);
    port.start();
    for (const message of queue.splice(0)) port.postMessage(message);
  });
  ipc.send(CONNECT_CHANNEL);
  return createWireClient({
    send(message) {
      if (port) port.postMessage(message);
      else queue.push(message);
    },
    onMessage(h) {
      handler = h;
    },
  });
}
