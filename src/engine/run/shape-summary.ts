/**
 * The shape summary shown under each node: per axis the size common to every
 * item, or null (`None`) where sizes differ between items.
 */
import type { ShapeSummary } from '../api';

/** Folds item shapes into a summary; items of another rank make every axis None. */
export function summarizeShapes(shapes: Iterable<number[]>): ShapeSummary {
  let summary: ShapeSummary | undefined;
  for (const shape of shapes) {
    if (!summary) {
      summary = [...shape];
      continue;
    }
    if (summary.length !== shape.length) {
      summary = summary.map(() => null);
      continue;
    }
    summary = summary.map((size, axis) => (size === shape[axis] ? size : null));
  }
  return summary ?? [];
}

/** `[None, 256, 1]` style text, as the UI and CLI print it. */
export function formatShape(summary: ShapeSummary): string {
  return `[${summary.map((s) => (s === null ? 'None' : String(s))).join(', ')}]`;
}
