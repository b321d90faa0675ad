/** How anything thrown reads to a person. */

/**
 * The first line of the message of anything thrown (libvips stacks several
 * lines; reports take one). A thrown non-Error value reads as its text.
 */
export function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0].trim();
}
