/**
 * Generates the bundled 3-D example: CT-like abdomen phantom volumes in
 * Hounsfield units with one or two spherical hyper-dense lesions, as NIfTI in
 * the Medical Segmentation Decathlon layout (`imagesTr/`, `labelsTr/` with
 * 0/1 lesion masks, `imagesTs/` unlabelled, `dataset.json` naming the
 * classes), written with the engine's NIfTI writer, plus the project that
 * `phi new --task segmentation` makes for that folder (the 3-D chain and the
 * 3-D U-Net) with the abdomen window in place of z-scores and 12 epochs.
 * Volumes are 32 x 32 x 24 voxels of 1.5 x 1.5 x 3 mm; no real data.
 *
 * Usage: node bin/run-ts.mjs tools/make-example-3d.ts [outDir] [cases]
 * The committed example was made with the defaults.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { niftiVolume } from '../src/engine/data/nifti-writer';
import { createRng } from '../src/engine/run/rng';
import { createBuiltinRegistry } from '../src/engine/service/builtin-registry';
import { makeNode, templateGraph } from '../src/engine/service/templates';
import { ProjectStore } from '../src/engine/store/project-store';

const outDir = resolve(process.argv[2] ?? 'resources/examples/lesions-3d');
const cases = Number(process.argv[3] ?? 12);
const [NX, NY, NZ] = [32, 32, 24];
const SPACING: [number, number, number] = [1.5, 1.5, 3];
const ORIGIN: [number, number, number] = [-24, -24, -36];

/** Box-Muller normal deviate from a uniform source. */
function gaussian(rng: () => number): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** One volume (`[z, y, x]`, HU) and its lesion mask: body, organ, spine, 1-2 lesions inside the organ. */
function volume(rng: () => number): { hu: Int16Array; mask: Uint8Array } {
  const hu = new Int16Array(NX * NY * NZ).fill(-1000);
  const mask = new Uint8Array(NX * NY * NZ);
  const cx = NX / 2 + (rng() - 0.5) * 3;
  const cy = NY / 2 + (rng() - 0.5) * 3;
  const rx = NX * (0.4 + rng() * 0.05);
  const ry = NY * (0.32 + rng() * 0.05);
  const organ = { x: cx - rx * 0.3, y: cy - ry * 0.1, rx: rx * 0.5, ry: ry * 0.6, hu: 55 + rng() * 10 };
  // Lesions as spheres in millimetres (radius 7-11 mm), inside the organ.
  const lesions = Array.from({ length: 1 + Math.floor(rng() * 2) }, () => ({
    x: organ.x + (rng() - 0.5) * organ.rx * 0.7,
    y: organ.y + (rng() - 0.5) * organ.ry * 0.7,
    z: NZ / 2 + (rng() - 0.5) * NZ * 0.5,
    r: 7 + rng() * 4,
    hu: 90 + rng() * 40,
  }));
  for (let z = 0; z < NZ; z++) {
    // The body narrows towards both ends of the scanned range.
    const taper = 1 - 0.25 * ((z - NZ / 2) / (NZ / 2)) ** 2;
    for (let y = 0; y < NY; y++) {
      for (let x = 0; x < NX; x++) {
        const i = (z * NY + y) * NX + x;
        const body = ((x - cx) / (rx * taper)) ** 2 + ((y - cy) / (ry * taper)) ** 2;
        if (body > 1) continue;
        let value = -80 + 40 * (1 - body);
        if (((x - organ.x) / organ.rx) ** 2 + ((y - organ.y) / organ.ry) ** 2 <= taper) value = organ.hu;
        if ((x - cx) ** 2 + (y - (cy + ry * 0.65 * taper)) ** 2 <= 4) value = 700;
        for (const l of lesions) {
          const d2 =
            ((x - l.x) * SPACING[0]) ** 2 + ((y - l.y) * SPACING[1]) ** 2 + ((z - l.z) * SPACING[2]) ** 2;
          if (d2 <= l.r ** 2) {
            value = organ.hu + l.hu;
            mask[i] = 1;
          }
        }
        hu[i] = Math.round(value + gaussian(rng) * 12);
      }
    }
  }
  return { hu, mask };
}

function main(): void {
  rmSync(outDir, { recursive: true, force: true });
  const data = join(outDir, 'data');
  for (const folder of ['imagesTr', 'labelsTr', 'imagesTs'])
    mkdirSync(join(data, folder), { recursive: true });
  const rng = createRng(20261206);
  const grid = { nx: NX, ny: NY, nz: NZ };
  const training: { image: string; label: string }[] = [];
  const test: string[] = [];
  for (let i = 0; i < cases + 2; i++) {
    const { hu, mask } = volume(rng);
    const name = `phantom_${String(i).padStart(3, '0')}.nii.gz`;
    if (i < cases) {
      niftiVolume(hu, grid, SPACING, ORIGIN, join(data, 'imagesTr', name));
      niftiVolume(mask, grid, SPACING, ORIGIN, join(data, 'labelsTr', name));
      training.push({ image: `./imagesTr/${name}`, label: `./labelsTr/${name}` });
    } else {
      niftiVolume(hu, grid, SPACING, ORIGIN, join(data, 'imagesTs', name));
      test.push(`./imagesTs/${name}`);
    }
  }
  const json = {
    name: 'Lesions3D',
    description: 'Synthetic CT abdomen phantoms with spherical hyper-dense lesions (Phi Studio example)',
    tensorImageSize: '3D',
    modality: { '0': 'CT' },
    labels: { '0': 'background', '1': 'lesion' },
    numTraining: cases,
    numTest: test.length,
    training,
    test,
  };
  writeFileSync(join(data, 'dataset.json'), `${JSON.stringify(json, null, 2)}\n`);
  console.log(`Wrote ${cases} training and ${test.length} test volumes of ${NX}x${NY}x${NZ} to ${data}`);
  const project = join(outDir, 'lesions-3d.phiproj');
  for (const suffix of ['', '-wal', '-shm']) rmSync(project + suffix, { force: true });
  // What phi new makes for this folder, with the abdomen window (HU to [0, 1]) in place of z-scores,
  // as in the 2-D example: lesions stand out from the organ far more than after z-scoring air and body.
  const registry = createBuiltinRegistry();
  const template = templateGraph(registry, 'data', 'segmentation', data);
  const id = (node: string): string => (node === 'z-score-normalization' ? 'window' : node);
  const graph = {
    nodes: template.nodes.map((n) =>
      n.type === 'z-score-normalization'
        ? makeNode(registry, 'window-setting', 'window', { preset: 'abdomen' }, n.position)
        : n.type === 'neural-network'
          ? { ...n, params: { ...n.params, epochs: 12 } }
          : n,
    ),
    edges: template.edges.map((e) => ({
      ...e,
      id: `e-${id(e.source)}-${id(e.target)}`,
      source: id(e.source),
      target: id(e.target),
    })),
  };
  ProjectStore.create(project, { name: '3-D lesion segmentation on CT phantoms', graph }).close();
  console.log(`Wrote ${project}`);
}

main();
