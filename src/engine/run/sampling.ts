/**
 * The subset a Sample RUN works on: deterministic (same seed, same items) and
 * stratified by split and label, so that a small sample still shows every
 * class in every split.
 */
import type { SampleSize } from '../api';
import type { DatasetItem } from '../graph/node-type';
import { seedFrom } from './rng';

/** Number of items a sample size means for a dataset of `total` items. */
export function sampleCount(size: SampleSize, total: number): number {
  const wanted = 'count' in size ? size.count : Math.round((total * size.percent) / 100);
  return Math.max(1, Math.min(total, wanted));
}

/**
 * Picks `count` items: per (split, class) group a share proportional to the
 * group's size (largest remainder), each group ordered by a seeded hash of the
 * ids. Returned in the dataset's order.
 */
export function stratifiedSubset(items: DatasetItem[], count: number, seed: number): DatasetItem[] {
  if (count >= items.length) return items;
  const groups = new Map<string, DatasetItem[]>();
  for (const item of items) {
    const key = `${item.split}/${item.classIndex ?? -1}`;
    const group = groups.get(key) ?? [];
    group.push(item);
    groups.set(key, group);
  }
  const shares = [...groups.entries()].map(([key, group]) => {
    const exact = (group.length * count) / items.length;
    return { key, group, take: Math.floor(exact), remainder: exact - Math.floor(exact) };
  });
  let left = count - shares.reduce((sum, s) => sum + s.take, 0);
  for (const share of [...shares].sort((a, b) => b.remainder - a.remainder || a.key.localeCompare(b.key))) {
    if (left <= 0) break;
    share.take += 1;
    left -= 1;
  }
  const chosen = new Set<DatasetItem>();
  for (const { group, take } of shares) {
    const ranked = [...group].sort(
      (a, b) => seedFrom(seed, a.id) - seedFrom(seed, b.id) || a.id.localeCompare(b.id),
    );
    for (const item of ranked.slice(0, take)) chosen.add(item);
  }
  return items.filter((item) => chosen.has(item));
}
