/**
 * Our readers against the reference decoders, file by file: the DICOM test
 * files Debian's python3-pydicom ships (decoded by pydicom with GDCM, Pillow
 * and its own handlers) and the NIfTI examples of python3-nibabel. The
 * reference arrays are written at test time by tools/fixtures/reference_decode.py.
 *
 * Compared values: what our reader gives (after rescale) against pydicom's
 * apply_modality_lut(pixel_array) for monochrome and PALETTE COLOR (indices),
 * pixel_array converted to RGB for colour, nibabel's scaled dataobj for NIfTI.
 * Exact for lossless data and for 12-bit JPEG (GDCM decodes it on both sides);
 * other lossy JPEG/JPEG 2000/JPEG-LS near-lossless within LOSSY_TOLERANCE (our
 * libjpeg-turbo/OpenJPEG/CharLS against GDCM's builds);
 * YBR to RGB conversions of uncompressed/RLE data within 1 (rounding).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNpy } from '../../nn/io/npy';
import { inspectFile } from '../inspect';
import { scratchFolder, type ScratchFolder } from '../../test-support/scratch-folders';
import { decodeImage, messageOf } from '.';
import type { DecodedImage } from './types';
import { pythonWith } from '../../test-support/python';

const SCRIPT = join(__dirname, '../../../../tools/fixtures/reference_decode.py');
const LOSSY_TOLERANCE = 2;
const YBR_TOLERANCE = 1;

/**
 * Files the reference decodes and we refuse, each with the reason our error gives. The test
 * fails when this list and the refusals differ, in either direction.
 */
const KNOWN_REFUSALS: Record<string, RegExp> = {
  // The dataset is implicit VR although its meta says explicit; pydicom guesses, DCMTK and dicom-parser refuse.
  'SC_rgb_jpeg.dcm': /invalid DICOM: .*buffer overrun/,
  // OpenJPEG (the cornerstone build) returns an empty image for this code stream; GDCM decodes it.
  'JPEG2000-embedded-sequence-delimiter.dcm': /compressed frame is 0x0/,
};

/**
 * Lossy files we decode with the reference's own decoder (GDCM's 12-bit libjpeg, in WebAssembly):
 * compared exactly, not within LOSSY_TOLERANCE.
 */
const SAME_DECODER = new Set(['JPGExtended.dcm', 'JPEG-lossy.dcm']);

/** Files we decode although the reference cannot, each with why that is right. */
const DECODED_ONLY_BY_US: Record<string, string> = {};

const PYTHON = pythonWith(['pydicom', 'nibabel', 'numpy'], 'python3-pydicom python3-nibabel');

function packageDir(code: string): string {
  return execFileSync(PYTHON, ['-c', `import os; ${code}`], { encoding: 'utf8' }).trim();
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else if (!/\.(json|txt|dump)$|^README/.test(name)) out.push(path);
  }
  return out;
}

const DICOM_DIR = join(
  packageDir('import pydicom.data; print(os.path.dirname(pydicom.data.__file__))'),
  'test_files',
);
const NIFTI_DIR = packageDir(
  'import nibabel.tests; print(os.path.join(os.path.dirname(nibabel.tests.__file__), "data"))',
);
const FILES = [
  ...filesUnder(DICOM_DIR),
  ...readdirSync(NIFTI_DIR)
    .filter((n) => /\.(nii|nii\.gz|hdr)$/.test(n))
    .sort()
    .map((n) => join(NIFTI_DIR, n)),
];

interface Reference {
  file: string;
  npy?: string;
  error?: string;
  lossy?: boolean;
  ybrConverted?: boolean;
  handler?: string;
  photometric?: string;
  stored?: [number, number, number];
}

type Ours = { image: DecodedImage } | { error: string };

const nameOf = (file: string): string =>
  file.slice(file.startsWith(DICOM_DIR) ? DICOM_DIR.length + 1 : NIFTI_DIR.length + 1);
const references = new Map<string, Reference>();
const ours = new Map<string, Ours>();
let dir: ScratchFolder;

beforeAll(async () => {
  dir = await scratchFolder('phi-reference-');
  execFileSync(PYTHON, [SCRIPT, dir.root, ...FILES], {
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 300_000,
  });
  const index = JSON.parse(readFileSync(join(dir.root, 'index.json'), 'utf8')) as Reference[];
  for (const entry of index) references.set(entry.file, entry);
  for (const file of FILES) {
    try {
      ours.set(file, { image: await decodeImage(file) });
    } catch (error) {
      ours.set(file, { error: messageOf(error) });
    }
  }
});

afterAll(() => dir?.dispose());

/** Largest absolute difference, or a description of why the arrays cannot be compared. */
function compare(image: DecodedImage, ref: Reference): { shape: string; max: number; relative: number } {
  const expected = parseNpy(readFileSync(join(dir.root, ref.npy as string)));
  const shape =
    image.shape.join('x') === expected.shape.join('x') ? '' : `${image.shape} vs ${expected.shape}`;
  let max = 0;
  let relative = 0;
  if (!shape) {
    for (let i = 0; i < expected.data.length; i++) {
      const [a, b] = [image.data[i], expected.data[i]];
      // NaN voxels (NIfTI outside the brain) must be NaN in both.
      const d = Number.isNaN(a) && Number.isNaN(b) ? 0 : Math.abs(a - b);
      if (!(d <= max)) max = Number.isNaN(d) ? Infinity : d;
      if (Number.isNaN(d)) relative = Infinity;
      if (d > 0) relative = Math.max(relative, d / Math.max(1, Math.abs(b)));
    }
  }
  return { shape, max, relative };
}

function toleranceOf(ref: Reference, image: DecodedImage): number {
  if (ref.lossy && SAME_DECODER.has(basename(ref.file))) return 0;
  if (ref.lossy) return LOSSY_TOLERANCE;
  if (ref.ybrConverted) return YBR_TOLERANCE;
  return image.data instanceof Float32Array ? -1 : 0;
}

describe('readers against pydicom (GDCM) and nibabel on their own test files', () => {
  it('has reference files to compare', () => {
    expect(FILES.length).toBeGreaterThan(50);
  });

  it.each(FILES.map((f) => [nameOf(f), f]))('%s', (_name, file) => {
    const ref = references.get(file);
    const our = ours.get(file);
    expect(ref).toBeDefined();
    expect(our).toBeDefined();
    if (!ref || !our) return;
    const name = basename(file);
    if (ref.error) {
      if ('image' in our)
        expect(
          DECODED_ONLY_BY_US[name],
          `we decode ${name}, the reference does not: ${ref.error}`,
        ).toBeDefined();
      return;
    }
    if ('error' in our) {
      expect(KNOWN_REFUSALS[name], `we refuse ${name}, the reference decodes it: ${our.error}`).toBeDefined();
      expect(our.error).toMatch(KNOWN_REFUSALS[name]);
      return;
    }
    expect(KNOWN_REFUSALS[name], `${name} is listed as refused but decodes`).toBeUndefined();
    const { shape, max, relative } = compare(our.image, ref);
    expect(shape).toBe('');
    const tolerance = toleranceOf(ref, our.image);
    if (tolerance < 0) expect(relative).toBeLessThanOrEqual(1e-6);
    else expect(max).toBeLessThanOrEqual(tolerance);
  });

  it('phi inspect reports the photometric interpretation and stored values as pydicom gives them', async () => {
    let checked = 0;
    for (const file of FILES) {
      const ref = references.get(file);
      const our = ours.get(file);
      if (!ref?.stored || !our || 'error' in our) continue;
      const report = await inspectFile(file, nameOf(file));
      if ('error' in report) throw new Error(report.error);
      expect(report.photometric, nameOf(file)).toBe(ref.photometric);
      const [min, max, mean] = ref.stored;
      expect([report.stored.min, report.stored.max], nameOf(file)).toEqual([min, max]);
      expect(report.stored.mean, nameOf(file)).toBeCloseTo(mean, 3);
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('summary', () => {
    const rows = FILES.map((file) => {
      const ref = references.get(file) as Reference;
      const our = ours.get(file) as Ours;
      const name = nameOf(file);
      if (ref.error && 'error' in our)
        return { name, kind: 'neither', detail: `${ref.error} | ${our.error}` };
      if (ref.error) return { name, kind: 'only ours', detail: ref.error };
      if ('error' in our) return { name, kind: 'refused', detail: our.error };
      const c = compare(our.image, ref);
      const tolerance = toleranceOf(ref, our.image);
      const equal = !c.shape && (tolerance < 0 ? c.relative <= 1e-6 : c.max <= tolerance);
      return {
        name,
        kind: equal ? 'equal' : 'differ',
        detail: c.shape || `max |diff| ${c.max} (${ref.handler})`,
      };
    });
    const count = (kind: string): number => rows.filter((r) => r.kind === kind).length;
    console.log(
      `${rows.length} files: ${count('equal')} equal, ${count('differ')} differ, ${count('refused')} refused by us only, ` +
        `${count('neither')} decoded by neither, ${count('only ours')} by us only\n` +
        rows
          .filter((r) => r.kind !== 'equal')
          .map((r) => `  ${r.kind}: ${r.name}: ${r.detail}`)
          .join('\n'),
    );
    expect(rows.filter((r) => r.kind === 'refused').map((r) => basename(r.name))).toEqual(
      Object.keys(KNOWN_REFUSALS).sort(),
    );
  });
});
