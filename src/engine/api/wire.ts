/**
 * The messages every transport (Electron IPC/MessagePort, WebSocket) carries.
 * Two verbs, like VS Code's IPC: a request answered once, and events.
 */
import { z } from 'zod';
import { EngineEventSchema } from './events';

/** A request from a front end. */
export const WireRequestSchema = z.object({
  kind: z.literal('request'),
  id: z.number().int(),
  method: z.string(),
  params: z.unknown(),
});
/** See {@link WireRequestSchema}. */
export type WireRequest = z.infer<typeof WireRequestSchema>;

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
