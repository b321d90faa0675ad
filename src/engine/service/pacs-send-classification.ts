/**
 * "Send to PACS" of a classification network's prediction for one item: the
 * classes' probabilities as a Comprehensive SR (`src/engine/pacs/sr.ts`) and the
 * Grad-CAM overlay as a Secondary Capture with "NOT FOR DIAGNOSIS" burned in
 * (`src/engine/pacs/capture.ts`), both filed in the item's DICOM study. The
 * model is named by its node and identified by its result's cache key (the
 * pipeline and data that trained it).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineResults, GraphNode } from '../api';
import { predictSample } from '../nn/predict';
import { buildOverlayCapture } from '../pacs/capture';
import { readPart10, stringOf } from '../pacs/dcmjs';
import { push } from '../pacs/push';
import { buildClassificationSr } from '../pacs/sr';
import type { PacsConnection } from './pacs-profiles';
import type { sendSource, HeldModel } from './pacs-send-source';

/** Sends the SR and the Grad-CAM capture of `source`'s prediction by `node`. */
export async function sendClassification(
  node: GraphNode,
  source: Awaited<ReturnType<typeof sendSource>>,
  profile: string,
  connection: PacsConnection,
  model: HeldModel & { key: string },
): Promise<EngineResults['sendToPacs']> {
  const { file, sample, trained } = source;
  const prediction = await predictSample(trained, sample, {
    gradCamLayer: String(node.params.gradCamLayer ?? '') || undefined,
  });
  const probabilities = prediction.probabilities ?? [];
  const modelName = `${node.id}${model.fromSample ? ' (Sample RUN model)' : ''}`;
  const sr = buildClassificationSr(
    {
      classes: prediction.classes.map((name, k) => ({ name, probability: probabilities[k] })),
      model: modelName,
      projectHash: model.key,
    },
    file,
  );
  if (!prediction.gradCam) throw new Error(`"${node.id}" gave no Grad-CAM for ${sample.id}.`);
  const scratch = mkdtempSync(join(tmpdir(), 'phi-sr-'));
  try {
    const overlay = join(scratch, 'gradcam.png');
    writeFileSync(overlay, Buffer.from(prediction.gradCam.dataUrl.split(',')[1], 'base64'));
    const capture = await buildOverlayCapture(overlay, file, {
      derivation: `Grad-CAM of class "${sr.predicted}" from model ${modelName} (project ${model.key})`,
    });
    const files = [
      ['sr.dcm', sr.bytes],
      ['capture.dcm', capture.bytes],
    ].map(([name, bytes]) => {
      writeFileSync(join(scratch, name as string), bytes as Uint8Array);
      return join(scratch, name as string);
    });
    await push(connection.target, files, connection, () => undefined);
    const [srSet, captureSet] = [sr.bytes, capture.bytes].map((b) => readPart10(b).dict);
    return {
      profile,
      fromSample: model.fromSample,
      segments: [],
      predicted: sr.predicted,
      sopInstanceUid: stringOf(srSet, '00080018') ?? '',
      captureSopInstanceUid: stringOf(captureSet, '00080018') ?? '',
      studyInstanceUid: stringOf(srSet, '0020000D') ?? '',
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
