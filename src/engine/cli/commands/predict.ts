/**
 * `phi predict <project> --node ID <input> <output>`: runs a trained network
 * node on a folder of images. Each file goes through the same modules as
 * the node's training data (the chain from the dataset to the network), then
 * the network. Outputs: classification `predictions.csv` (`id,label,p_<class>,...`),
 * segmentation one PNG mask per image, at the source image's size and
 * position and in the values the dataset's masks use (0/255 or class indices);
 * a 3-D network's masks are NIfTI (`<name>.nii.gz`) in the input volume's grid
 * with its header (qform, sform, pixdim),
 * detection `detections.json` (COCO-style list with scores, boxes in source
 * image pixels), transformation one `.npy` per image at the network's size.
 * Masks and boxes go back through the geometry the chain's modules recorded
 * (docs/design.md section 3). Custom modules in the chain run when this
 * computer trusts their source, as in the app.
 */
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { INFERENCE_RUNTIMES, type Graph, type InferenceRuntime } from '../../api';
import { decodeImage } from '../../data/readers';
import { inputsOf } from '../../graph/plan';
import type { DatasetNodeType } from '../../graph/node-type';
import type { NodeTypeRegistry } from '../../graph/registry';
import {
  boxesToSource,
  resampleToSource,
  resampleVolumeToSource,
  sourceDepthToSample,
  sourceToSample,
} from '../../imaging/geometry-steps';
import { niftiLike, niftiWithAffine } from '../../data/nifti-writer';
import { predictInputs } from '../../data/series-input';
import { geometry as sizeOf } from '../../imaging/image';
import { maskValuesOf } from '../../data/mask-values';
import { describeUpgrade } from '../../store/node-upgrades';
import { decodeOutput } from '../../nn/detection/centernet';
import { encodeNpyFloat32 } from '../../nn/io/npy';
import { classMask, loadTrained, releaseTrained, sampleRunner } from '../../nn/predict';
import { createBuiltinRegistry } from '../../service/builtin-registry';
import { ProjectStore } from '../../store/project-store';
import { EXIT, UsageError, type CliCommand } from '../command';
import { predictOnCluster } from '../predict-on-slurm';
import { SLURM_OPTIONS, SLURM_USAGE, parseSlurmOptions } from '../slurm-options';
import { loadProjectModules, type ProjectModules } from '../project-modules';
import { csvRow } from '../../data/csv';
import { applyChain, chainOf, moduleChain, type ChainStep } from '../../run/chain';

/**
 * The module steps from the dataset to network `node`, custom ones included when this
 * computer trusts their source (registered into `registry`); `project.dispose()` frees them.
 */
export async function loadChain(
  registry: NodeTypeRegistry,
  graph: Graph,
  node: string,
  projectPath: string,
): Promise<{ chain: ChainStep[]; project: ProjectModules }> {
  const chainNodes = moduleChain(graph, node);
  const project = await loadProjectModules(projectPath, new Set(chainNodes.map((n) => n.type)));
  for (const custom of project.modules) registry.upsert(custom);
  const untrusted = project.untrusted;
  try {
    const distrusted = chainNodes.find((n) => !registry.get(n.type) && untrusted.includes(n.type));
    if (distrusted)
      throw new UsageError(
        `custom module "${distrusted.type}" of node "${distrusted.id}" is not trusted on this computer: open the project in Phi Studio and trust its code first`,
      );
    return { chain: chainOf(registry, graph, node), project };
  } catch (error) {
    await project.dispose();
    throw error;
  }
}

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

/** See the module comment. */
export const predictCommand: CliCommand = {
  name: 'predict',
  summary: 'run a trained network node on a folder of images',
  usage: `phi predict <project.phiproj> --node ID [--runtime tfjs|onnx|auto] <input-folder> <output-folder>\n${SLURM_USAGE} [--shards K]\n         (K shards as one Slurm array job, docs/cluster.md)`,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        node: { type: 'string' },
        runtime: { type: 'string', default: 'tfjs' },
        ...SLURM_OPTIONS,
        shards: { type: 'string' },
      },
    });
    if (positionals.length !== 3 || !values.node)
      throw new UsageError('give a project, --node ID, an input and an output folder');
    const runtime = values.runtime as InferenceRuntime;
    if (!INFERENCE_RUNTIMES.includes(runtime))
      throw new UsageError(`unknown runtime "${values.runtime}": use ${INFERENCE_RUNTIMES.join(', ')}`);
    const [projectArg, inputArg, outputArg] = positionals.map((p) => resolve(io.cwd, p));
    const slurm = parseSlurmOptions(values, ['shards']);
    if (slurm)
      return predictOnCluster(
        {
          project: projectArg,
          node: values.node,
          runtime,
          input: inputArg,
          output: outputArg,
          shards: values.shards,
        },
        slurm,
        io,
      );
    const registry = createBuiltinRegistry();
    const store = ProjectStore.open(projectArg, (type) => registry.get(type));
    for (const upgrade of store.nodeUpgrades) io.stderr.write(`phi predict: ${describeUpgrade(upgrade)}\n`);
    let project: ProjectModules | undefined;
    let runner: Awaited<ReturnType<typeof sampleRunner>> | undefined;
    try {
      const graph = store.graph();
      const node = graph.nodes.find((n) => n.id === values.node);
      if (!node || node.kind !== 'network') {
        io.stderr.write(`phi predict: "${values.node}" is not a network node of ${basename(projectArg)}\n`);
        return EXIT.failed;
      }
      // The chain may hold the project's custom modules: those this computer trusts run.
      const loaded = await loadChain(registry, graph, node.id, projectArg);
      project = loaded.project;
      const { chain } = loaded;
      const trained = await loadTrained(store.artifactsFor(node.id));
      runner = await sampleRunner(trained, runtime, store.artifactsFor(node.id));
      if (runtime === 'auto')
        io.stdout.write(`Runtime: ${runner.backend.runtime} (${runner.backend.reason})\n`);
      const { geometry, classes } = trained.manifest;
      const maskValues =
        geometry.task === 'segmentation'
          ? await datasetMaskValues(graph, node.id, registry, store.dir).catch((error: Error) => {
              io.stderr.write(`phi predict: masks hold class indices: ${error.message}\n`);
              return [];
            })
          : [];
      mkdirSync(outputArg, { recursive: true });
      // Probability columns carry the class names the user chose (`p_<class>`), never bare indices.
      const rows: string[] = [csvRow(['id', 'label', ...classes.map((name) => `p_${name}`)])];
      const detections: { image_id: string; category_id: number; bbox: number[]; score: number }[] = [];
      let done = 0;
      let failed = 0;
      // A 3-D network reads each DICOM series of the folder as one volume.
      const inputs = await predictInputs(inputArg, listFiles(inputArg), geometry.inputShape.length === 4);
      for (const { id, file, series } of inputs) {
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
            const target = join(outputArg, `${base}.nii.gz`);
            if (series?.affine)
              niftiWithAffine(
                mask,
                { nx: source.width, ny: source.height, nz: source.depth },
                series.affine,
                target,
                {
                  label: true,
                },
              );
            else niftiLike(file, mask, target, { label: true });
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
              .toFile(join(outputArg, `${stem}.png`));
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
          } else {
            const c = geometry.targetChannels ?? 1;
            const data = Float32Array.from(out, (v) => v * scale + offset);
            writeFileSync(join(outputArg, `${stem}.npy`), encodeNpyFloat32(data, [h, w, c]));
          }
          done++;
        } catch (e) {
          failed++;
          io.stderr.write(`phi predict: ${id}: ${(e as Error).message}\n`);
        }
      }
      if (geometry.task === 'classification')
        writeFileSync(join(outputArg, 'predictions.csv'), `${rows.join('\n')}\n`);
      if (geometry.task === 'detection')
        writeFileSync(join(outputArg, 'detections.json'), JSON.stringify(detections));
      io.stdout.write(`Predicted ${done} image(s) into ${outputArg}${failed ? `; ${failed} failed` : ''}\n`);
      if (geometry.task === 'segmentation')
        io.stdout.write(
          `Masks are at each source image's size${geometry.inputShape.length === 4 ? " (NIfTI .nii.gz with the input's header and affine)" : ''}, class values ${classes.map((name, k) => `${name}=${maskValues[k] ?? k}`).join(', ')}\n`,
        );
      if (geometry.task === 'detection')
        io.stdout.write(
          'Boxes are in source image pixels: bbox = [x, y, width, height] from the top-left corner\n',
        );
      return failed && !done ? EXIT.failed : EXIT.ok;
    } finally {
      await runner?.release();
      releaseTrained();
      await project?.dispose();
      store.close();
    }
  },
};

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
  const inputs = inputsOf(graph);
  let current = inputs.get(node)?.[0]?.source;
  let dataset: Graph['nodes'][number] | undefined;
  while (current && !dataset) {
    const n = graph.nodes.find((x) => x.id === current);
    if (n?.kind === 'dataset') dataset = n;
    current = inputs.get(current)?.[0]?.source;
  }
  const type = dataset && registry.get(dataset.type);
  if (!dataset || type?.kind !== 'dataset') throw new Error(`no dataset node feeds "${node}"`);
  const source = await (type as DatasetNodeType).open(type.params.parse(dataset.params), {
    projectDir,
    log: { info: () => undefined, warn: () => undefined },
  });
  return maskValuesOf(source);
}
