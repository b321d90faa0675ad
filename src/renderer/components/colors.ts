/** Category colours of nodes and palette entries: calm, distinct hues, the same in both themes. */

const KIND_HUES: Record<string, number> = { dataset: 174, network: 262 };
const HUES = [210, 28, 142, 330, 48, 192, 12, 292, 100, 236];

/** A stable hue for a category (or the kind's hue for datasets and networks). */
export function categoryHue(kind: string, category: string): number {
  if (KIND_HUES[kind] !== undefined) return KIND_HUES[kind];
  let hash = 0;
  for (const ch of category) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return HUES[hash % HUES.length];
}

/** The accent colour of a category. */
export function categoryColor(kind: string, category: string): string {
  return `hsl(${categoryHue(kind, category)} 55% 50%)`;
}
