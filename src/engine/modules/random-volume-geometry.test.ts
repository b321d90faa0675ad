/**
 * Random 3-D Flip, Turn and Affine: each draw does what numpy and scipy do (numpy.flip,
 * numpy.rot90, scipy.ndimage.affine_transform with order 1 for the image and 0 for the mask),
 * the mask moves with the image, the same draws give the same volume, and validation volumes and
 * 2-D images pass unchanged.
 */
import { describe, expect, it } from 'vitest';
import type { Sample } from '../api';
import { seededValues } from '../test-support/arrays';
import { pythonWith, runPython } from '../test-support/python';
import { ctxWith } from '../test-support/samples';
import { randomVolumeGeometryModule as module } from './random-volume-geometry';

const PYTHON = pythonWith(['scipy', 'numpy'], 'python3-scipy');

/** Runs `code` with the JSON of `input` on stdin; returns the JSON it prints. */
const python = <T>(code: string, input: unknown): T => JSON.parse(runPython(PYTHON, code, [], input)) as T;

const [D, H, W] = [6, 8, 8];
const n = D * H * W;

function volume(split: Sample['split'] = 'train'): Sample {
  const mask = new Uint8Array(n);
  for (let z = 2; z < 5; z++)
    for (let y = 1; y < 4; y++) for (let x = 3; x < 7; x++) mask[(z * H + y) * W + x] = 1;
  return {
    id: 'v.nii.gz',
    image: { data: seededValues(n, 5, 0, 100), shape: [D, H, W, 1], colorMode: 'grayscale' },
    label: { kind: 'mask', mask: { data: mask, shape: [D, H, W, 1], colorMode: 'grayscale' } },
    split,
    meta: {},
  };
}

const NUMPY_MOVES = `
import json, sys
import numpy as np
q = json.load(sys.stdin)
x = np.array(q['values']).reshape(q['shape'])
for axis in q['flips']:
    x = np.flip(x, axis)
if q['turn']:
    x = np.rot90(x, -q['turn']['k'], tuple(q['turn']['plane']))
print(json.dumps(x.ravel().tolist()))
`;

const params = (over: Record<string, number>) =>
  module.params.parse({ flipProbability: 0, turnProbability: 0, affineProbability: 0, ...over });

describe('Random 3-D Flip, Turn and Affine', () => {
  it('flips the drawn axes and turns in a square plane as numpy does, the mask with the image', async () => {
    const sample = volume();
    // Draws: flip z yes, flip y no, flip x yes; a turn; the axial plane (the only square one); k = 3.
    const ctx = ctxWith([0.1, 0.9, 0.1, 0.1, 0.0, 0.99]);
    const out = (await module.run(
      sample,
      params({ flipProbability: 0.5, turnProbability: 0.5 }),
      ctx,
    )) as Sample;
    for (const [name, before, after] of [
      ['image', sample.image, out.image],
      [
        'mask',
        sample.label?.kind === 'mask' && sample.label.mask,
        out.label?.kind === 'mask' && out.label.mask,
      ],
    ] as const) {
      if (!before || !after) throw new Error(`no ${name}`);
      const want = python<number[]>(NUMPY_MOVES, {
        values: Array.from(before.data),
        shape: [D, H, W],
        flips: [0, 2],
        turn: { plane: [1, 2], k: 3 },
      });
      expect(Array.from(after.data), name).toEqual(want.map((v) => (name === 'image' ? Math.fround(v) : v)));
    }
  });

  it('rotates and scales about the centre as scipy.ndimage.affine_transform', async () => {
    const sample = volume();
    // Draws: no flips (3), no turn, the affine, three angles and a scale.
    const ctx = ctxWith([0.9, 0.9, 0.9, 0.9, 0.1, 0.8, 0.3, 0.6, 0.7]);
    const p = params({
      flipProbability: 0.5,
      affineProbability: 0.5,
      maxAngle: 20,
      scaleMin: 0.8,
      scaleMax: 1.2,
    });
    const out = (await module.run(sample, p, ctx)) as Sample;
    // The same rotation and scale, built in numpy from the same draws.
    const reference = python<{ image: (number | null)[]; mask: (number | null)[] }>(
      `
import json, sys
import numpy as np
from scipy import ndimage
q = json.load(sys.stdin)
def rot(a, b, deg):
    m = np.eye(3); t = np.radians(deg); c, s = np.cos(t), np.sin(t)
    m[a, a] = c; m[b, b] = c; m[b, a] = s; m[a, b] = -s
    return m
angles = [-20 + 40 * u for u in (0.8, 0.3, 0.6)]
forward = np.eye(3)
for (a, b), deg in zip([(1, 2), (0, 2), (0, 1)], angles):
    forward = rot(a, b, deg) @ forward
scale = 0.8 + 0.4 * 0.7
inverse = forward.T / scale
shape = q['shape']
centre = (np.array(shape) - 1) / 2
offset = centre - inverse @ centre
image = np.array(q['image'], dtype=np.float64).reshape(shape)
mask = np.array(q['mask'], dtype=np.float64).reshape(shape)
warped = ndimage.affine_transform(image, inverse, offset, order=1, mode='constant', cval=0)
labels = ndimage.affine_transform(mask, inverse, offset, order=0, mode='constant', cval=0)
# Compare where the source point lies inside the volume (the border convention differs outside).
grid = np.stack(np.meshgrid(*[np.arange(s) for s in shape], indexing='ij'), -1).reshape(-1, 3)
src = grid @ inverse.T + offset
inside = np.all((src >= 0) & (src <= np.array(shape) - 1), axis=1)
print(json.dumps({'image': [float(v) if i else None for v, i in zip(warped.ravel(), inside)],
                  'mask': [float(v) if i else None for v, i in zip(labels.ravel(), inside)]}))
`,
      {
        image: Array.from(sample.image.data),
        mask: Array.from(sample.label?.kind === 'mask' ? sample.label.mask.data : []),
        shape: [D, H, W],
      },
    );
    const mask = out.label?.kind === 'mask' ? out.label.mask.data : new Uint8Array();
    let compared = 0;
    let worst = 0;
    let masksDiffer = 0;
    reference.image.forEach((v, i) => {
      if (v === null) return;
      compared++;
      worst = Math.max(worst, Math.abs(out.image.data[i] - v));
      if (mask[i] !== reference.mask[i]) masksDiffer++;
    });
    expect(compared).toBeGreaterThan(n / 3);
    expect(worst).toBeLessThan(1e-3);
    expect(masksDiffer).toBe(0);
    expect(new Set(mask)).toEqual(new Set([0, 1]));
  });

  it('gives the same volume for the same draws and passes validation volumes and 2-D images', async () => {
    const p = params({ flipProbability: 0.5, turnProbability: 0.5, affineProbability: 0.5 });
    const draws = [0.2, 0.7, 0.4, 0.3, 0.5, 0.5, 0.2, 0.1, 0.9, 0.4, 0.6];
    const a = (await module.run(volume(), p, ctxWith(draws))) as Sample;
    const b = (await module.run(volume(), p, ctxWith(draws))) as Sample;
    expect(a.image.data).toEqual(b.image.data);
    expect(a.image.data).not.toEqual(volume().image.data);
    const validation = volume('validation');
    expect(await module.run(validation, p, ctxWith([0], 'validation'))).toBe(validation);
    const image: Sample = {
      ...volume(),
      image: { data: new Uint8Array(16), shape: [4, 4, 1], colorMode: 'grayscale' },
    };
    expect(await module.run(image, p, ctxWith([0]))).toBe(image);
  });
});
