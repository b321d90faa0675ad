/**
 * The figures of 3-D test volumes: each volume measured on its own with its label's spacing and
 * averaged over volumes, background null in the per-class arrays; a label volume without spacing
 * or of another size is refused with a sentence.
 */
import { describe, expect, it } from 'vitest';
import type { ImageData, Sample } from '../../api';
import { smp } from '../../test-support/samples';
import { volumeMetrics } from '../metrics/volume';
import { VolumeFigures } from './volume-figures';

const SHAPE = [4, 5, 6];

function volume(data: Uint8Array, spacing?: number[]): ImageData {
  return { data, shape: [...SHAPE, 1], colorMode: 'grayscale', ...(spacing ? { spacing } : {}) };
}

/** A 4x5x6 volume of class 0 with a box of `cls` from `at` (z, y, x) of side 2. */
function boxes(...parts: { cls: number; at: number[] }[]): Uint8Array {
  const out = new Uint8Array(4 * 5 * 6);
  for (const { cls, at } of parts)
    for (let z = at[0]; z < at[0] + 2; z++)
      for (let y = at[1]; y < at[1] + 2; y++)
        for (let x = at[2]; x < at[2] + 2; x++) out[(z * 5 + y) * 6 + x] = cls;
  return out;
}

function labelled(id: string, truth: Uint8Array, spacing?: number[]): Sample {
  return {
    ...smp(volume(new Uint8Array(truth.length), [3, 1, 0.5]), { kind: 'mask', mask: volume(truth, spacing) }),
    id,
  };
}

describe('VolumeFigures', () => {
  it('averages each class over the volumes where it is defined, with the label spacing, background null', () => {
    const spacing = [2.5, 0.8, 0.7];
    const truthA = boxes({ cls: 1, at: [0, 0, 0] }, { cls: 2, at: [2, 3, 4] });
    const a = labelled('a', truthA, spacing);
    const predA = boxes({ cls: 1, at: [0, 1, 0] }, { cls: 2, at: [2, 3, 4] });
    // Class 2 in neither truth nor prediction of b: left out of b's mean rather than counted.
    const truthB = boxes({ cls: 1, at: [1, 1, 1] });
    const b = labelled('b', truthB, spacing);
    const predB = boxes({ cls: 1, at: [1, 1, 2] });
    const figures = new VolumeFigures(3);
    figures.add(a, predA);
    figures.add(b, predB);
    const m = figures.metrics();
    // Each volume on its own, as phi metrics measures it.
    const own = (truth: Uint8Array, pred: Uint8Array) => volumeMetrics('', truth, pred, SHAPE, spacing, 3);
    const ra = own(truthA, predA);
    const rb = own(truthB, predB);
    expect(rb.perClass.dice[1]).toBeNull();
    expect(m.dice).toEqual([
      null,
      ((ra.perClass.dice[0] as number) + (rb.perClass.dice[0] as number)) / 2,
      1,
    ]);
    expect(m.hd95).toEqual([
      null,
      ((ra.perClass.hd95[0] as number) + (rb.perClass.hd95[0] as number)) / 2,
      0,
    ]);
    // A one-row shift along y is 0.8 mm, the label's spacing, not the image's 1 mm.
    expect(ra.perClass.hd95[0]).toBeCloseTo(0.8, 12);
    expect(m.macroDice).toBe(((m.dice as number[])[1] + 1) / 2);
  });

  it("takes the image's spacing when the label has none, and refuses a volume with neither or of another size", () => {
    const truth = boxes({ cls: 1, at: [0, 0, 0] });
    const figures = new VolumeFigures(2);
    figures.add(labelled('a', truth), boxes({ cls: 1, at: [1, 0, 0] }));
    // One slice off, 3 mm apart in the image's spacing.
    expect(figures.metrics().hd95).toEqual([null, 3]);
    const bare = labelled('b', truth);
    delete bare.image.spacing;
    expect(() => figures.add(bare, truth)).toThrow(
      'its label volume gives no voxel spacing (pixdim), so distances in mm cannot be measured',
    );
    expect(() => figures.add(labelled('c', truth, [1, 1, 1]), truth.subarray(1))).toThrow(
      'its label volume has 120 voxels but the image 119',
    );
  });
});
