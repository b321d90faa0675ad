/**
 * The messages every transport (Electron IPC/MessagePort, WebSocket) carries.
 * Two verbs, like VS Code's IPC: a request answered once, and events; a
 * request may be cancelled by its id, and a connection may narrow the events
 * it receives by kind and node.
 */
import { z } from 'zod';
import { EngineEventSchema } from '../events';

/** A request from a front end. */
export const WireRequestSchema = z.object({
  kind: z.literal('request'),
  id: z.number().int(),
  method: z.string(),
  params: z.unknown(),
});
/** See {@link WireRequestSchema}. */
export type WireRequest = z.infer<typeof WireRequestSchema>;

/**
 * Cancels request `id`: it is answered at once with the error
 * {@link REQUEST_CANCELLED}, and the engine stops its work where it can.
 */
export const WireCancelSchema = z.object({ kind: z.literal('cancel'), id: z.number().int() });
/** See {@link WireCancelSchema}. */
export type WireCancel = z.infer<typeof WireCancelSchema>;

/** The error a cancelled request is answered with. */
export const REQUEST_CANCELLED = 'Cancelled';

/**
 * The events a connection wants from now on: of these kinds (`types`) and, for
 * events about a node, of these nodes (`nodes`), except that a kind named in
 * `nodesByType` comes only for the nodes listed there (the workbench takes
 * every node's states but the per-item `file-state` of the node it shows).
 * Every event until one is sent; each replaces the last.
 */
export const WireSubscribeSchema = z.object({
  kind: z.literal('subscribe'),
  types: z.array(z.string()).optional(),
  nodes: z.array(z.string()).optional(),
  nodesByType: z.record(z.string(), z.array(z.string())).optional(),
});
/** See {@link WireSubscribeSchema}. */
export type WireSubscribe = z.infer<typeof WireSubscribeSchema>;
/** What a front end subscribes to: the subscribe frame without its kind. */
export type EventFilter = Omit<WireSubscribe, 'kind'>;

/** Anything a front end sends. */
export const WireToEngineSchema = z.discriminatedUnion('kind', [
  WireRequestSchema,
  WireCancelSchema,
  WireSubscribeSchema,
]);
/** See {@link WireToEngineSchema}. */
export type WireToEngine = z.infer<typeof WireToEngineSchema>;

/** The engine's answer to one request. */
export const WireResponseSchema = z.object({
  kind: z.literal('response'),
  id: z.number().int(),
  result: z.unknown().optional(),
  error: z.string().optional(),
});
/** See {@link WireResponseSchema}. */
export type WireResponse = z.infer<typeof WireResponseSchema>;

/** An engine event pushed to every connected front end. */
export const WireEventSchema = z.object({ kind: z.literal('event'), event: EngineEventSchema });
/** See {@link WireEventSchema}. */
export type WireEvent = z.infer<typeof WireEventSchema>;

/** Anything the engine sends. */
export const WireFromEngineSchema = z.discriminatedUnion('kind', [WireResponseSchema, WireEventSchema]);
/** See {@link WireFromEngineSchema}. */
export type WireFromEngine = z.infer<typeof WireFromEngineSchema>;
