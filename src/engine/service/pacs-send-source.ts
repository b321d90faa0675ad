/**
 * What every "Send to PACS" starts from: the item's DICOM source file in the
 * node's Dataset, decoded and run through the modules before the network, and
 * the model the node holds. Each refusal is one sentence naming the item.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GraphNode, Sample } from '../api';
import { resolveDatasetRoot } from '../data/dataset-node';
import { decodeImage } from '../data/readers';
import type { NodeTypeRegistry } from '../graph/registry';
import { loadTrained, type Trained } from '../nn/predict';
import { readPart10 } from '../pacs/dcmjs';
import { applyChain, chainOf, datasetNodeOf } from '../run/chain';
import type { ProjectStore } from '../store/project-store';

/** The model a node holds (a Sample RUN's when its last run was one), as the View tab shows it. */
export interface HeldModel {
  artifactsDir: string;
  fromSample: boolean;
}

/** The Dataset node feeding `nodeId`, whose items Send to PACS sends the results of. */
export function feedingDataset(store: ProjectStore, nodeId: string): GraphNode {
  const data = datasetNodeOf(store.graph(), nodeId);
  if (!data) throw new Error(`No Dataset node feeds "${nodeId}"`);
  return data;
}

/** The item's source file, its decoded image, the sample the network takes and the model. */
export async function sendSource(
  store: ProjectStore,
  registry: NodeTypeRegistry,
  nodeId: string,
  sampleId: string,
  model: HeldModel,
  /** Throws the sentence for a model that cannot be sent, before the item is read. */
  accept: (trained: Trained) => void,
): Promise<{
  file: string;
  image: Awaited<ReturnType<typeof decodeImage>>;
  sample: Sample;
  trained: Trained;
}> {
  const graph = store.graph();
  const data = feedingDataset(store, nodeId);
  if (sampleId.includes('#'))
    throw new Error(
      `${sampleId} is one frame of a multi-frame file: Send to PACS sends results of single images.`,
    );
  const trained = await loadTrained(model.artifactsDir);
  accept(trained);
  const file = join(resolveDatasetRoot(String(data.params.path ?? ''), store.dir), sampleId);
  // Only a DICOM source gives the result its study, frame of reference and references.
  try {
    readPart10(new Uint8Array(readFileSync(file)));
  } catch {
    throw new Error(`${sampleId} is not a DICOM file: results can only be sent to a PACS for a DICOM image.`);
  }
  const image = await decodeImage(file);
  const sample = await applyChain(chainOf(registry, graph, nodeId), {
    id: sampleId,
    image,
    meta: image.meta,
  });
  if (!sample)
    throw new Error(`The modules before "${nodeId}" drop ${sampleId}: there is no prediction to send.`);
  return { file, image, sample, trained };
}
