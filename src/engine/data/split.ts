/**
 * Deterministic train/validation/test split. Units (one item, or all items of
 * one patient) are ordered by a hash of (seed, unit key) within each class
 * stratum and cut by cumulative item count, so the split depends only on the
 * seed and the files (not on listing order), every class is spread over the
 * splits in the requested proportions, and a patient never crosses splits.
 */
import { createHmac } from 'node:crypto';
import type { Split } from '../api';

/** Something to place in a split: one item, or a patient's items. */
export interface SplitUnit {
  /** Stable identity (relative path, or the patient key: the latter only ever enters an HMAC). */
  key: string;
  /** Stratum, e.g. the class index; units of one stratum are split in proportion. */
  stratum: number;
  /** Items in the unit (cut points are by item count). */
  size: number;
}

/** Requested shares in percent; they are normalised by their sum. */
export interface SplitShares {
  train: number;
  validation: number;
  test: number;
}

/** Checks the shares and returns them as fractions summing to 1. */
export function normaliseShares(shares: SplitShares): SplitShares {
  const total = shares.train + shares.validation + shares.test;
  if (!(total > 0))
    throw new Error('The train, validation and test percentages add up to 0: give at least one a share');
  return { train: shares.train / total, validation: shares.validation / total, test: shares.test / total };
}

/** Orders units by an HMAC of the key under the seed: stable, and reveals nothing of the key. */
function orderKey(seed: number, key: string): string {
  return createHmac('sha256', `phi-split:${seed}`).update(key).digest('hex');
}

/** The split of every unit, in input order. */
export function assignSplits(units: SplitUnit[], shares: SplitShares, seed: number): Split[] {
  const fractions = normaliseShares(shares);
  const result: Split[] = new Array(units.length);
  const strata = new Map<number, number[]>();
  units.forEach((unit, index) => {
    const list = strata.get(unit.stratum) ?? [];
    list.push(index);
    strata.set(unit.stratum, list);
  });
  for (const indices of strata.values()) {
    const ordered = indices
      .map((index) => ({ index, order: orderKey(seed, units[index].key) }))
      .sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
    const total = ordered.reduce((sum, u) => sum + units[u.index].size, 0);
    const trainEnd = total * fractions.train;
    const validationEnd = total * (fractions.train + fractions.validation);
    let before = 0;
    for (const { index } of ordered) {
      const size = units[index].size;
      // A unit goes where its middle item falls: whole patients land in one split.
      const middle = before + size / 2;
      result[index] = middle < trainEnd ? 'train' : middle < validationEnd ? 'validation' : 'test';
      before += size;
    }
  }
  return result;
}
