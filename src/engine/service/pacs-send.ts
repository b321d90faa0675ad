/**
 * "Send to PACS" in the View tab: a segmentation network's predicted mask for
 * one item, taken back to its source image's grid (the geometry its modules
 * recorded, as `phi predict` does), made into a DICOM SEG of the item's DICOM
 * source (`src/engine/pacs/seg.ts`: same study, frame of reference, per-frame
 * references) and stored on the profile's PACS.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineResults } from '../api';
import { resolveDatasetRoot } from '../data/dataset-node';
import { decodeImage } from '../data/readers';
import type { NodeTypeRegistry } from '../graph/registry';
import { resampleToSource, sourceToSample } from '../imaging/geometry-steps';
import { geometry as sizeOf } from '../imaging/image';
import { encodeNpyFloat32 } from '../nn/io/npy';
import { classMask, loadTrained, runSample } from '../nn/predict';
import { push } from '../pacs/push';
import { buildSeg } from '../pacs/seg';
import { readPart10, stringOf } from '../pacs/dcmjs';
import { applyChain, chainOf, datasetNodeOf } from '../run/chain';
import type { ProjectStore } from '../store/project-store';
import type { PacsConnection } from './pacs-profiles';

/** Sends the SEG of `sampleId`'s prediction by network `nodeId`. */
export async function sendPredictionSeg(
  store: ProjectStore,
  registry: NodeTypeRegistry,
  nodeId: string,
  sampleId: string,
  profile: string,
  connection: PacsConnection,
  /** The model the node holds (a Sample RUN's when its last run was one), as the View tab shows it. */
  model: { artifactsDir: string; fromSample: boolean },
): Promise<EngineResults['sendToPacs']> {
  const graph = store.graph();
  const data = datasetNodeOf(graph, nodeId);
  if (!data) throw new Error(`No Dataset node feeds "${nodeId}"`);
  if (sampleId.includes('#'))
    throw new Error(
      `${sampleId} is one frame of a multi-frame file: Send to PACS sends masks of single images.`,
    );
  const trained = await loadTrained(model.artifactsDir);
  const { geometry, classes } = trained.manifest;
  if (geometry.task !== 'segmentation' || geometry.inputShape.length !== 3)
    throw new Error(
      `"${nodeId}" is not a 2-D segmentation network: Send to PACS sends its masks as DICOM SEG.`,
    );
  const file = join(resolveDatasetRoot(String(data.params.path ?? ''), store.dir), sampleId);
  // Only a DICOM source gives the SEG its study, frame of reference and references.
  try {
    readPart10(new Uint8Array(readFileSync(file)));
  } catch {
    throw new Error(`${sampleId} is not a DICOM file: a DICOM SEG can only be made for a DICOM image.`);
  }
  const image = await decodeImage(file);
  const sample = await applyChain(chainOf(registry, graph, nodeId), {
    id: sampleId,
    image,
    meta: image.meta,
  });
  if (!sample)
    throw new Error(`The modules before "${nodeId}" drop ${sampleId}: there is no prediction to send.`);
  const [h, w] = geometry.inputShape;
  const source = sizeOf(image);
  const mask = resampleToSource(
    classMask(runSample(trained, sample).out, h * w, geometry.classes),
    { height: h, width: w, channels: 1 },
    sourceToSample(sample, source),
    source,
    'nearest',
  );
  const present = [...new Set(mask)].filter((k) => k > 0).sort((a, b) => a - b);
  if (!present.length)
    throw new Error(
      `The prediction for ${sampleId} marks no pixel of any class but ${classes[0]}: there is no segment to send.`,
    );
  const scratch = mkdtempSync(join(tmpdir(), 'phi-seg-'));
  try {
    const maskFile = join(scratch, 'mask.npy');
    writeFileSync(maskFile, encodeNpyFloat32(Float32Array.from(mask), [source.height, source.width]));
    const segments = present.map((k) => classes[k] ?? `class ${k}`);
    const seg = await buildSeg(maskFile, file, {
      labels: segments,
      description: `Phi Studio: ${nodeId} prediction${model.fromSample ? ' (Sample RUN model)' : ''}`,
    });
    const segFile = join(scratch, 'seg.dcm');
    writeFileSync(segFile, seg.bytes);
    await push(connection.target, [segFile], connection, () => undefined);
    const written = readPart10(seg.bytes);
    return {
      profile,
      fromSample: model.fromSample,
      segments,
      sopInstanceUid: stringOf(written.dict, '00080018') ?? '',
      studyInstanceUid: stringOf(written.dict, '0020000D') ?? '',
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
