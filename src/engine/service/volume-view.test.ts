/**
 * `getVolumeSlice` on the bundled 3-D example (NIfTI CT phantoms -> Window Setting -> Crop or
 * Pad -> 3-D U-Net, trained here as the example trains it): the dataset's slices equal nibabel's slicing of
 * the same file in every plane, the label overlay covers exactly the labelled voxels, the PNG
 * is the window applied to those values, and the network's predicted mask, drawn by sliding
 * windows, is the one the trained network gives the whole volume at once.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VOLUME_PLANES, type EncodedImage, type Sample, type VolumePlane, type VolumeSlice } from '../api';
import { gradCamWeights, lastConv3dLayer } from '../nn/gradcam';
import { classMask, loadTrained, releaseTrained, runSample } from '../nn/predict';
import { networkDir } from '../run/executor';
import { resourcesDir } from '../resources';
import { tf, tfl } from '../nn/tf';
import { tempDir } from '../test-support/pipeline';
import { pythonWith } from '../test-support/python';
import { writeVolumeClasses } from '../test-support/volume-classes';
import { Engine } from './engine';
import { volumeGradCam } from './volume-view';

const REFERENCE = `
import json, sys
import numpy as np, nibabel as nib
def planes(path):
    img = nib.as_closest_canonical(nib.load(path))
    c = np.asarray(img.get_fdata(dtype=np.float32))
    return {
        'axial': [c[::-1, ::-1, k].T.tolist() for k in range(c.shape[2])],
        'coronal': [c[::-1, j, ::-1].T.tolist() for j in range(c.shape[1])],
        'sagittal': [c[i, ::-1, ::-1].T.tolist() for i in range(c.shape[0])],
    }
print(json.dumps({'image': planes(sys.argv[1]), 'label': planes(sys.argv[2])}))
`;

type Planes = Record<VolumePlane, number[][][]>;

const dir = tempDir('phi-volume-view-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const project = join(dir, 'lesions-3d.phiproj');
let engine: Engine;
let item: string;
let reference: { image: Planes; label: Planes };

function rawValues(slice: VolumeSlice): number[] {
  const bytes = Buffer.from(slice.raw ?? '', 'base64');
  return Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4));
}

/** The PNG's pixels as RGBA. */
async function rgba(image: EncodedImage | undefined): Promise<Uint8Array> {
  const png = Buffer.from((image?.dataUrl ?? '').replace(/^data:image\/png;base64,/, ''), 'base64');
  return new Uint8Array(await sharp(png).ensureAlpha().raw().toBuffer());
}

/**
 * The stored `[d, h, w]` volume of a node's item, from its axial slices: with an RAS affine
 * the stored slice k is axial slice k with rows and columns reversed.
 */
async function storedVolume(
  from: Engine,
  node: string,
  sampleId: string,
): Promise<{ data: Float32Array; depth: number; height: number; width: number }> {
  const first = await from.getVolumeSlice({ node, sampleId, plane: 'axial', index: 0, format: 'raw' });
  const [depth, height, width] = [first.count, first.height, first.width];
  const data = new Float32Array(depth * height * width);
  for (let k = 0; k < depth; k++) {
    const shown = rawValues(
      await from.getVolumeSlice({ node, sampleId, plane: 'axial', index: k, format: 'raw' }),
    );
    for (let r = 0; r < height; r++)
      for (let c = 0; c < width; c++)
        data[(k * height + (height - 1 - r)) * width + (width - 1 - c)] = shown[r * width + c];
  }
  return { data, depth, height, width };
}

describe('volume slices of the 3-D example', () => {
  beforeAll(async () => {
    cpSync(resourcesDir('examples', 'lesions-3d'), dir, { recursive: true });
    engine = new Engine({ cacheDir: join(dir, 'cache') });
    await engine.openProject({ path: project });
    expect((await engine.run({ mode: 'all' })).status).toBe('done');
    const files = await engine.listFiles({ node: 'dataset', limit: 100 });
    item = files.items.find((f) => f.state === 'done' && f.id.startsWith('imagesTr/'))?.id ?? '';
    const name = item.replace('imagesTr/', '');
    const python = pythonWith(['nibabel', 'numpy'], 'python3-nibabel');
    const run = spawnSync(
      python,
      ['-c', REFERENCE, join(dir, 'data/imagesTr', name), join(dir, 'data/labelsTr', name)],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    if (run.status !== 0) throw new Error(run.stderr);
    reference = JSON.parse(run.stdout) as typeof reference;
  });

  afterAll(() => {
    engine?.closeProject();
    releaseTrained();
  });

  it('serves every slice of every plane with the values nibabel reads, and its pixel spacing', async () => {
    const spacing = { axial: [1.5, 1.5], coronal: [3, 1.5], sagittal: [3, 1.5] };
    for (const plane of VOLUME_PLANES) {
      const expected = reference.image[plane];
      for (let index = 0; index < expected.length; index++) {
        const slice = await engine.getVolumeSlice({
          node: 'dataset',
          sampleId: item,
          plane,
          index,
          format: 'raw',
        });
        expect([slice.count, slice.height, slice.width]).toEqual([
          expected.length,
          expected[0].length,
          expected[0][0].length,
        ]);
        expect(rawValues(slice)).toEqual(expected[index].flat());
        expect(slice.pixelSpacing).toEqual(spacing[plane]);
        expect(slice.image).toBeUndefined();
      }
    }
    const middle = await engine.getVolumeSlice({ node: 'dataset', sampleId: item, plane: 'coronal' });
    expect(middle.index).toBe(Math.floor(reference.image.coronal.length / 2));
    expect(middle.orientation).toEqual({
      source: 'affine',
      sides: { top: 'S', bottom: 'I', left: 'R', right: 'L' },
    });
    // NIfTI says nothing of units; the example's dataset.json names its one channel CT.
    expect(middle.unit).toBe('HU');
    expect(middle.notes).toEqual(['Values in HU, as dataset.json "modality": {"0": "CT"} says']);
  });

  it('draws the window asked for, and the label exactly on the labelled voxels, with the class names', async () => {
    const labels = reference.label.axial;
    const index = labels
      .map((rows, k) => [rows.flat().filter((v) => v > 0).length, k])
      .sort((a, b) => b[0] - a[0])[0][1];
    const slice = await engine.getVolumeSlice({
      node: 'dataset',
      sampleId: item,
      plane: 'axial',
      index,
      window: { center: 50, width: 400 },
    });
    const grey = await rgba(slice.image);
    const values = reference.image.axial[index].flat();
    values.forEach((v, i) => {
      const expected = Math.min(255, Math.max(0, Math.round(((v + 150) * 255) / 400)));
      expect(grey[i * 4]).toBe(expected);
    });
    const overlay = await rgba(slice.label);
    const labelled = labels[index].flat();
    expect(labelled.some((v) => v > 0)).toBe(true);
    labelled.forEach((v, i) => expect(overlay[i * 4 + 3] > 0).toBe(v > 0));
    expect(slice.legend).toEqual([{ index: 1, name: 'lesion', color: '#e6194b' }]);
    expect(slice.prediction).toBeUndefined();
  });

  it("overlays the network's prediction: sliding windows give the whole-volume prediction", async () => {
    const { data: stored, depth, height, width } = await storedVolume(engine, 'crop-or-pad', item);
    const trained = await loadTrained(networkDir(join(dir, 'lesions-3d.phidata', 'network'), 'all'));
    const whole = runSample(trained, {
      id: item,
      image: { data: stored, shape: [depth, height, width, 1], colorMode: 'grayscale' },
      meta: {},
    });
    const mask = classMask(whole.out, depth * height * width, 2);
    const lesionSlices = new Set<number>();
    mask.forEach((c, v) => c > 0 && lesionSlices.add(Math.floor(v / (height * width))));
    // A network that found no lesion would make the comparison below say nothing.
    expect(lesionSlices.size).toBeGreaterThan(0);
    for (const k of [0, ...lesionSlices, depth - 1]) {
      const slice = await engine.getVolumeSlice({
        node: 'network',
        sampleId: item,
        plane: 'axial',
        index: k,
      });
      expect(slice.classes).toEqual(['background', 'lesion']);
      expect(slice.legend).toEqual([{ index: 1, name: 'lesion', color: '#e6194b' }]);
      expect(slice.notes).toEqual([]);
      expect(slice.fromSample).toBeUndefined();
      const drawn = await rgba(slice.prediction);
      for (let r = 0; r < height; r++)
        for (let c = 0; c < width; c++) {
          const predicted = mask[(k * height + (height - 1 - r)) * width + (width - 1 - c)];
          expect(drawn[(r * width + c) * 4 + 3] > 0).toBe(predicted > 0);
        }
    }
  });

  it('refuses a slice outside the plane in one sentence', async () => {
    await expect(
      engine.getVolumeSlice({ node: 'dataset', sampleId: item, plane: 'sagittal', index: 99 }),
    ).rejects.toThrow('Slice 99 does not exist: this plane has slices 0 to 31');
  });
});

describe('volume slices of a 3-D classifier', () => {
  it("shows the network's probabilities for the whole volume and its Grad-CAM on the slice", async () => {
    const root = join(dir, 'classes');
    writeVolumeClasses(root);
    const classifier = new Engine({ cacheDir: join(dir, 'cache-classes') });
    try {
      const opened = await classifier.createProject({
        path: join(dir, 'classes.phiproj'),
        dataset: root,
        task: 'classification',
      });
      const network = opened.graph.nodes.find((n) => n.kind === 'network');
      if (!network) throw new Error('no network node');
      await classifier.editGraph({
        edits: [{ op: 'set-params', id: network.id, params: { ...network.params, epochs: 1 } }],
      });
      expect((await classifier.run({ mode: 'all' })).status).toBe('done');
      const input =
        (await classifier.getProject())?.graph.edges.find((e) => e.target === network.id)?.source ?? '';
      const files = await classifier.listFiles({ node: input, limit: 100 });
      const volume = files.items.find((f) => f.state === 'done')?.id ?? '';
      const slice = await classifier.getVolumeSlice({ node: network.id, sampleId: volume, plane: 'coronal' });
      expect(slice.classes).toEqual(['lesion', 'normal']);
      expect(slice.prediction).toBeUndefined();
      expect(slice.legend).toEqual([]);
      expect(slice.notes).toEqual([]);
      const { data, depth, height, width } = await storedVolume(classifier, input, volume);
      const trained = await loadTrained(networkDir(join(dir, 'classes.phidata', network.id), 'all'));
      const whole = runSample(trained, {
        id: volume,
        image: { data, shape: [depth, height, width, 1], colorMode: 'grayscale' },
        meta: {},
      });
      expect(slice.probabilities?.length).toBe(2);
      slice.probabilities?.forEach((p, k) => expect(p).toBeCloseTo(whole.out[k], 5));

      // The Grad-CAM slice is the predicted class's map, in the slice's pixels, with the jet colours of [0, 1].
      const predicted = Array.from(whole.out).indexOf(Math.max(...whole.out));
      expect(slice.gradCamClass).toBe(predicted);
      expect([slice.gradCam?.width, slice.gradCam?.height]).toEqual([slice.width, slice.height]);
      const sample = { id: volume, image: { data, shape: [depth, height, width, 1] }, meta: {} };
      const maps = [0, 1].map((k) => volumeGradCam(trained, sample as Sample, k));
      for (const map of maps) {
        expect(map.length).toBe(depth * height * width);
        expect(map.every((v) => Number.isFinite(v) && v >= 0 && v <= 1)).toBe(true);
        expect(Math.max(...map)).toBeCloseTo(1, 5);
      }
      expect(maps[0].some((v, i) => Math.abs(v - maps[1][i]) > 0.1)).toBe(true);

      // The channel weights equal the class score's gradient taken directly through the model's own layers.
      const layer = lastConv3dLayer(trained.manifest.spec);
      const x = tf.tensor(whole.x, [1, depth, height, width, 1]);
      const [ours, direct] = tf.tidy(() => {
        const { weights } = gradCamWeights(trained.model, trained.manifest.spec, x, predicted, layer);
        const layers = trained.model.layers;
        const last = layers.findIndex((l) => l.name === `${layer}_leaky`);
        const cut = last >= 0 ? last : layers.findIndex((l) => l.name === layer);
        const features = tfl.model({
          inputs: trained.model.inputs,
          outputs: layers[cut].output as tfl.SymbolicTensor,
        });
        const head = (a: tf.Tensor): tf.Scalar => {
          let v = a;
          for (const l of layers.slice(cut + 1)) v = l.apply(v, { training: false }) as tf.Tensor;
          return tf.squeeze(tf.slice(v, [0, predicted], [1, 1])) as tf.Scalar;
        };
        const grads = tf.grad(head)(features.predict(x) as tf.Tensor);
        return [weights.dataSync(), tf.mean(grads, [1, 2, 3]).dataSync()];
      });
      x.dispose();
      expect(ours.length).toBe(direct.length);
      expect(ours.some((v) => v !== 0)).toBe(true);
      ours.forEach((v, k) => expect(Math.abs(v - direct[k])).toBeLessThan(1e-5));
    } finally {
      classifier.closeProject();
    }
  });
});
