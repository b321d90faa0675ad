/**
 * One front-end connection to the engine, independent of the transport: the
 * WebSocket server and the Electron utility process both feed it parsed wire
 * messages and give it a way to send. Requests are answered once; every
 * engine event is pushed to the connection until it closes.
 */
import { WireRequestSchema, type EngineEvent, type WireFromEngine } from '../api';

/** Calls one engine method by name; throws an Error with a readable message on bad params. */
export type RequestHandler = (method: string, params: unknown) => Promise<unknown>;

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

/** Binds a transport to the engine. */
export function openConnection(
  handle: RequestHandler,
  events: EventSource,
  channel: WireChannel,
): Connection {
  let open = true;
  const send = (message: WireFromEngine): void => {
    // A send after close would throw inside ws or a closed port: drop it instead.
    if (open) channel.send(message);
  };
  const unsubscribe = events((event) => send({ kind: 'event', event }));
  return {
    receive(message) {
      const parsed = WireRequestSchema.safeParse(message);
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
      const { id, method, params } = parsed.data;
      handle(method, params).then(
        (result) => send({ kind: 'response', id, result }),
        (error: unknown) => send({ kind: 'response', id, error: errorMessage(error) }),
      );
    },
    close() {
      if (!open) return;
      open = false;
      unsubscribe();
    },
  };
}

/** A readable one-line message for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
