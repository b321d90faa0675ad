/** The executor's parts: sample codec, shape summary, stratified subset, cache budget. */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Sample } from '../api';
import type { DatasetItem } from '../graph/node-type';
import { tempDir } from '../test-support/pipeline';
import { OutputCache } from './cache';
import { createRng, seedFrom } from './rng';
import { decodeSample, encodeSample } from './sample-codec';
import { sampleCount, stratifiedSubset } from './sampling';
import { formatShape, summarizeShapes } from './shape-summary';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sample = (id: string, n = 12): Sample => ({
  id,
  split: 'train',
  image: {
    data: Int16Array.from({ length: n }, (_, i) => i * 100 - 1000),
    shape: [2, n / 2, 1],
    colorMode: 'grayscale',
    unit: 'HU',
    modality: 'CT',
  },
  label: {
    kind: 'mask',
    mask: {
      data: Uint8Array.from({ length: n }, (_, i) => i % 2),
      shape: [2, n / 2, 1],
      colorMode: 'grayscale',
    },
  },
  meta: { sliceThickness: 2.5 },
});

describe('sample codec', () => {
  it('round-trips typed arrays of every dtype with labels and meta', () => {
    const original = sample('ct/slice 1.png#3');
    const decoded = decodeSample(encodeSample(original));
    expect(decoded).toEqual(original);
    expect(decoded.image.data).toBeInstanceOf(Int16Array);
    const floats: Sample = {
      id: 'f',
      image: { data: new Float32Array([0.5, -1.25, 3]), shape: [1, 3, 1], colorMode: 'grayscale' },
      label: { kind: 'boxes', boxes: [{ xmin: 1, ymin: 2, xmax: 3, ymax: 4, classIndex: 0 }] },
      meta: {},
    };
    expect(decodeSample(encodeSample(floats))).toEqual(floats);
  });
});

describe('shape summary', () => {
  it('keeps common sizes and marks differing axes None', () => {
    expect(
      summarizeShapes([
        [256, 256, 1],
        [256, 256, 1],
      ]),
    ).toEqual([256, 256, 1]);
    const mixed = summarizeShapes([
      [200, 256, 1],
      [256, 256, 1],
      [256, 300, 1],
    ]);
    expect(mixed).toEqual([null, null, 1]);
    expect(formatShape(mixed)).toBe('[None, None, 1]');
    expect(
      summarizeShapes([
        [4, 4, 1],
        [2, 4, 4, 1],
      ]),
    ).toEqual([null, null, null]);
  });
});

describe('stratified subset', () => {
  const items: DatasetItem[] = Array.from({ length: 100 }, (_, i) => ({
    id: `img-${i}`,
    split: i < 70 ? 'train' : i < 85 ? 'validation' : 'test',
    classIndex: i % 4 === 0 ? 1 : 0,
    ref: null,
  }));
  it('is deterministic, proportional per split and class, and of the asked size', () => {
    const a = stratifiedSubset(items, sampleCount({ count: 20 }, 100), 7);
    const b = stratifiedSubset(items, 20, 7);
    expect(a).toHaveLength(20);
    expect(a.map((i) => i.id)).toEqual(b.map((i) => i.id));
    // Worked by hand: group shares train/1 3.6, train/0 10.4, val/1 0.8, val/0 2.2, test/1 0.6,
    // test/0 2.4; floors sum to 17 and the three largest remainders (val/1, train/1, test/1) get one more.
    expect(a.filter((i) => i.classIndex === 1)).toHaveLength(6);
    expect(a.filter((i) => i.split === 'validation')).toHaveLength(3);
    expect(a.filter((i) => i.split === 'train')).toHaveLength(14);
    expect(stratifiedSubset(items, 20, 8).map((i) => i.id)).not.toEqual(a.map((i) => i.id));
    expect(sampleCount({ percent: 10 }, 100)).toBe(10);
    expect(sampleCount({ count: 500 }, 100)).toBe(100);
  });
});

describe('rng', () => {
  it('gives the same stream for the same seed and different streams per sample', () => {
    const a = createRng(seedFrom(1, 'aug', 'x.png'));
    const b = createRng(seedFrom(1, 'aug', 'x.png'));
    const c = createRng(seedFrom(1, 'aug', 'y.png'));
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(first);
    expect(c()).not.toBe(first[0]);
    expect(first.every((v) => v >= 0 && v < 1)).toBe(true);
  });
});

describe('output cache', () => {
  it('stores samples by key and evicts least recently used node folders over budget', async () => {
    const root = join(dir, 'cache');
    mkdirSync(root);
    const cache = new OutputCache(root, 1500);
    for (const key of ['old', 'mid', 'new']) {
      for (let i = 0; i < 3; i++) await cache.write(key, sample(`${key}-${i}`, 64));
      cache.writeManifest({ nodeKey: key, selection: 'all', task: 'classification', classes: [], items: [] });
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(cache.has('old', 'old-1')).toBe(true);
    expect((await cache.read('mid', 'mid-2')).id).toBe('mid-2');
    const evicted = cache.prune(new Set(['old']));
    expect(evicted).toContain('mid');
    expect(evicted).not.toContain('old');
    expect(cache.has('old', 'old-0')).toBe(true);
    expect(cache.usage().reduce((s, e) => s + e.bytes, 0)).toBeLessThanOrEqual(
      1500 + cache.usage().find((e) => e.nodeKey === 'old')!.bytes,
    );
    await expect(cache.read('mid', 'mid-0')).rejects.toThrow(/missing/);
  });
});
