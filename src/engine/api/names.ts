/**
 * Display names and the ids derived from them. People name their modules and
 * networks in their own words; the id stored in the graph (and in cache keys)
 * is derived once, when the thing is first saved, and never shown as a name.
 */

/** Ids of user-made things: lower-case words joined by "-", starting with "my-". */
export const USER_ID_PATTERN = /^my-[a-z0-9-]+$/;

/** `HU window (soft tissue)` -> `my-hu-window-soft-tissue`: the id a user-made module or network gets from its name. */
export function idFromTitle(title: string, fallback: 'module' | 'network'): string {
  const words = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .replace(/^my-/, '');
  return `my-${words || fallback}`.slice(0, 60).replace(/-+$/, '');
}
