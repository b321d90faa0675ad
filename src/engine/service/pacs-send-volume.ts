/**
 * "Send to PACS" of a 3-D segmentation network's prediction: the item must be a DICOM series
 * of the node's Dataset (its folder, read as `phi predict` reads series); the volume goes
 * through the modules before the network, is predicted as the View tab predicts it (sliding
 * windows), taken back to the series' grid, and becomes a SEG with one frame per slice per
 * class found, each frame at its slice's position and referencing it (pacs/seg.ts).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { resolveDatasetRoot } from '../data/dataset-node';
import { seriesVolumes } from '../data/series-input';
import type { NodeTypeRegistry } from '../graph/registry';
import { resampleVolumeToSource, sourceDepthToSample, sourceToSample } from '../imaging/geometry-steps';
import { geometry as sizeOf } from '../imaging/image';
import type { Trained } from '../nn/predict';
import { buildSeriesSeg } from '../pacs/seg';
import { applyChain, chainOf } from '../run/chain';
import type { ProjectStore } from '../store/project-store';
import { feedingDataset } from './pacs-send-source';
import { predictVolume } from './volume-view';

/** The SEG of `sampleId`'s predicted mask and its segments' names. */
export async function volumeSeg(
  store: ProjectStore,
  registry: NodeTypeRegistry,
  nodeId: string,
  sampleId: string,
  trained: Trained,
  description: string,
): Promise<{ bytes: Uint8Array; segments: string[] }> {
  const graph = store.graph();
  const data = feedingDataset(store, nodeId);
  const root = resolveDatasetRoot(String(data.params.path ?? ''), store.dir);
  // A series' item is its folder, with the series' hash when the folder holds several.
  const folder = join(root, sampleId.split('#')[0]);
  const files = statSync(folder, { throwIfNoEntry: false })?.isDirectory()
    ? readdirSync(folder)
        .map((name) => join(folder, name))
        .filter((file) => statSync(file).isFile())
    : [];
  const series = (await seriesVolumes(root, files)).volumes.find((v) => v.id === sampleId);
  if (!series)
    throw new Error(
      `${sampleId} is not a DICOM series: a 3-D mask goes to a PACS as a SEG of the DICOM series it was predicted on; phi predict writes NIfTI masks of NIfTI volumes.`,
    );
  const sample = await applyChain(chainOf(registry, graph, nodeId), {
    id: sampleId,
    image: series.image,
    meta: series.image.meta,
  });
  if (!sample)
    throw new Error(`The modules before "${nodeId}" drop ${sampleId}: there is no prediction to send.`);
  const [d, h, w] = sample.image.shape;
  const source = sizeOf(series.image);
  const mask = resampleVolumeToSource(
    Uint8Array.from(await predictVolume(trained, sample)),
    { depth: d, height: h, width: w, channels: 1 },
    sourceToSample(sample, source),
    sourceDepthToSample(sample, source.depth),
    source,
    'nearest',
  );
  const { classes } = trained.manifest;
  const present = [...new Set(mask)].filter((k) => k > 0).sort((a, b) => a - b);
  if (!present.length)
    throw new Error(
      `The prediction for ${sampleId} marks no voxel of any class but ${classes[0]}: there is no segment to send.`,
    );
  const segments = present.map((k) => ({ value: k, label: classes[k] ?? `class ${k}` }));
  return {
    bytes: buildSeriesSeg(mask, series.files, segments, { description, what: `series ${sampleId}` }),
    segments: segments.map((s) => s.label),
  };
}
