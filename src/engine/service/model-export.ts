/**
 * Exports a trained network node of a project (docs/export.md): the context
 * the manifest records (the chain from the dataset, the metrics, the keys)
 * and the raw image the graph takes with the preprocessing inside it. `phi
 * export` and the workbench's "Export model..." both go through here, so both
 * write the same files; `exportOptions` says beforehand which options the
 * node's network allows, with the exporter's own sentence where it does not.
 */
import { basename } from 'node:path';
import { dtypeOf, type EpochMetrics, type ExportOption, type ExportOptions, type Graph } from '../api';
import type { NodeTypeRegistry } from '../graph/registry';
import { exportTrained, onnxModel, type ExportContext, type ExportManifest } from '../nn/export/export';
import { OnnxExportError } from '../nn/export/onnx';
import type { RawImage } from '../nn/export/preprocessing';
import type { Trained } from '../nn/predict';
import { datasetNodeOf, moduleChain } from '../run/chain';
import type { ProjectStore } from '../store/project-store';
import { APP_VERSION } from './version';

/** What to export and where. */
export interface ExportRequest {
  format: ExportManifest['format'];
  withPreprocessing: boolean;
  anySize: boolean;
}

/** What the reader gives for the first training image of the dataset that feeds `node`; `anySize` leaves the size free. */
async function datasetImage(
  graph: Graph,
  node: string,
  registry: NodeTypeRegistry,
  projectDir: string,
  anySize: boolean,
): Promise<RawImage> {
  const dataset = datasetNodeOf(graph, node);
  const type = dataset && registry.get(dataset.type);
  if (!dataset || type?.kind !== 'dataset') throw new Error(`no dataset node feeds "${node}"`);
  const source = await type.open(type.params.parse(dataset.params), {
    projectDir,
    log: { info: () => undefined, warn: () => undefined },
  });
  const item = source.items.find((i) => i.split === 'train') ?? source.items[0];
  if (!item) throw new Error(`the dataset of "${dataset.id}" holds no images`);
  const { image } = await source.load(item);
  const [height, width, channels] = image.shape;
  return anySize
    ? { height: null, width: null, channels, dtype: dtypeOf(image.data) }
    : { height, width, channels, dtype: dtypeOf(image.data) };
}

/** The manifest's view of network node `nodeId` of `store`, without the raw image. */
function exportContext(store: ProjectStore, registry: NodeTypeRegistry, nodeId: string): ExportContext {
  const graph = store.graph();
  const preprocessing = moduleChain(graph, nodeId).map((n) => {
    const parsed = registry.get(n.type)?.params.safeParse(n.params);
    return {
      node: n.id,
      module: n.type,
      version: n.version,
      params: (parsed?.success ? parsed.data : n.params) as Record<string, unknown>,
    };
  });
  // The last epoch of each split (the test split is evaluated once, as epoch 0).
  const metrics: Record<string, EpochMetrics & { epoch?: number }> = {};
  for (const record of store.epochs(nodeId))
    metrics[record.split] = { ...record.metrics, ...(record.epoch > 0 ? { epoch: record.epoch } : {}) };
  return {
    project: basename(store.path),
    node: nodeId,
    cacheKey: store.nodeResults()[nodeId]?.cacheKey,
    preprocessing,
    metrics,
    producerVersion: APP_VERSION,
  };
}

/** Writes `trained`, the network of node `nodeId`, into `folder` as `request` asks; returns the manifest. */
export async function exportNetworkNode(
  store: ProjectStore,
  registry: NodeTypeRegistry,
  nodeId: string,
  trained: Trained,
  request: ExportRequest,
  folder: string,
): Promise<ExportManifest> {
  const context = exportContext(store, registry, nodeId);
  const rawImage = request.withPreprocessing
    ? await datasetImage(store.graph(), nodeId, registry, store.dir, request.anySize)
    : undefined;
  return exportTrained(trained, request.format, folder, { ...context, ...(rawImage ? { rawImage } : {}) });
}

/** Whether the ONNX exporter takes `trained` with `rawImage` in front; its sentence when it does not. */
function onnxOption(trained: Trained, context: ExportContext, rawImage?: RawImage): ExportOption {
  try {
    onnxModel(trained, { ...context, ...(rawImage ? { rawImage } : {}) });
    return { ok: true };
  } catch (error) {
    if (error instanceof OnnxExportError) return { ok: false, reason: error.message };
    throw error;
  }
}

/** Which export options the network of node `nodeId` allows, each checked by building the model it would write. */
export async function exportOptions(
  store: ProjectStore,
  registry: NodeTypeRegistry,
  nodeId: string,
  trained: Trained,
): Promise<Omit<ExportOptions, 'fromSample'>> {
  const context = exportContext(store, registry, nodeId);
  const onnx = onnxOption(trained, context);
  if (!onnx.ok) return { onnx, withPreprocessing: onnx, anySize: onnx };
  let fixed: RawImage;
  try {
    fixed = await datasetImage(store.graph(), nodeId, registry, store.dir, false);
  } catch (error) {
    const unread = { ok: false, reason: `The raw image cannot be read: ${(error as Error).message}.` };
    return { onnx, withPreprocessing: unread, anySize: unread };
  }
  const withPreprocessing = onnxOption(trained, context, fixed);
  const anySize = withPreprocessing.ok
    ? onnxOption(trained, context, { ...fixed, height: null, width: null })
    : withPreprocessing;
  return { onnx, withPreprocessing, anySize };
}
