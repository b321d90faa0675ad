/**
 * Turns zod issues into one readable line that names the node or edge by id
 * (not by array index), e.g. `node "resize-1": params: expected record`.
 */
import type { z } from 'zod';

/** One line describing every issue, naming the element by its `id` where it has one. */
export function formatZodIssues(error: z.ZodError, input: unknown): string {
  return error.issues
    .map((issue) => {
      const where = describePath(issue.path, input);
      return where ? `${where}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

function describePath(path: readonly PropertyKey[], input: unknown): string {
  let prefix = '';
  const keys: string[] = [];
  let value: unknown = input;
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    const next = isIndexable(value) ? (value as Record<PropertyKey, unknown>)[key] : undefined;
    if ((key === 'nodes' || key === 'edges') && typeof path[i + 1] === 'number' && keys.length === 0) {
      const index = path[i + 1] as number;
      const element = isIndexable(next) ? (next as unknown[])[index] : undefined;
      const id = isIndexable(element) ? (element as { id?: unknown }).id : undefined;
      prefix =
        typeof id === 'string' && id !== ''
          ? `${key === 'nodes' ? 'node' : 'edge'} "${id}"`
          : `${key === 'nodes' ? 'node' : 'edge'} number ${index + 1}`;
      value = element;
      i++;
      continue;
    }
    keys.push(String(key));
    value = next;
  }
  const rest = keys.join('.');
  return prefix && rest ? `${prefix}: ${rest}` : prefix || rest;
}

function isIndexable(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}
