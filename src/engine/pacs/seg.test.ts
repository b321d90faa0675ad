/**
 * The SEG of a series refuses, each in one sentence naming the problem, what it cannot draw on:
 * slices without a shared Frame of Reference UID, a slice of another orientation, a mask of another
 * shape than the series, an empty mask (`phi predict` then says why a series got no SEG:
 * src/engine/cli/commands/predict-dicom-series.test.ts).
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeNpyFloat32 } from '../nn/io/npy';
import { OBLIQUE_SERIES_PY } from '../test-support/oblique-series';
import { pythonWith, runPython } from '../test-support/python';
import { scratchFolder, type ScratchFolder } from '../test-support/scratch-folders';
import { buildSeg, buildSeriesSeg } from './seg';

const MAKE = `${OBLIQUE_SERIES_PY}
import glob, sys
import pydicom
root = sys.argv[1]
rng = np.random.default_rng(2)
volume = lambda: rng.integers(-100, 300, size=(10, 8, 4)).astype(np.int16)
write_series(f'{root}/good', volume(), rng)
write_series(f'{root}/no-frame', volume(), rng, frame_of_reference=False)
write_series(f'{root}/tilted', volume(), rng)
first = sorted(glob.glob(f'{root}/tilted/*.dcm'))[0]
d = pydicom.dcmread(first)
d.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
d.save_as(first)
`;

let folder: ScratchFolder;
const slicesOf = (name: string): string[] =>
  readdirSync(join(folder.root, name))
    .sort()
    .map((f) => join(folder.root, name, f));

beforeAll(async () => {
  folder = await scratchFolder('phi-seg-');
  runPython(pythonWith(['pydicom', 'numpy'], 'python3-pydicom'), MAKE, [folder.root]);
});
afterAll(() => folder?.dispose());

describe('the SEG of a series refuses what it cannot draw on', () => {
  const lesion = [{ value: 1, label: 'lesion' }];
  const mask = new Uint8Array(4 * 8 * 10).fill(1);

  it('slices without a Frame of Reference UID', () => {
    expect(() => buildSeriesSeg(mask, slicesOf('no-frame'), lesion)).toThrow(
      `the slices of the series of ${slicesOf('no-frame')[0]} do not share one Frame of Reference UID`,
    );
  });

  it('a slice of another orientation', () => {
    expect(() => buildSeriesSeg(mask, slicesOf('tilted'), lesion)).toThrow(
      /is not parallel to the other slices of the series of .*: give the slices of one orientation$/,
    );
  });

  it('a mask of another size', () => {
    expect(() => buildSeriesSeg(mask.subarray(1), slicesOf('good'), lesion)).toThrow(
      'the mask has 319 voxels but the series 4 x 8 x 10',
    );
  });

  it('a mask file of another shape, or empty, given for a series folder', async () => {
    const wrong = join(folder.root, 'wrong.npy');
    writeFileSync(wrong, encodeNpyFloat32(new Float32Array(3 * 8 * 10).fill(1), [3, 8, 10]));
    await expect(buildSeg(wrong, join(folder.root, 'good'))).rejects.toThrow(
      'the mask is 3x8x10 but the source series is 4x8x10 (slices x rows x columns, slices ordered along their normal)',
    );
    const empty = join(folder.root, 'empty.npy');
    writeFileSync(empty, encodeNpyFloat32(new Float32Array(4 * 8 * 10), [4, 8, 10]));
    await expect(buildSeg(empty, join(folder.root, 'good'))).rejects.toThrow(
      'the mask is empty (every value is 0): there is nothing to segment',
    );
  });
});
