/**
 * One front-end connection to the engine, independent of the transport: the
 * WebSocket server and the Electron utility process both feed it parsed wire
 * messages and give it a way to send. Requests are answered once (a cancelled
 * one at once, with {@link REQUEST_CANCELLED}, its late result dropped); engine
 * events are pushed until the connection closes, all of them or those its
 * last `subscribe` asked for.
 */
import type { EngineEvent } from '../events';
import { REQUEST_CANCELLED, WireToEngineSchema, type EventFilter, type WireFromEngine } from './frames';

/** Calls one engine method by name; throws an Error with a readable message on bad params. */
export type RequestHandler = (method: string, params: unknown, signal: AbortSignal) => Promise<unknown>;

/** Subscribes to engine events; returns the unsubscribe function. */
export type EventSource = (listener: (event: EngineEvent) => void) => () => void;

/** The two things a transport must provide. */
export interface WireChannel {
  /** Sends one message to the front end (JSON-encoded by WebSocket, cloned by MessagePort). */
  send(message: WireFromEngine): void;
}

/** A live connection: feed it incoming messages, close it when the transport closes. */
export interface Connection {
  receive(message: unknown): void;
  close(): void;
}

/**
 * Whether a subscription wants an event: its kind is asked for, and an event
 * about a node names one asked for (for its kind when `nodesByType` lists it).
 */
export function wanted(event: EngineEvent, subscription: EventFilter | undefined): boolean {
  if (!subscription) return true;
  if (subscription.types && !subscription.types.includes(event.type)) return false;
  const node = (event as { node?: unknown }).node;
  const nodes = subscription.nodesByType?.[event.type] ?? subscription.nodes;
  return !nodes || typeof node !== 'string' || nodes.includes(node);
}

/** Binds a transport to the engine. */
export function openConnection(
  handle: RequestHandler,
  events: EventSource,
  channel: WireChannel,
): Connection {
  let open = true;
  let subscription: EventFilter | undefined;
  /** Requests not answered yet, by id: aborting one tells the engine to stop its work. */
  const pending = new Map<number, AbortController>();
  const send = (message: WireFromEngine): void => {
    // A send after close would throw inside ws or a closed port: drop it instead.
    if (open) channel.send(message);
  };
  const answer = (id: number, reply: { result: unknown } | { error: string }): void => {
    // A request answered already (cancelled) gets no second answer.
    if (!pending.delete(id)) return;
    send({ kind: 'response', id, ...reply });
  };
  const unsubscribe = events((event) => {
    if (wanted(event, subscription)) send({ kind: 'event', event });
  });
  return {
    receive(message) {
      const parsed = WireToEngineSchema.safeParse(message);
      if (!parsed.success) {
        // Without a valid id there is no one to answer; the id is kept when present.
        const id =
          typeof (message as { id?: unknown })?.id === 'number' ? (message as { id: number }).id : -1;
        send({
          kind: 'response',
          id,
          error: 'Malformed request: expected { kind: "request", id, method, params }',
        });
        return;
      }
      const frame = parsed.data;
      if (frame.kind === 'subscribe') {
        const { kind: _kind, ...filter } = frame;
        subscription = filter;
        return;
      }
      if (frame.kind === 'cancel') {
        const controller = pending.get(frame.id);
        answer(frame.id, { error: REQUEST_CANCELLED });
        controller?.abort();
        return;
      }
      const { id, method, params } = frame;
      const controller = new AbortController();
      pending.set(id, controller);
      handle(method, params, controller.signal).then(
        (result) => answer(id, { result }),
        (error: unknown) => answer(id, { error: errorMessage(error) }),
      );
    },
    close() {
      if (!open) return;
      open = false;
      unsubscribe();
      // Nobody is left to read the answers: the work stops.
      for (const controller of pending.values()) controller.abort();
      pending.clear();
    },
  };
}

/** A readable one-line message for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
