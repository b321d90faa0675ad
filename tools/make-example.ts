/**
 * Generates the bundled example dataset: CT-like axial slices of an abdomen
 * phantom, with and without a round hyper-dense lesion, as CT DICOM files in
 * class folders (`lesion/`, `normal/`), written with dcmjs (not our reader).
 * Stored value = HU + 1024 with Rescale Intercept -1024, as scanners store CT,
 * so the reader's HU are air -1000, fat about -80, organ about 60, bone 700.
 * Each slice is its own synthetic patient (`PHANTOM-###`, no real data).
 *
 * Usage: node bin/run-ts.mjs tools/make-example.ts [outDir] [countPerClass] [size]
 * The committed example was made with the defaults.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import dcmjs from 'dcmjs';
import { createRng } from '../src/engine/run/rng';
import { ProjectStore } from '../src/engine/store/project-store';
import { createBuiltinRegistry } from '../src/engine/service/builtin-registry';
import { GraphBuilder } from '../src/engine/test-support/pipeline';

const outDir = resolve(process.argv[2] ?? 'resources/examples/lesions/data');
const perClass = Number(process.argv[3] ?? 120);
const size = Number(process.argv[4] ?? 80);
const OFFSET = 1024;
const { DicomDict, DicomMetaDictionary } = dcmjs.data;

/** A CT image storage file holding `stored` (HU + 1024) as unsigned 16-bit. */
function ctDicom(stored: Uint16Array, patient: string, rng: () => number): Buffer {
  // UUID-derived UIDs (2.25.x) from the seeded stream, so the files are reproducible.
  const uid = (): string =>
    `2.25.${Array.from({ length: 36 }, (_, i) => Math.floor(rng() * 10) || (i === 0 ? 1 : 0)).join('')}`;
  const dataset = {
    _vrMap: { PixelData: 'OW' },
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.2',
    SOPInstanceUID: uid(),
    StudyInstanceUID: uid(),
    SeriesInstanceUID: uid(),
    Modality: 'CT',
    PatientID: patient,
    PatientName: `Phantom^${patient}`,
    Manufacturer: 'Phi Studio phantom generator',
    Rows: size,
    Columns: size,
    BitsAllocated: 16,
    BitsStored: 12,
    HighBit: 11,
    PixelRepresentation: 0,
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    RescaleIntercept: '-1024',
    RescaleSlope: '1',
    WindowCenter: '50',
    WindowWidth: '400',
    PixelSpacing: ['0.8', '0.8'],
    SliceThickness: '2.5',
    PixelData: stored.buffer,
  };
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: dataset.SOPClassUID,
    MediaStorageSOPInstanceUID: dataset.SOPInstanceUID,
    TransferSyntaxUID: '1.2.840.10008.1.2.1',
    ImplementationClassUID: '1.2.826.0.1.3680043.9.7433.1',
  };
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  return Buffer.from(dict.write());
}

/** Box-Muller normal deviate from a uniform source. */
function gaussian(rng: () => number): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** One slice in HU: body ellipse, spine, liver-like organ, optional lesion, smoothed noise. */
function slice(rng: () => number, lesion: boolean): Float32Array {
  const hu = new Float32Array(size * size).fill(-1000);
  const cx = size / 2 + (rng() - 0.5) * 6;
  const cy = size / 2 + (rng() - 0.5) * 6;
  const rx = size * (0.4 + rng() * 0.05);
  const ry = size * (0.3 + rng() * 0.05);
  const organ = { x: cx - rx * 0.35, y: cy - ry * 0.1, rx: rx * 0.45, ry: ry * 0.55, hu: 55 + rng() * 10 };
  const spine = { x: cx, y: cy + ry * 0.65, r: size * 0.06 };
  const lesionAt = {
    // Inside the organ, away from its border.
    x: organ.x + (rng() - 0.5) * organ.rx * 0.8,
    y: organ.y + (rng() - 0.5) * organ.ry * 0.8,
    r: size * (0.06 + rng() * 0.05),
    hu: 40 + rng() * 50,
  };
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const inBody = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;
      if (!inBody) continue;
      let value = -80 + 40 * Math.max(0, 1 - ((x - cx) / rx) ** 2 - ((y - cy) / ry) ** 2); // fat to muscle
      if (((x - organ.x) / organ.rx) ** 2 + ((y - organ.y) / organ.ry) ** 2 <= 1) value = organ.hu;
      if ((x - spine.x) ** 2 + (y - spine.y) ** 2 <= spine.r ** 2) value = 700;
      if (lesion && (x - lesionAt.x) ** 2 + (y - lesionAt.y) ** 2 <= lesionAt.r ** 2)
        value = organ.hu + lesionAt.hu;
      hu[y * size + x] = value;
    }
  }
  // Correlated noise (3x3 mean of white noise), like reconstruction noise.
  const white = Float32Array.from({ length: size * size }, () => gaussian(rng) * 18);
  for (let y = 1; y < size - 1; y++) {
    for (let x = 1; x < size - 1; x++) {
      let sum = 0;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) sum += white[(y + dy) * size + x + dx];
      if (hu[y * size + x] > -900) hu[y * size + x] += sum / 3;
    }
  }
  return hu;
}

function main(): void {
  rmSync(outDir, { recursive: true, force: true });
  const rng = createRng(20261123);
  for (const className of ['lesion', 'normal']) {
    mkdirSync(join(outDir, className), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const hu = slice(rng, className === 'lesion');
      const stored = new Uint16Array(size * size);
      for (let p = 0; p < stored.length; p++)
        stored[p] = Math.max(0, Math.min(4095, Math.round(hu[p] + OFFSET)));
      const name = `${className}-${String(i).padStart(3, '0')}`;
      const patient = `PHANTOM-${className === 'lesion' ? 'L' : 'N'}${String(i).padStart(3, '0')}`;
      writeFileSync(join(outDir, className, `${name}.dcm`), ctDicom(stored, patient, rng));
    }
  }
  console.log(`Wrote ${2 * perClass} slices of ${size}x${size} to ${outDir}`);
  writeProject(join(outDir, '..', 'lesions.phiproj'));
}

/** Dataset -> abdomen window -> resize -> grayscale -> small CNN, with defaults that learn in minutes. */
function writeProject(path: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  const registry = createBuiltinRegistry();
  const graph = new GraphBuilder(registry)
    .chain(
      ['dataset', 'dataset', { path: 'data', task: 'classification' }],
      ['window', 'window-setting', { preset: 'abdomen' }],
      ['resize', 'resize', { width: 64, height: 64, interpolation: 'area' }],
      ['grayscale', 'color-to-grayscale', {}],
      // The network's defaults (16 epochs, learning rate 3e-3, cosine schedule) learn this data;
      // the window already scales HU to [0, 1], so no second normalisation.
      [
        'network',
        'neural-network',
        { task: 'classification', architecture: 'small-cnn', normalization: 'none' },
      ],
    )
    .build();
  ProjectStore.create(path, { name: 'Lesion detection on CT phantoms', graph }).close();
  console.log(`Wrote ${path}`);
}

main();
