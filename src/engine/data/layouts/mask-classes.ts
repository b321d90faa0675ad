/**
 * The classes of a segmentation dataset and how mask values map to them:
 * from the `classMap` param (`0=background,255=lesion`), or, when it is
 * empty, from the values found in the first masks: {0,1} and {0,255} are
 * background/foreground, small integers 0..K-1 are class indices, and any
 * other set of gray levels maps to classes in increasing value order.
 */
import { decodeImage } from '../readers';
import type { LayoutEntry } from './types';

/** Classes and the mask value -> class index map. */
export interface MaskClasses {
  classes: string[];
  map: Map<number, number>;
}

/** Masks decoded to guess the value set when no class map is given: few, so opening stays quick. */
export const MASKS_SAMPLED = 16;

/** Parses `0=background,255=lesion` (also `0:background`); throws with the bad part named. */
export function parseClassMap(text: string): MaskClasses {
  const classes: string[] = [];
  const map = new Map<number, number>();
  for (const part of text
    .split(/[,;\n]/)
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^(-?\d+)\s*[=:]\s*(.+)$/.exec(part);
    if (!match) throw new Error(`Class map entry "${part}" should look like 255=lesion`);
    const value = Number(match[1]);
    const name = match[2].trim();
    let index = classes.indexOf(name);
    if (index < 0) index = classes.push(name) - 1;
    if (map.has(value)) throw new Error(`Class map lists the mask value ${value} twice`);
    map.set(value, index);
  }
  if (classes.length === 0) throw new Error('Class map is empty');
  return { classes, map };
}

/** Guesses classes from the values of the first masks. */
export async function guessMaskClasses(entries: LayoutEntry[]): Promise<MaskClasses> {
  const values = new Set<number>();
  for (const entry of entries.slice(0, MASKS_SAMPLED)) {
    if (entry.label?.kind !== 'mask') continue;
    try {
      const mask = await decodeImage(entry.label.file.abs);
      const c = mask.shape[mask.shape.length - 1];
      for (let i = 0; i < mask.data.length; i += c) values.add(mask.data[i]);
    } catch {
      // Unreadable masks are reported by the indexer; they just do not vote here.
    }
  }
  return maskClassesFromValues(values);
}

/** The classes a set of mask values stands for (the rule of the module comment). */
export function maskClassesFromValues(values: ReadonlySet<number>): MaskClasses {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.every((v) => v === 0 || v === 1 || v === 255) && !(values.has(1) && values.has(255))) {
    return {
      classes: ['background', 'foreground'],
      map: new Map([
        [0, 0],
        [1, 1],
        [255, 1],
      ]),
    };
  }
  const max = sorted[sorted.length - 1] ?? 0;
  if (sorted.every(Number.isInteger) && max < 64) {
    const classes = Array.from({ length: max + 1 }, (_, i) => (i === 0 ? 'background' : `class ${i}`));
    return { classes, map: new Map(classes.map((_, i) => [i, i])) };
  }
  return {
    classes: sorted.map((v, i) => (i === 0 && v === 0 ? 'background' : `value ${v}`)),
    map: new Map(sorted.map((v, i) => [v, i])),
  };
}
