/**
 * Our modules against OpenCV 4.6 / scikit-image 0.19 outputs computed by
 * tools/reference/generate.py (Debian python3-opencv, python3-skimage) and
 * committed in __fixtures__/reference.json. Each case states its tolerance:
 * max absolute difference per value (`max`), or the fraction of differing
 * pixels (`mismatch`, for Canny, whose result is a binary map).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageData, PixelArray } from '../api';
import { dtypeOf } from '../api';
import { allocate } from '../imaging/image';
import { builtinModules } from './index';
import { loadOpenCv, opencv, setOpenCvEnabled } from './ops/opencv';
import { warpAffine, type Affine } from './ops/warp';

interface Encoded {
  dtype: 'uint8' | 'uint16' | 'int16' | 'float32';
  shape: number[];
  data: number[];
}
interface Case {
  name: string;
  input: string;
  module?: string;
  op?: string;
  matrix?: number[];
  params: Record<string, unknown>;
  expected: Encoded;
  tol: number;
  metric: 'max' | 'mismatch';
  reference: string;
}
const fixture = JSON.parse(
  readFileSync(fileURLToPath(new URL('./__fixtures__/reference.json', import.meta.url)), 'utf8'),
) as { inputs: Record<string, Encoded>; cases: Case[]; versions: Record<string, string> };

function decode(e: Encoded): ImageData {
  const data: PixelArray = allocate(e.dtype, e.data.length);
  data.set(e.data);
  return { data, shape: e.shape, colorMode: e.shape[2] === 3 ? 'rgb' : 'grayscale' };
}

async function compute(c: Case): Promise<ImageData> {
  const input = decode(fixture.inputs[c.input]);
  if (c.op === 'warpAffine') {
    const [h, w, ch] = input.shape;
    const data = warpAffine(
      input.data,
      { height: h, width: w, channels: ch },
      c.matrix as Affine,
      { height: h, width: w },
      'bilinear',
      0,
    );
    return { ...input, data };
  }
  const m = builtinModules.find((x) => x.id === c.module);
  if (!m) throw new Error(`no module ${c.module}`);
  const out = await m.run({ id: c.name, image: input, meta: {} }, m.params.parse(c.params), {
    nodeId: 'ref',
    rng: () => 0,
    inputs: {},
  });
  if (!out) throw new Error('dropped');
  return out.image;
}

// Both implementations of the heavy kernels must match: opencv.js (the fast path) and the
// typed-array kernels used before it loads or where it lacks a layout.
describe.each([
  ['opencv.js', true],
  ['typed-array kernels', false],
] as const)(
  `reference outputs (OpenCV ${fixture.versions.opencv}, scikit-image ${fixture.versions.skimage}) via %s`,
  (_name, useCv) => {
    beforeAll(async () => {
      expect(await loadOpenCv()).toBe(true);
      setOpenCvEnabled(useCv);
      expect(opencv() !== null).toBe(useCv);
    });
    afterAll(() => setOpenCvEnabled(true));
    for (const c of fixture.cases) {
      it(`${c.name} matches ${c.reference} (${c.metric === 'max' ? `max |diff| <= ${c.tol}` : `mismatch <= ${c.tol * 100}%`})`, async () => {
        const out = await compute(c);
        expect(out.shape).toEqual(c.expected.shape);
        if (c.expected.dtype !== 'float32') expect(dtypeOf(out.data)).toBe(c.expected.dtype);
        const exp = c.expected.data;
        if (c.metric === 'mismatch') {
          let diff = 0;
          for (let i = 0; i < exp.length; i++) if (out.data[i] !== exp[i]) diff++;
          expect(diff / exp.length).toBeLessThanOrEqual(c.tol);
          return;
        }
        let worst = 0;
        let at = -1;
        for (let i = 0; i < exp.length; i++) {
          const d = Math.abs(out.data[i] - exp[i]);
          // Relative slack for float cases with large magnitudes (float32 rounding).
          const allowed = c.tol + (c.expected.dtype === 'float32' ? Math.abs(exp[i]) * 1e-6 : 0);
          if (d - allowed > worst - (at >= 0 ? 0 : 0) && d > allowed) {
            worst = d;
            at = i;
          }
        }
        expect(at, at >= 0 ? `value ${at}: ours ${out.data[at]}, reference ${exp[at]}` : '').toBe(-1);
      });
    }
  },
);
