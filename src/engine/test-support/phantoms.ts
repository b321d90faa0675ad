/**
 * Small generated datasets for the network tests and the benchmark: noisy
 * images with or without a bright disc, labelled for each of the four tasks.
 */
import type { Sample, Split, Task } from '../api';
import type { EngineEvent } from '../api';
import type { NetworkContext, SampleCollection } from '../graph/node-type';

/** Deterministic uniform numbers (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Options of {@link phantomCollection}. */
export interface PhantomOptions {
  task: Task;
  count: number;
  size: number;
  seed?: number;
  /** Value range of the background (e.g. HU-like -1000..1000). */
  scale?: number;
}

/** A collection of `count` phantoms, 70/15/15 % train/validation/test. */
export function phantomCollection(o: PhantomOptions): SampleCollection & { samples: Map<string, Sample> } {
  const r = rng(o.seed ?? 7);
  const samples = new Map<string, Sample>();
  const s = o.size;
  const scale = o.scale ?? 100;
  for (let n = 0; n < o.count; n++) {
    const positive = n % 2 === 1;
    const radius = s * (0.12 + 0.1 * r());
    const cx = radius + r() * (s - 2 * radius);
    const cy = radius + r() * (s - 2 * radius);
    const clean = new Float32Array(s * s);
    const img = new Float32Array(s * s);
    const mask = new Uint8Array(s * s);
    for (let y = 0; y < s; y++)
      for (let x = 0; x < s; x++) {
        const inside = positive && (x - cx) ** 2 + (y - cy) ** 2 <= radius * radius;
        const v = (inside ? 0.8 : 0.2) * scale;
        clean[y * s + x] = v;
        img[y * s + x] = v + (r() - 0.5) * 0.3 * scale;
        mask[y * s + x] = inside ? 1 : 0;
      }
    const split: Split = n < o.count * 0.7 ? 'train' : n < o.count * 0.85 ? 'validation' : 'test';
    const id = `img${String(n).padStart(3, '0')}.png`;
    const image = { data: img, shape: [s, s, 1], colorMode: 'grayscale' as const };
    const sample: Sample = { id, image, split, meta: {} };
    if (o.task === 'classification') sample.label = { kind: 'class', index: positive ? 0 : 1 };
    if (o.task === 'segmentation')
      sample.label = { kind: 'mask', mask: { data: mask, shape: [s, s, 1], colorMode: 'grayscale' } };
    if (o.task === 'detection')
      sample.label = {
        kind: 'boxes',
        boxes: positive
          ? [{ xmin: cx - radius, ymin: cy - radius, xmax: cx + radius, ymax: cy + radius, classIndex: 0 }]
          : [],
      };
    if (o.task === 'transformation')
      sample.label = { kind: 'target', target: { data: clean, shape: [s, s, 1], colorMode: 'grayscale' } };
    samples.set(id, sample);
  }
  const classes =
    o.task === 'classification'
      ? ['lesion', 'normal']
      : o.task === 'segmentation'
        ? ['background', 'lesion']
        : o.task === 'detection'
          ? ['lesion']
          : [];
  return {
    task: o.task,
    classes,
    items: [...samples.values()].map((x) => ({
      id: x.id,
      split: x.split,
      classIndex: x.label?.kind === 'class' ? x.label.index : undefined,
      shape: x.image.shape,
    })),
    load: async (id) => {
      const x = samples.get(id);
      if (!x) throw new Error(`no item ${id}`);
      return x;
    },
    samples,
  };
}

/** A network context that records events; abort with `controller`. */
export function recordingContext(artifactsDir: string): NetworkContext & {
  events: EngineEvent[];
  controller: AbortController;
  warnings: string[];
} {
  const events: EngineEvent[] = [];
  const warnings: string[] = [];
  const controller = new AbortController();
  return {
    nodeId: 'net',
    artifactsDir,
    runId: 'run1',
    seed: 1,
    signal: controller.signal,
    emit: (e) => events.push(e),
    log: { info: () => undefined, warn: (m) => warnings.push(m) },
    events,
    controller,
    warnings,
  };
}
