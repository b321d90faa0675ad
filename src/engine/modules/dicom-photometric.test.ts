/**
 * The explicit photometric modules on real DICOM: Apply Palette against pydicom's apply_color_lut
 * (plain and segmented palettes, the segmented file written at test time by pydicom), Invert
 * MONOCHROME1 against the stored range.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sample } from '../api';
import { scratchFolder } from '../test-support/scratch-folders';
import { decodeImage } from '../data/readers';
import { applyPaletteModule } from './apply-palette';
import { invertMonochrome1Module } from './invert-monochrome1';
import type { ModuleContext } from '../graph/node-type';
import { pythonWith } from '../test-support/python';

const DICOM = join(__dirname, '../../../resources/fixtures/data/dicom');
const ctx = {} as ModuleContext;

/** Writes a segmented-palette copy of `source` to `target`, prints apply_color_lut of both as JSON. */
const SCRIPT = `
import json, sys, numpy as np, pydicom
from pydicom.pixel_data_handlers.util import apply_color_lut
source, target = sys.argv[1], sys.argv[2]
ds = pydicom.dcmread(source)
plain = apply_color_lut(ds.pixel_array, ds)
# Discrete, linear and indirect segments (PS3.3 C.7.9.2), 16-bit words.
red = [0, 3, 0, 5000, 9000, 1, 100, 65535, 2, 2, 0, 0, 1, 50, 0]
green = [0, 1, 65535, 1, 255, 1000]
blue = [0, 1, 0, 1, 255, 40000]
for name, words in (("Red", red), ("Green", green), ("Blue", blue)):
    delattr(ds, f"{name}PaletteColorLookupTableData")
    setattr(ds, f"Segmented{name}PaletteColorLookupTableData", np.array(words, "<u2").tobytes())
    setattr(ds, f"{name}PaletteColorLookupTableDescriptor", [256, 0, 16])
ds.save_as(target)
segmented = apply_color_lut(pydicom.dcmread(target).pixel_array, pydicom.dcmread(target))
print(json.dumps({"plain": plain.reshape(-1).tolist(), "segmented": segmented.reshape(-1).tolist()}))
`;

const PYTHON = pythonWith(['pydicom', 'numpy'], 'python3-pydicom');

async function sampleOf(file: string): Promise<Sample> {
  const { meta, ...image } = await decodeImage(file);
  return { id: file, image, meta };
}

describe('Apply Palette', () => {
  it('maps plain and segmented palettes as pydicom apply_color_lut does', async () => {
    const dir = await scratchFolder();
    try {
      const segmentedFile = join(dir.root, 'segmented.dcm');
      const out = execFileSync(PYTHON, ['-c', SCRIPT, join(DICOM, 'us_palette.dcm'), segmentedFile], {
        encoding: 'utf8',
      });
      const reference = JSON.parse(out) as { plain: number[]; segmented: number[] };
      for (const [file, expected] of [
        [join(DICOM, 'us_palette.dcm'), reference.plain],
        [segmentedFile, reference.segmented],
      ] as const) {
        const sample = await sampleOf(file);
        expect(sample.image.shape[2]).toBe(1);
        expect(sample.meta.PhotometricInterpretation).toBe('PALETTE COLOR');
        const rgb = await applyPaletteModule.run(sample, {}, ctx);
        expect(rgb?.image.shape).toEqual([...sample.image.shape.slice(0, -1), 3]);
        expect(rgb?.image.colorMode).toBe('rgb');
        expect(rgb?.meta.PhotometricInterpretation).toBe('RGB');
        expect([...(rgb?.image.data ?? [])]).toEqual(expected);
      }
    } finally {
      await dir.dispose();
    }
  });

  it('passes items without a palette unchanged', async () => {
    const sample = await sampleOf(join(DICOM, 'ct_explicit_le.dcm'));
    expect(await applyPaletteModule.run(sample, {}, ctx)).toBe(sample);
  });
});

describe('Invert MONOCHROME1', () => {
  it('inverts MONOCHROME1 within the range Bits Stored allows and marks it MONOCHROME2', async () => {
    const sample = await sampleOf(join(DICOM, 'dx_monochrome1.dcm'));
    expect(sample.meta.PhotometricInterpretation).toBe('MONOCHROME1');
    const bitsStored = sample.meta.BitsStored as number;
    const out = await invertMonochrome1Module.run(sample, {}, ctx);
    expect(out?.meta.PhotometricInterpretation).toBe('MONOCHROME2');
    expect([...(out?.image.data ?? [])]).toEqual([...sample.image.data].map((v) => 2 ** bitsStored - 1 - v));
  });

  it('passes MONOCHROME2 items unchanged', async () => {
    const sample = await sampleOf(join(DICOM, 'ct_explicit_le.dcm'));
    expect(await invertMonochrome1Module.run(sample, {}, ctx)).toBe(sample);
  });
});
