/**
 * How a `set-params` edit meets the node's current params, field by field:
 * the engine applies it (and refuses a conflict) and front ends mirror it
 * locally with the same rule. With `previous` (the params the sender saw),
 * only the fields the sender changed are written, so two people editing
 * different fields of one node both keep their change; a field that someone
 * else changed meanwhile is a conflict. Without it, the given fields are
 * written over the current ones. A field absent from `params` but present in
 * `previous` is removed (back to its default).
 */

/** The params after the edit and the fields it changed, or the first field in conflict. */
export type ParamsMerge =
  | { ok: true; params: Record<string, unknown>; changed: string[] }
  | { ok: false; field: string; now: unknown; yours: unknown };

const own = (record: Record<string, unknown>, key: string): unknown =>
  Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;

/** Same JSON value (key order of objects ignored). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every((k) => sameValue(own(a as Record<string, unknown>, k), own(b as Record<string, unknown>, k)))
  );
}

/** See the module comment. */
export function mergeParams(
  current: Record<string, unknown>,
  edit: { params: Record<string, unknown>; previous?: Record<string, unknown> },
): ParamsMerge {
  const { params, previous } = edit;
  const fields = new Set([...Object.keys(params), ...Object.keys(previous ?? {})]);
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(current)) define(result, key, value);
  const changed: string[] = [];
  for (const field of fields) {
    const yours = own(params, field);
    if (previous) {
      const before = own(previous, field);
      if (sameValue(yours, before)) continue; // a field the sender did not change
      const now = own(current, field);
      if (!sameValue(now, before) && !sameValue(now, yours)) return { ok: false, field, now, yours };
    }
    if (yours === undefined) delete result[field];
    else define(result, field, yours);
    changed.push(field);
  }
  return { ok: true, params: result, changed };
}

/** An own data property, whatever its name (`__proto__` included). */
function define(record: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}
