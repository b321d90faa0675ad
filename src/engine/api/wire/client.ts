/**
 * The engine API over any message transport (WebSocket in web mode, a
 * MessagePort in the desktop preload): requests get an id and a promise,
 * responses settle it, events go to every listener. DOM-free so that the
 * preload, the renderer and tests share it.
 */
import type { EngineEvent } from '../events';
import {
  EngineRequests,
  type EngineApi,
  type EngineMethod,
  type EngineParams,
  type EngineResults,
  type RequestOptions,
} from '../requests';
import { REQUEST_CANCELLED, type EventFilter, type WireFromEngine, type WireToEngine } from './frames';

/** Every method of the engine API: the whitelist of what a front end may call. */
export const ENGINE_METHODS = Object.keys(EngineRequests) as EngineMethod[];

/** Connection state shown in the status bar. */
export type ConnectionState = 'connecting' | 'open' | 'closed';

/** What a transport offers the client. */
export interface WireTransport {
  send(message: WireToEngine): void;
  /** Registers the handler of every message from the engine. */
  onMessage(handler: (message: WireFromEngine) => void): void;
  /** Registers the handler of connection state changes. */
  onState?(handler: (state: ConnectionState, reason?: string) => void): void;
  /** Opens the transport again after it was lost (web mode). */
  reconnect?(): void;
}

/** The engine API plus connection state, as the renderer uses it. */
export type PhiApi = EngineApi & {
  /** Subscribes to connection state changes (web mode); returns the unsubscribe function. */
  onConnectionState?(listener: (state: ConnectionState, reason?: string) => void): () => void;
  /** Opens a new connection to the same engine (web mode; absent on the desktop). */
  reconnect?(): void;
  /** Narrows the events this front end receives (frames.ts, `subscribe`); kept across reconnects. */
  subscribe?(filter: EventFilter): void;
};

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** Builds the typed API object on top of a transport. */
export function createWireClient(transport: WireTransport): PhiApi {
  let nextId = 1;
  const pending = new Map<number, Pending>();
  const listeners = new Set<(event: EngineEvent) => void>();
  const stateListeners = new Set<(state: ConnectionState, reason?: string) => void>();
  /** The last subscription: a new connection starts with every event, so it is sent again on open. */
  let subscription: EventFilter | undefined;
  const sendSubscription = (): void => {
    if (!subscription) return;
    try {
      transport.send({ kind: 'subscribe', ...subscription });
    } catch {
      // A closed transport sends it again when it opens.
    }
  };

  transport.onMessage((message) => {
    if (message.kind === 'event') {
      for (const listener of [...listeners]) listener(message.event);
      return;
    }
    const entry = pending.get(message.id);
    if (!entry) return;
    pending.delete(message.id);
    if (message.error !== undefined) entry.reject(new Error(message.error));
    else entry.resolve(message.result);
  });
  transport.onState?.((state, reason) => {
    if (state === 'closed') {
      // Nobody will answer these any more: fail them instead of hanging the UI.
      const error = new Error(reason ?? 'The connection to the engine was lost');
      for (const entry of pending.values()) entry.reject(error);
      pending.clear();
    }
    if (state === 'open') sendSubscription();
    for (const listener of [...stateListeners]) listener(state, reason);
  });

  const call = <M extends EngineMethod>(
    method: M,
    params: EngineParams<M>,
    options?: RequestOptions,
  ): Promise<EngineResults[M]> =>
    new Promise<EngineResults[M]>((resolve, reject) => {
      const signal = options?.signal;
      if (signal?.aborted) {
        reject(new Error(REQUEST_CANCELLED));
        return;
      }
      const id = nextId++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      // A signal that crossed a context bridge is a plain copy without listeners: such a request runs to its end.
      signal?.addEventListener?.('abort', () => {
        if (!pending.delete(id)) return;
        reject(new Error(REQUEST_CANCELLED));
        try {
          transport.send({ kind: 'cancel', id });
        } catch {
          // A closed transport has nothing left to cancel.
        }
      });
      try {
        transport.send({ kind: 'request', id, method, params });
      } catch (error) {
        pending.delete(id);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });

  const api = {
    onDidEmit(listener: (event: EngineEvent) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onConnectionState(listener: (state: ConnectionState, reason?: string) => void) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    subscribe(filter: EventFilter) {
      subscription = filter;
      sendSubscription();
    },
    ...(transport.reconnect ? { reconnect: () => transport.reconnect?.() } : {}),
  } as Record<string, unknown>;
  for (const method of ENGINE_METHODS) {
    api[method] = (params: EngineParams<typeof method>, options?: RequestOptions) =>
      call(method, params ?? {}, options);
  }
  return api as PhiApi;
}
