/**
 * Prediction overlays show the input as the View tab does: a MONOCHROME1 input
 * inverted, a PALETTE COLOR input in its palette colours (imaging/presentation.ts).
 * The inputs are 16x16 copies of the DICOM fixtures written by pydicom at test time.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sample } from '../api';
import { decodeImage } from '../data/readers';
import { presentedBytes, renderPresented } from '../imaging/presentation';
import { displayBytes, renderThumbnail } from '../imaging/thumbnail';
import { NetworkParamsSchema } from './params';
import { classMask, loadTrained, predictSample, releaseTrained, runSample, type Trained } from './predict';
import { maskOverlay, rgbBase } from './render';
import { phantomCollection, recordingContext } from '../test-support/phantoms';
import { train } from './train/trainer';
import { pythonWith } from '../test-support/python';

const DICOM = join(__dirname, '../../../resources/fixtures/data/dicom');

/** Copies `source` to `target` with its stored values tiled to 16x16 (pydicom). */
const RESIZE = `
import sys, numpy as np, pydicom
source, target = sys.argv[1], sys.argv[2]
ds = pydicom.dcmread(source)
a = ds.pixel_array
ds.PixelData = np.resize(a, (16, 16)).astype(a.dtype).tobytes()
ds.Rows, ds.Columns = 16, 16
ds.save_as(target)
`;

const PYTHON = pythonWith(['pydicom', 'numpy'], 'python3-pydicom');

async function pixelsOf(dataUrl: string): Promise<number[]> {
  const png = Buffer.from(dataUrl.split(',')[1], 'base64');
  return [...new Uint8Array(await sharp(png).toColourspace('srgb').raw().toBuffer())];
}

let dir: string;
let trained: Trained;
const samples = new Map<string, Sample>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'phi-predict-presentation-'));
  for (const name of ['dx_monochrome1.dcm', 'us_palette.dcm']) {
    const target = join(dir, name);
    execFileSync(PYTHON, ['-c', RESIZE, join(DICOM, name), target]);
    const { meta, ...image } = await decodeImage(target);
    samples.set(name, { id: name, image, meta });
  }
  const artifacts = join(dir, 'artifacts');
  const data = phantomCollection({ task: 'segmentation', count: 12, size: 16 });
  const params = NetworkParamsSchema.parse({
    task: 'segmentation',
    backend: 'wasm',
    baseFilters: 4,
    depth: 2,
    batchSize: 8,
    epochs: 1,
  });
  await train(data, params, recordingContext(artifacts));
  trained = await loadTrained(artifacts);
}, 120_000);

afterAll(() => {
  releaseTrained();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('prediction overlays use the presentation step', () => {
  it.each([
    ['dx_monochrome1.dcm', 'MONOCHROME1'],
    ['us_palette.dcm', 'PALETTE COLOR'],
  ])('%s (%s): input and overlay are drawn on the image as shown', async (name, photometric) => {
    const sample = samples.get(name) as Sample;
    expect(sample.meta.PhotometricInterpretation).toBe(photometric);
    const p = await predictSample(trained, sample);
    const shown = await renderPresented(sample, { size: 512 });
    const raw = await renderThumbnail(sample.image, { size: 512 });
    expect(await pixelsOf((p.input as { dataUrl: string }).dataUrl)).toEqual(await pixelsOf(shown.dataUrl));
    expect(await pixelsOf((p.input as { dataUrl: string }).dataUrl)).not.toEqual(await pixelsOf(raw.dataUrl));
    const { bytes, channels } = presentedBytes(sample);
    const mask = classMask(runSample(trained, sample).out, 16 * 16, trained.manifest.geometry.classes);
    const expected = maskOverlay(rgbBase(bytes, channels), mask);
    expect(await pixelsOf((p.overlay as { dataUrl: string }).dataUrl)).toEqual([...expected]);
    // The base is the shown image: inverted grey levels, or the palette's colours.
    const plain = displayBytes(sample.image, {});
    if (photometric === 'MONOCHROME1') expect([...bytes]).toEqual([...plain.bytes].map((v) => 255 - v));
    else expect([channels, plain.channels]).toEqual([3, 1]);
  });
});
