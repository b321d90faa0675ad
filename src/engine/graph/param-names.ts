/**
 * Parameter names a node type does not have. A misspelt name (`widht`) must
 * be refused with the list of valid ones wherever params come in (graph edits,
 * `phi process --param`), never dropped by the schema without a word.
 */
import type { z } from 'zod';

/** The first name of `params` (with a value) that `schema` does not declare, and the names it does. */
export function unknownParamName(
  schema: z.ZodObject,
  params: Record<string, unknown>,
): { name: string; valid: string[] } | undefined {
  const shape = schema.shape as Record<string, z.ZodType>;
  for (const [name, value] of Object.entries(params)) {
    // Removing a field that no longer exists is always fine.
    if (value !== undefined && !Object.prototype.hasOwnProperty.call(shape, name))
      return { name, valid: Object.keys(shape) };
  }
  return undefined;
}
