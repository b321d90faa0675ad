/**
 * Walks every built-in module: unique ids, descriptions, every param
 * described with bounds, randomness declared where the output depends on it, and a run on 8-bit, 16-bit, HU (int16, 2-D and 3-D)
 * and float phantoms of every colour mode it accepts, with a mask, on the
 * training split (so augmentations act).
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { ImageData, PixelArray, Sample } from '../api';
import { dtypeOf } from '../api';
import { describeNodeType } from '../graph/registry';
import type { ModuleContext } from '../graph/node-type';
import { geometry } from '../imaging/image';
import { builtinModules } from './index';

function phantom(kind: 'u8' | 'u16' | 'hu' | 'hu3d' | 'f32', channels: 1 | 3): ImageData {
  const h = 24;
  const w = 20;
  const d = kind === 'hu3d' ? 3 : 1;
  const n = d * h * w * channels;
  const data: PixelArray =
    kind === 'u8'
      ? new Uint8Array(n)
      : kind === 'u16'
        ? new Uint16Array(n)
        : kind === 'f32'
          ? new Float32Array(n)
          : new Int16Array(n);
  for (let z = 0; z < d; z++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const disc = (x - 10) ** 2 + (y - 12) ** 2 < 36;
        const t = (x + y + z) / (h + w);
        for (let c = 0; c < channels; c++) {
          const i = ((z * h + y) * w + x) * channels + c;
          if (kind === 'u8') data[i] = disc ? 200 - c * 20 : Math.round(40 * t);
          else if (kind === 'u16') data[i] = disc ? 3000 + c : Math.round(900 * t);
          else if (kind === 'f32') data[i] = disc ? 0.8 : 0.3 * t;
          else data[i] = disc ? 60 : y < 3 ? -2048 : Math.round(-1000 + 400 * t);
        }
      }
  return {
    data,
    shape: d > 1 ? [d, h, w, channels] : [h, w, channels],
    colorMode: channels === 3 ? 'rgb' : 'grayscale',
    unit: kind.startsWith('hu') ? 'HU' : 'raw',
    spacing: d > 1 ? [2, 0.7, 0.7] : [0.5, 0.5],
  };
}

function sampleOf(image: ImageData): Sample {
  const g = geometry(image);
  const mask = new Uint8Array(g.depth * g.height * g.width).map((_, i) => (i % g.width > 10 ? 1 : 0));
  return {
    id: 'p.png',
    image,
    split: 'train',
    meta: { Modality: 'CT' },
    label: {
      kind: 'mask',
      mask: { data: mask, shape: [...image.shape.slice(0, -1), 1], colorMode: 'grayscale' },
    },
  };
}

function context(sample: Sample, seed: number): ModuleContext {
  let s = seed;
  return {
    nodeId: 'n1',
    split: 'train',
    // A tiny LCG: deterministic and independent of the engine's generator.
    rng: () => (s = (s * 1664525 + 1013904223) >>> 0) / 4294967296,
    inputs: { a: sample, b: sample, in: sample },
  };
}

const KINDS = ['u8', 'u16', 'hu', 'hu3d', 'f32'] as const;

describe('module registry', () => {
  it('has at least 30 modules with unique ids, titles, categories and descriptions', () => {
    expect(builtinModules.length).toBeGreaterThanOrEqual(30);
    const ids = builtinModules.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const m of builtinModules) {
      expect(m.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(m.title.length, m.id).toBeGreaterThan(2);
      expect(m.category.length, m.id).toBeGreaterThan(2);
      expect(m.description.length, m.id).toBeGreaterThan(40);
      expect(m.version, m.id).toBeGreaterThanOrEqual(1);
    }
  });

  it('covers the categories and stable ids of the palette', () => {
    const ids = new Set(builtinModules.map((m) => m.id));
    for (const id of [
      'resize',
      'color-to-grayscale',
      'flip',
      'rotate-90',
      'gamma-correction',
      'histogram-equalization',
      'clahe',
      'morphology',
      'min-max-normalization',
      'z-score-normalization',
      'window-setting',
      'gaussian-blur',
      'median',
      'threshold',
    ])
      expect(ids.has(id), id).toBe(true);
    const cats = new Set(builtinModules.map((m) => m.category));
    for (const c of [
      'Geometry',
      'Color',
      'Intensity',
      'Medical',
      'Filter',
      'Morphology',
      'Augmentation',
      'Data',
    ])
      expect(cats.has(c), c).toBe(true);
  });

  it('describes every param, with bounds on numbers, and parses its own defaults', () => {
    for (const m of builtinModules) {
      const schema = describeNodeType(m).params as { properties?: Record<string, Record<string, unknown>> };
      for (const [name, prop] of Object.entries(schema.properties ?? {})) {
        const where = `${m.id}.${name}`;
        expect(typeof prop.description, where).toBe('string');
        expect((prop.description as string).length, where).toBeGreaterThan(10);
        expect(prop.default, where).toBeDefined();
        if (prop.type === 'number' || prop.type === 'integer') {
          expect(prop.minimum ?? prop.exclusiveMinimum, `${where} lower bound`).toBeDefined();
          expect(prop.maximum ?? prop.exclusiveMaximum, `${where} upper bound`).toBeDefined();
        }
      }
      expect(() => m.params.parse({}), m.id).not.toThrow();
    }
  });

  for (const m of builtinModules) {
    it(`${m.id} runs on 8-bit, 16-bit, HU (2-D and 3-D) and float phantoms`, async () => {
      const params = m.params.parse(
        m.id === 'filter' ? { classIndices: [0] } : m.id === 'crop' ? { width: 8, height: 8 } : {},
      );
      const modes = m.accepts?.colorModes ?? ['grayscale', 'rgb'];
      for (const kind of KINDS) {
        for (const mode of modes) {
          const image = phantom(kind, mode === 'rgb' ? 3 : 1);
          const sample = sampleOf(image);
          const before = image.data.slice();
          const out = await m.run(sample, params as z.infer<typeof m.params>, context(sample, 7));
          const where = `${m.id} on ${kind} ${mode}`;
          // Modules are pure: the input is never modified.
          expect([...image.data], where).toEqual([...before]);
          if (out === null) continue;
          const g = geometry(out.image);
          expect(g.height * g.width, where).toBeGreaterThan(0);
          expect(out.image.shape.length, where).toBe(image.shape.length);
          expect(
            out.image.data.every((v) => Number.isFinite(v)),
            `${where} finite`,
          ).toBe(true);
          if (out.label?.kind === 'mask') {
            const mg = geometry(out.label.mask);
            expect([mg.depth, mg.height, mg.width], `${where} mask follows`).toEqual([
              g.depth,
              g.height,
              g.width,
            ]);
            expect(new Set(out.label.mask.data).size <= 2, `${where} mask stays 0/1`).toBe(true);
          }
          // Only modules that say so change the dtype; 16-bit is never squeezed silently.
          const changesType = [
            'min-max-normalization',
            'z-score-normalization',
            'percentile-normalization',
            'bit-depth-conversion',
            'window-setting',
            'edge-detection',
          ];
          if (!changesType.includes(m.id)) expect(dtypeOf(out.image.data), where).toBe(dtypeOf(image.data));
        }
      }
    });
  }

  it('declares usesRandomness exactly when its output depends on the random stream (the seed is then in its key)', async () => {
    for (const m of builtinModules) {
      const params = m.params.parse(
        m.id === 'filter' ? { classIndices: [0] } : m.id === 'crop' ? { width: 8, height: 8 } : {},
      );
      // Volume augmentations leave 2-D images alone: they get the 3-D phantom.
      const kind = m.id === 'random-volume-geometry' ? 'hu3d' : 'f32';
      const sample = sampleOf(phantom(kind, m.accepts?.colorModes?.includes('grayscale') === false ? 3 : 1));
      const outputs = new Set<string>();
      for (const seed of [1, 4e8, 1.5e9, 2.5e9, 3.3e9, 4.1e9])
        outputs.add(
          JSON.stringify(await m.run(sample, params as z.infer<typeof m.params>, context(sample, seed))),
        );
      expect(outputs.size > 1, m.id).toBe(m.usesRandomness === true);
    }
  });
});
