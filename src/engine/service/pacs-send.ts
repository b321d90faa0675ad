/**
 * "Send to PACS" in the View tab. A segmentation network's predicted mask for
 * one item, taken back to its source image's grid (the geometry its modules
 * recorded, as `phi predict` does), made into a DICOM SEG of the item's DICOM
 * source (`src/engine/pacs/seg.ts`: same study, frame of reference, per-frame
 * references) and stored on the profile's PACS; a 3-D segmentation network's
 * mask of a DICOM series goes as a SEG of the series (pacs-send-volume.ts); a
 * classification network's prediction goes as a report and an overlay
 * (pacs-send-classification.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineResults } from '../api';
import type { NodeTypeRegistry } from '../graph/registry';
import { resampleToSource, sourceToSample } from '../imaging/geometry-steps';
import { geometry as sizeOf } from '../imaging/image';
import { encodeNpyFloat32 } from '../nn/io/npy';
import { classMask, loadTrained, runSample } from '../nn/predict';
import { push } from '../pacs/push';
import { buildSeg } from '../pacs/seg';
import { readPart10, stringOf } from '../pacs/dcmjs';
import type { ProjectStore } from '../store/project-store';
import type { PacsConnection } from './pacs-profiles';
import { sendClassification } from './pacs-send-classification';
import { feedingDataset, sendSource, type HeldModel } from './pacs-send-source';
import { volumeSeg } from './pacs-send-volume';

/** Sends `sampleId`'s prediction by network `nodeId`: a SEG, or an SR and a Grad-CAM capture. */
export async function sendPrediction(
  store: ProjectStore,
  registry: NodeTypeRegistry,
  nodeId: string,
  sampleId: string,
  profile: string,
  connection: PacsConnection,
  /** The held model and its result's cache key. */
  model: HeldModel & { key: string },
): Promise<EngineResults['sendToPacs']> {
  const description = `Phi Studio: ${nodeId} prediction${model.fromSample ? ' (Sample RUN model)' : ''}`;
  feedingDataset(store, nodeId);
  const held = await loadTrained(model.artifactsDir);
  if (held.manifest.geometry.inputShape.length === 4) {
    if (held.manifest.geometry.task !== 'segmentation')
      throw new Error(
        `"${nodeId}" is a 3-D ${held.manifest.geometry.task} network: Send to PACS sends the masks of 3-D segmentation networks.`,
      );
    const seg = await volumeSeg(store, registry, nodeId, sampleId, held, description);
    return sendSeg(seg.bytes, seg.segments, profile, connection, model.fromSample);
  }
  const prepared = await sendSource(store, registry, nodeId, sampleId, model, ({ manifest }) => {
    if (!['segmentation', 'classification'].includes(manifest.geometry.task))
      throw new Error(
        `"${nodeId}" is not a segmentation or classification network: Send to PACS sends a SEG, or a report and a Grad-CAM.`,
      );
  });
  const { geometry, classes } = prepared.trained.manifest;
  if (geometry.task === 'classification') {
    const node = store.graph().nodes.find((n) => n.id === nodeId);
    if (!node) throw new Error(`No node "${nodeId}" in the project`);
    return sendClassification(node, prepared, profile, connection, model);
  }
  const { file, image, sample, trained } = prepared;
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
    const seg = await buildSeg(maskFile, file, { labels: segments, description });
    return await sendSeg(seg.bytes, segments, profile, connection, model.fromSample);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Stores a SEG on the profile's PACS; says which instance it became, in which study. */
async function sendSeg(
  bytes: Uint8Array,
  segments: string[],
  profile: string,
  connection: PacsConnection,
  fromSample: boolean,
): Promise<EngineResults['sendToPacs']> {
  const scratch = mkdtempSync(join(tmpdir(), 'phi-seg-'));
  try {
    const segFile = join(scratch, 'seg.dcm');
    writeFileSync(segFile, bytes);
    await push(connection.target, [segFile], connection, () => undefined);
    const written = readPart10(bytes);
    return {
      profile,
      fromSample,
      segments,
      sopInstanceUid: stringOf(written.dict, '00080018') ?? '',
      studyInstanceUid: stringOf(written.dict, '0020000D') ?? '',
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
