/**
 * The Dataset node (`dataset`): one node type for every layout and format.
 * `open` reads headers only and returns a DatasetSource
 * whose `load` decodes pixels when a batch needs them.
 */
import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { PortSpec } from '../api';
import type { DatasetContext, DatasetNodeType, DatasetSource } from '../graph/node-type';
import { datasetChecks } from './checks';
import { Fingerprint } from './fingerprint';
import { indexLayout } from './indexer';
import { readLayout } from './layouts';
import { collectUnlisted, type FoundFile } from './walk';
import { loadItem } from './load';
import { identityMaskMapper, mapMaskValues } from './mask-map';
import { datasetParamsSchema, type DatasetParams } from './params';
import { setSourceInfo } from './source-info';
import type { DecodedImage } from './readers/types';
import { niftiUnit, withNiftiUnit } from './volume-unit';

/** The dataset folder a node's `path` points to. */
export function resolveDatasetRoot(path: string, projectDir: string): string {
  return isAbsolute(path) ? path : resolve(projectDir, path);
}

/** The digest of a file list alone (paths, sizes, mtimes): what {@link DatasetSource.changed} compares. */
function filesDigest(files: readonly FoundFile[]): string {
  const digest = new Fingerprint();
  for (const file of files) digest.add(file);
  return digest.digest();
}

/** Opens a dataset folder with the given params (also used by `phi inspect`). */
export async function openDataset(root: string, params: DatasetParams): Promise<DatasetSource> {
  if (!params.path && !root) throw new Error('No dataset folder is set: choose one in the Dataset node');
  const info = await stat(root).catch(() => undefined);
  if (!info) throw new Error(`Dataset folder not found: ${root}`);
  if (!info.isDirectory()) throw new Error(`Dataset path is not a folder: ${root}`);
  const { result: read, unlisted } = await collectUnlisted(() => readLayout(root, params));
  const layout = { ...read, skipped: [...read.skipped, ...unlisted] };
  if (layout.files.length === 0) throw new Error(`Dataset folder is empty: ${root}`);
  const index = await indexLayout(layout, {
    volumes: params.volumes,
    shares: { train: params.train, validation: params.validation, test: params.test },
    splitByPatient: params.splitByPatient,
    seed: params.seed,
  });
  if (index.items.length === 0) {
    const first = index.skipped[0];
    throw new Error(
      `Dataset folder ${root} holds no readable image` +
        (first ? ` (${index.skipped.length} skipped, e.g. ${first.file}: ${first.reason})` : ''),
    );
  }
  const fingerprint = new Fingerprint();
  fingerprint.addText(
    JSON.stringify({
      layout: layout.layout,
      task: layout.task,
      volumes: params.volumes,
      split: [params.train, params.validation, params.test, params.splitByPatient, params.seed],
      classMap: params.classMap,
      unit: [params.volumeUnit, layout.statedUnit?.unit ?? ''],
      // Which file and columns the labels and the official split are read from.
      labels: [params.labelsFile, params.labelColumn, params.splitColumn],
    }),
  );
  for (const file of layout.files) fingerprint.add(file);
  const files = filesDigest(layout.files);
  const port: PortSpec = {
    colorMode: index.colorModes.size === 1 ? [...index.colorModes][0] : 'unknown',
    dims: index.dims.size === 1 ? [...index.dims][0] : 'unknown',
  };
  const unit = niftiUnit(params.volumeUnit, layout.statedUnit);
  const maskMap = layout.maskClasses?.map;
  const mapMask = maskMap
    ? (mask: DecodedImage, file: string) => mapMaskValues(mask, file, maskMap)
    : identityMaskMapper;
  const source: DatasetSource = {
    task: layout.task,
    classes: layout.classes,
    items: index.items,
    skipped: index.skipped,
    fingerprint: fingerprint.digest(),
    port,
    load: async (item) => withNiftiUnit(await loadItem(root, item, mapMask), unit),
    // A folder that can no longer be read has changed too: opening it again says why.
    changed: () =>
      readLayout(root, params).then(
        (again) => filesDigest(again.files) !== files,
        () => true,
      ),
  };
  setSourceInfo(source, {
    root,
    layout: layout.layout,
    formats: [...index.formats].sort(),
    modalities: [...index.modalities].sort(),
    photometric: Object.fromEntries([...index.photometric].sort()),
    choice: layout.choice,
    splitByPatient: params.splitByPatient,
    shares: { train: params.train, validation: params.validation, test: params.test },
  });
  source.findings = datasetChecks(source);
  return source;
}

/** The Dataset node type. */
export const datasetNodeType: DatasetNodeType<typeof datasetParamsSchema> = {
  kind: 'dataset',
  id: 'dataset',
  version: 1,
  title: 'Dataset',
  category: 'Dataset',
  description:
    'Reads a folder of medical images (DICOM, NIfTI, PNG, JPEG, BMP, TIFF, GIF) with their labels, ' +
    'and splits it into training, validation and test sets.',
  params: datasetParamsSchema,
  async open(params, ctx: DatasetContext) {
    if (!params.path) throw new Error('No dataset folder is set: choose one in the Dataset node');
    // Skipped files are told once per run, grouped by reason (the executor), and listed in the summary.
    return openDataset(resolveDatasetRoot(params.path, ctx.projectDir), params);
  },
  // Any file added, removed or changed (size, mtime, path) changes the outputs.
  fingerprint: async (_params, ctx) => (await ctx.openDataset()).fingerprint,
};
