/**
 * Turns a wire request (method name + untrusted params) into a call on the
 * engine: unknown methods, requests past the size limit and params that fail
 * their zod schema are refused with a readable message; results that carry the
 * project are checked against their schema (api/results.ts) before they leave.
 * Every transport goes through here.
 */
import type { z } from 'zod';
import {
  EngineRequests,
  EngineResultSchemas,
  LIMITS,
  requestTooLarge,
  type EngineMethod,
  type EngineApi,
} from '../api';

/** Whether `method` is a request of the engine API. */
export function isEngineMethod(method: string): method is EngineMethod {
  return Object.prototype.hasOwnProperty.call(EngineRequests, method);
}

/** Validates and performs one request; rejects with an Error whose message is fit to show. */
export async function dispatch(
  engine: EngineApi,
  method: string,
  params: unknown,
  signal?: AbortSignal,
): Promise<unknown> {
  if (!isEngineMethod(method)) throw new Error(`Unknown request "${method}"`);
  const bytes = (JSON.stringify(params) ?? '').length;
  if (bytes > LIMITS.requestBytes) throw new Error(requestTooLarge(bytes));
  const parsed = EngineRequests[method].safeParse(params ?? {});
  if (!parsed.success) throw new Error(`Bad parameters for ${method}: ${problemsOf(parsed.error)}`);
  const call = engine[method] as (params: unknown, options: { signal?: AbortSignal }) => Promise<unknown>;
  const result = await call.call(engine, parsed.data, { signal });
  const checked = EngineResultSchemas[method]?.safeParse(result);
  // A malformed answer is the engine's fault: said as such, never passed on for a front end to misread.
  if (checked && !checked.success)
    throw new Error(`The engine's answer to ${method} is malformed: ${problemsOf(checked.error)}`);
  return result;
}

function problemsOf(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'params'}: ${i.message}`).join('; ');
}
