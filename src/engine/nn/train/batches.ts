/**
 * Streams prepared batches from the executor's cache with one batch of
 * prefetch: while the network trains on batch i, batch i+1 is being read and
 * prepared. At most two batches are held, whatever the dataset size.
 */
import type { Sample } from '../../api';
import type { SampleCollection } from '../../graph/node-type';
import type { NetworkParams } from '../params';
import { prepareSample, type DataGeometry, type Prepared } from './prepare';

/** Reads and prepares the items of one batch concurrently. */
async function loadBatch(
  collection: SampleCollection,
  ids: string[],
  prepare: (sample: Sample) => Prepared,
): Promise<Prepared[]> {
  const samples = await Promise.all(ids.map((id) => collection.load(id)));
  return samples.map(prepare);
}

/**
 * Yields batches of `batchSize` (the last may be smaller), prefetching one ahead; `prepare`
 * replaces the whole-sample preparation (patch training cuts patches).
 */
export async function* streamBatches(
  collection: SampleCollection,
  ids: string[],
  batchSize: number,
  geo: DataGeometry,
  mode: NetworkParams['normalization'],
  prepare: (sample: Sample) => Prepared = (s) => prepareSample(s, geo, mode),
): AsyncGenerator<Prepared[]> {
  if (!ids.length) return;
  let next = loadBatch(collection, ids.slice(0, batchSize), prepare);
  for (let i = 0; i < ids.length; i += batchSize) {
    const current = await next;
    if (i + batchSize < ids.length) {
      next = loadBatch(collection, ids.slice(i + batchSize, i + 2 * batchSize), prepare);
      // Keep a failed prefetch from being reported as unhandled before it is awaited.
      next.catch(() => undefined);
    }
    yield current;
  }
}

/** Deterministic shuffle (mulberry32) so a seed reproduces the batch order of each epoch. */
export function shuffled<T>(items: T[], seed: number): T[] {
  let a = seed >>> 0;
  const rand = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
