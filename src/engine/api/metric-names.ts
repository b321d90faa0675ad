/**
 * How metrics are named and averaged wherever they are shown: the engine
 * writes them under these names, and front ends read them by the same rule
 * (docs/design.md section 7).
 */

/** `sensitivity` -> `macroSensitivity`: the key of a per-class metric's macro mean. */
export function macroKey(name: string): string {
  return `macro${name.charAt(0).toUpperCase()}${name.slice(1)}`;
}

/** Mean of the values that exist: a class absent from the truth has none and does not count; null when none exist. */
export function meanOfNonNull(values: readonly (number | null)[]): number | null {
  const defined = values.filter((v): v is number => v !== null);
  return defined.length ? defined.reduce((s, v) => s + v, 0) / defined.length : null;
}
