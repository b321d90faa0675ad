/**
 * The engine's prediction channel (`phi predict`): a trained network node of
 * the open project run on a folder of images. Each file goes through the same
 * modules as the node's training data (the chain from the dataset to the
 * network, run/chain.ts), then the network. Outputs: classification
 * `predictions.csv` (`id,label,p_<class>,...`), segmentation one PNG mask per
 * image, at the source image's size and position and in the values the
 * dataset's masks use (0/255 or class indices); a 3-D network's masks are
 * NIfTI (`<name>.nii.gz`) in the input volume's grid with its header (qform,
 * sform, pixdim), and a DICOM series' mask is also a DICOM SEG referencing its slices
 * (volume-mask-output.ts), detection `detections.json` (COCO-style list with scores,
 * boxes in source image pixels), transformation one `.npy` per image at the
 * network's size (a 3-D network's outputs: float NIfTI in the input volume's grid with its
 * header, same base name). Masks and boxes go back through the geometry the chain's
 * modules recorded (docs/design.md section 3). Custom modules in the chain run
 * when this computer trusts their source, as in the app. A file that fails is
 * said and the rest go on; cancel stops between files.
 */
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import sharp from 'sharp';
import {
  EngineRequests,
  type EngineParams,
  type Graph,
  type PredictFolderResult,
  type RequestOptions,
} from '../api';
import { decodeImage } from '../data/readers';
import { niftiLike } from '../data/nifti-writer';
import type { DatasetNodeType } from '../graph/node-type';
import type { NodeTypeRegistry } from '../graph/registry';
import {
  boxesToSource,
  resampleToSource,
  resampleVolumeToSource,
  sourceDepthToSample,
  sourceToSample,
} from '../imaging/geometry-steps';
import { predictInputs } from '../data/series-input';
import { geometry as sizeOf } from '../imaging/image';
import { maskValuesOf } from '../data/mask-values';
import { decodeOutput } from '../nn/detection/centernet';
import { encodeNpyFloat32 } from '../nn/io/npy';
import { classMask, loadTrained, releaseTrained, sampleRunner } from '../nn/predict';
import { csvRow } from '../data/csv';
import { applyChain, chainOf, datasetNodeOf, moduleChain, type ChainStep } from '../run/chain';
import type { ProjectSession } from './session';
import { writeVolumeMask } from './volume-mask-output';

/** A chain the open project cannot run here: a custom module of it is untrusted or does not compile. */
export class ChainNotRunnableError extends Error {}

/** The files under `dir`, in the order predictions are written (sorted, depth first). */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listFiles(path));
    else if (!name.startsWith('.')) out.push(path);
  }
  return out;
}

/** Runs trained network nodes on folders of images. */
export class PredictChannel {
  constructor(private readonly session: ProjectSession) {}

  async predictFolder(
    params: EngineParams<'predictFolder'>,
    options: RequestOptions = {},
  ): Promise<PredictFolderResult> {
    const request = EngineRequests.predictFolder.parse(params);
    const store = this.session.requireStore();
    const graph = this.session.graph();
    const node = graph.nodes.find((n) => n.id === request.node);
    if (node?.kind !== 'network') throw new Error(`"${request.node}" is not a network node of this project`);
    const chain = this.chain(graph, node.id);
    const output = resolve(request.output);
    const trained = await loadTrained(store.artifactsFor(node.id));
    const runner = await sampleRunner(trained, request.runtime, store.artifactsFor(node.id));
    try {
      const { geometry, classes } = trained.manifest;
      let maskValuesProblem: string | undefined;
      const maskValues =
        geometry.task === 'segmentation'
          ? await datasetMaskValues(graph, node.id, this.session.registry, store.dir).catch(
              (error: Error) => {
                maskValuesProblem = error.message;
                return [];
              },
            )
          : [];
      mkdirSync(output, { recursive: true });
      // Probability columns carry the class names the user chose (`p_<class>`), never bare indices.
      const rows: string[] = [csvRow(['id', 'label', ...classes.map((name) => `p_${name}`)])];
      const detections: { image_id: string; category_id: number; bbox: number[]; score: number }[] = [];
      let done = 0;
      // DICOM series' masks also go out as SEGs; why one did not is said.
      let segs = 0;
      const segProblems: string[] = [];
      const failed: PredictFolderResult['failed'] = [];
      // A 3-D network reads each DICOM series of the folder as one volume.
      const inputs = await predictInputs(
        resolve(request.input),
        listFiles(resolve(request.input)),
        geometry.inputShape.length === 4,
      );
      for (const { id, file, series } of inputs) {
        options.signal?.throwIfAborted();
        try {
          const image = series?.image ?? (await decodeImage(file));
          const sample = await applyChain(chain, { id, image, meta: image.meta });
          if (!sample) continue;
          const { out, offset, scale } = await runner.run(sample);
          const [h, w] = geometry.inputShape;
          const stem = id.slice(0, id.length - extname(id).length).replace(/[\\/]/g, '__');
          if (geometry.task === 'classification') {
            const probs = Array.from(out);
            const best = probs.indexOf(Math.max(...probs));
            rows.push(csvRow([id, classes[best] ?? best, ...probs.map((p) => p.toFixed(6))]));
          } else if (geometry.task === 'segmentation' && geometry.inputShape.length === 4) {
            // A volume's mask: NIfTI in the input's own grid, with its header (affine, pixdim, codes),
            // or for a DICOM series with the affine of its positions and orientation.
            if (image.meta.niftiVersion === undefined && !series?.affine)
              throw new Error(
                'masks of a 3-D network are written as NIfTI, for NIfTI inputs and DICOM series with ImagePositionPatient and ImageOrientationPatient only',
              );
            // The sample's own grid: a patch network predicts the whole volume, not one patch.
            const [d, vh, vw] = sample.image.shape;
            const source = sizeOf(image);
            const mask = resampleVolumeToSource(
              classMask(out, d * vh * vw, geometry.classes),
              { depth: d, height: vh, width: vw, channels: 1 },
              sourceToSample(sample, source),
              sourceDepthToSample(sample, source.depth),
              source,
              'nearest',
            ).map((k) => maskValues[k] ?? k);
            const base = id.replace(/\.nii(\.gz)?$/i, '').replace(/[\\/]/g, '__');
            const written = writeVolumeMask(mask, source, { file, series }, output, base, {
              classes,
              maskValues,
              description: `Phi Studio: ${node.id} prediction`,
            });
            if (written.seg) segs++;
            if (written.segProblem) segProblems.push(`${id}: no DICOM SEG, ${written.segProblem}`);
          } else if (geometry.task === 'segmentation') {
            const source = sizeOf(image);
            const mask = resampleToSource(
              classMask(out, h * w, geometry.classes),
              { height: h, width: w, channels: 1 },
              sourceToSample(sample, source),
              source,
              'nearest',
            ).map((k) => maskValues[k] ?? k);
            await sharp(mask, { raw: { width: source.width, height: source.height, channels: 1 } })
              .toColourspace('b-w')
              .png()
              .toFile(join(output, `${stem}.png`));
          } else if (geometry.task === 'detection') {
            const g = geometry.grid as NonNullable<typeof geometry.grid>;
            const source = sizeOf(image);
            const found = decodeOutput(
              out,
              g.h,
              g.w,
              geometry.classes,
              g.stride,
              trained.manifest.params.detectionThreshold,
            );
            for (const b of boxesToSource(found, sourceToSample(sample, source), source))
              detections.push({
                image_id: id,
                category_id: b.classIndex,
                bbox: [b.xmin, b.ymin, b.xmax - b.xmin, b.ymax - b.ymin],
                score: b.score,
              });
          } else if (geometry.inputShape.length === 4) {
            // An output volume: float NIfTI in the input's own grid, with its header (affine, pixdim, codes).
            if (image.meta.niftiVersion === undefined || (geometry.targetChannels ?? 1) !== 1)
              throw new Error(
                'outputs of a 3-D network are written as NIfTI, for NIfTI inputs and single-channel targets only',
              );
            const [d, vh, vw] = sample.image.shape;
            const source = sizeOf(image);
            const volume = resampleVolumeToSource(
              Float32Array.from(out, (v) => v * scale + offset),
              { depth: d, height: vh, width: vw, channels: 1 },
              sourceToSample(sample, source),
              sourceDepthToSample(sample, source.depth),
              source,
              'bilinear',
            );
            const base = id.replace(/\.nii(\.gz)?$/i, '').replace(/[\\/]/g, '__');
            niftiLike(file, volume, join(output, `${base}.nii.gz`));
          } else {
            const c = geometry.targetChannels ?? 1;
            const data = Float32Array.from(out, (v) => v * scale + offset);
            writeFileSync(join(output, `${stem}.npy`), encodeNpyFloat32(data, [h, w, c]));
          }
          done++;
        } catch (e) {
          failed.push({ id, reason: (e as Error).message });
        }
      }
      if (geometry.task === 'classification')
        writeFileSync(join(output, 'predictions.csv'), `${rows.join('\n')}\n`);
      if (geometry.task === 'detection')
        writeFileSync(join(output, 'detections.json'), JSON.stringify(detections));
      const notes: string[] = [];
      if (geometry.task === 'segmentation')
        notes.push(
          `Masks are at each source image's size${geometry.inputShape.length === 4 ? " (NIfTI .nii.gz with the input's header and affine)" : ''}, class values ${classes.map((name, k) => `${name}=${maskValues[k] ?? k}`).join(', ')}`,
        );
      if (segs)
        notes.push(
          `${segs} DICOM series mask(s) also written as DICOM SEG (<name>.seg.dcm), one frame per slice per class, referencing the series' slices`,
        );
      notes.push(...segProblems);
      if (geometry.task === 'detection')
        notes.push('Boxes are in source image pixels: bbox = [x, y, width, height] from the top-left corner');
      return {
        output,
        done,
        failed,
        runtime: { used: runner.backend.runtime, reason: runner.backend.reason },
        ...(maskValuesProblem !== undefined ? { maskValuesProblem } : {}),
        notes,
      };
    } finally {
      await runner.release();
      releaseTrained();
    }
  }

  /** The node's chain of modules; refused, saying why, when a custom module of it cannot run here. */
  private chain(graph: Graph, node: string): ChainStep[] {
    for (const n of moduleChain(graph, node)) {
      if (this.session.registry.get(n.type)) continue;
      if (this.session.untrusted.has(n.type))
        throw new ChainNotRunnableError(
          `custom module "${n.type}" of node "${n.id}" is not trusted on this computer: open the project in Phi Studio and trust its code first`,
        );
      const broken = this.session.broken.get(n.type);
      if (broken) throw new ChainNotRunnableError(broken);
    }
    return chainOf(this.session.registry, graph, node);
  }
}

/**
 * The mask value of each class in the dataset the network's chain starts
 * from; throws, saying why, when there is none to read them from.
 */
async function datasetMaskValues(
  graph: Graph,
  node: string,
  registry: NodeTypeRegistry,
  projectDir: string,
): Promise<number[]> {
  const dataset = datasetNodeOf(graph, node);
  const type = dataset && registry.get(dataset.type);
  if (!dataset || type?.kind !== 'dataset') throw new Error(`no dataset node feeds "${node}"`);
  const source = await (type as DatasetNodeType).open(type.params.parse(dataset.params), {
    projectDir,
    log: { info: () => undefined, warn: () => undefined },
  });
  return maskValuesOf(source);
}
