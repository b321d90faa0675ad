/**
 * `npm run bench -- series-seg [SLICES] [SIZE]`: what the DICOM SEG that `phi predict` writes beside
 * a DICOM series' NIfTI mask costs, against writing that NIfTI mask (the baseline), in the same run
 * on the same mask: an oblique series of SLICES slices (default 100) of SIZE x SIZE (default 512)
 * written by pydicom, a mask with a sphere per class, the SEG built with 1 and with 3 segments
 * (one frame per slice per segment). Each is timed three times; the best counts. Prints seconds,
 * the ratio to the NIfTI write, and the SEG's size.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { niftiWithAffine } from '../src/engine/data/nifti-writer';
import { seriesVolumes } from '../src/engine/data/series-input';
import { buildSeriesSeg } from '../src/engine/pacs/seg';
import { OBLIQUE_SERIES_PY } from '../src/engine/test-support/oblique-series';
import { pythonWith, runPython } from '../src/engine/test-support/python';

const slices = Number(process.argv[2] ?? 100);
const size = Number(process.argv[3] ?? 512);
const dir = mkdtempSync(join(tmpdir(), 'phi-bench-series-seg-'));
try {
  runPython(
    pythonWith(['pydicom', 'numpy'], 'python3-pydicom'),
    `${OBLIQUE_SERIES_PY}
import sys
rng = np.random.default_rng(1)
write_series(sys.argv[1] + '/series', rng.integers(-1000, 1000, size=(${size}, ${size}, ${slices})).astype(np.int16), rng)
`,
    [dir],
  );
  const folder = join(dir, 'series');
  const files = readdirSync(folder).map((f) => join(folder, f));
  const [series] = (await seriesVolumes(dir, files)).volumes;
  const [d, h, w] = series.image.shape;
  // One sphere per class, each a quarter of the volume across.
  const mask = new Uint8Array(d * h * w);
  for (let z = 0; z < d; z++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const k = [1, 2, 3].find((c) => {
          const [cz, cy, cx] = [d / 2, (h * c) / 4, (w * c) / 4];
          return ((z - cz) / (d / 4)) ** 2 + ((y - cy) / (h / 8)) ** 2 + ((x - cx) / (w / 8)) ** 2 <= 1;
        });
        if (k) mask[(z * h + y) * w + x] = k;
      }
  const best = (run: () => unknown): number => {
    let fastest = Infinity;
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      run();
      fastest = Math.min(fastest, (performance.now() - started) / 1000);
    }
    return fastest;
  };
  const nifti = best(() =>
    niftiWithAffine(mask, { nx: w, ny: h, nz: d }, series.affine ?? [], join(dir, 'mask.nii.gz'), {
      label: true,
    }),
  );
  let bytes = 0;
  const seg = (labels: string[]): number =>
    best(() => {
      bytes = buildSeriesSeg(
        mask,
        series.files,
        labels.map((label, k) => ({ value: k + 1, label })),
      ).length;
    });
  const one = seg(['a']);
  const oneBytes = bytes;
  const three = seg(['a', 'b', 'c']);
  console.log(`series ${d} slices of ${h} x ${w}; best of 3 runs`);
  console.log(`NIfTI mask (baseline)      ${nifti.toFixed(2)} s  1.00`);
  console.log(
    `SEG, 1 segment  (${d} frames)  ${one.toFixed(2)} s  ${(one / nifti).toFixed(2)}  ${(oneBytes / 1e6).toFixed(1)} MB`,
  );
  console.log(
    `SEG, 3 segments (${3 * d} frames) ${three.toFixed(2)} s  ${(three / nifti).toFixed(2)}  ${(bytes / 1e6).toFixed(1)} MB`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
