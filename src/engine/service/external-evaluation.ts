/**
 * External validation (docs/metrics.md, "Evaluation runs and the report"): a
 * trained network run on another labelled folder. The folder is read with
 * the layout rules of the node's Dataset node (its params, another path);
 * every item, whatever its split, goes through the node's chain of modules and
 * the trained network as `phi predict` runs them. A classifier's study report
 * is stored in the project as an evaluation run, with the operating point
 * chosen on the training's validation split; a segmentation or transformation
 * network's outputs are mapped back to each item's own geometry and measured
 * against the folder's masks or targets, as its test split is
 * (nn/evaluation/source-geometry.ts). `phi evaluate` and "Evaluate on another
 * dataset…" both come here.
 */
import type { ExternalEvaluation, ScoredSet } from '../api';
import { openDataset } from '../data/dataset-node';
import { datasetParamsSchema } from '../data/params';
import type { DatasetSource } from '../graph/node-type';
import type { NodeTypeRegistry } from '../graph/registry';
import type { OperatingRule } from '../nn/metrics/operating-point';
import { heldInference } from '../nn/export/inference-backend';
import { ItemRefused, sourceGeometryMetrics } from '../nn/evaluation/source-geometry';
import { inferenceRuntimeOf } from './inference-runtime';
import { loadTrained, runOn, type Trained } from '../nn/predict';
import { applyChain, chainOf, datasetNodeOf, type ChainStep } from '../run/chain';
import type { ProjectStore } from '../store/project-store';
import { recordExternalEvaluation, recordMeasuredEvaluation, stampOf } from './evaluations';
import { itemAttributes, studySettings } from './test-study';
import { APP_VERSION } from './version';

type Options = { seed: number; rule?: OperatingRule; resamples: number; signal?: AbortSignal };

/** Evaluates network `node` of the open project on the labelled folder `dataset` (absolute). */
export async function evaluateFolder(
  store: ProjectStore,
  registry: NodeTypeRegistry,
  nodeId: string,
  dataset: string,
  options: Options,
): Promise<ExternalEvaluation> {
  const graph = store.graph();
  const node = graph.nodes.find((n) => n.id === nodeId);
  if (node?.kind !== 'network') throw new Error(`"${nodeId}" is not a network node of this project`);
  const data = datasetNodeOf(graph, node.id);
  if (!data) throw new Error(`no Dataset node feeds "${node.id}"`);
  const trained = await loadTrained(store.artifactsPath(node.id));
  const { task } = trained.manifest.geometry;
  if (task === 'detection')
    throw new Error(
      `"${node.id}" is a detection network: external evaluation reports on classifiers, segmentation and transformation networks`,
    );
  const source = await openDataset(dataset, datasetParamsSchema.parse({ ...data.params, path: dataset }));
  const chain = chainOf(registry, graph, node.id);
  const run = (datasetHash: string) =>
    store.startRun({
      mode: 'evaluate',
      seed: options.seed,
      appVersion: APP_VERSION,
      nodeVersions: Object.fromEntries(graph.nodes.map((n) => [n.id, n.version])),
      backend: trained.manifest.backend,
      datasetHash,
    });
  return task === 'classification'
    ? evaluateClassifier(store, registry, node.id, dataset, trained, source, chain, run, options)
    : measureFolder(store, node.id, dataset, trained, source, chain, run, options.signal);
}

/** Stores what `record` makes in run `runId`, which finishes done, or failed when `record` throws. */
function inRun<T>(store: ProjectStore, runId: string, record: () => T): T {
  try {
    const result = record();
    store.finishRun(runId, 'done');
    return result;
  } catch (error) {
    store.finishRun(runId, 'failed');
    throw error;
  }
}

/**
 * The folder's labels as the network knows them: classes it was not trained
 * on, or items without a mask (target), refuse the whole folder (as a mask
 * holding an unknown class index does when it is measured).
 */
function checkLabels(trained: Trained, source: DatasetSource, dataset: string): void {
  const { classes, geometry } = trained.manifest;
  const labelled = source.items.filter((item) => (item.ref as { label?: unknown } | undefined)?.label);
  const what = geometry.task === 'segmentation' ? 'masks' : 'targets';
  if (!labelled.length)
    throw new Error(
      `${dataset} has no ${what} beside its images: lay out its ${what} as the training dataset's are`,
    );
  if (geometry.task !== 'segmentation') return;
  const unknown = source.classes.filter((name, index) => classes[index] !== name);
  if (unknown.length)
    throw new Error(
      `${dataset}'s masks hold classes the network was not trained on (${unknown.join(', ')}; it knows ${classes.join(', ')}): save them with the mask values of the training's masks`,
    );
}

/** A segmentation or transformation network measured on every item of the folder in its source geometry. */
async function measureFolder(
  store: ProjectStore,
  node: string,
  dataset: string,
  trained: Trained,
  source: DatasetSource,
  chain: ChainStep[],
  run: (datasetHash: string) => string,
  signal?: AbortSignal,
): Promise<ExternalEvaluation> {
  checkLabels(trained, source, dataset);
  const ids = new Set(source.items.map((item) => item.id));
  // Every item is measured, or none: figures that leave out an item whose mask the network does not know would be another folder's.
  const result = await sourceGeometryMetrics(trained, chain, source, ids, signal, true).catch((error) => {
    throw error instanceof ItemRefused
      ? new Error(`${dataset} is refused at ${error.item}: ${error.reason}; correct or remove that item`)
      : error;
  });
  if (!result.items)
    throw new Error(
      `no item of ${dataset} could be evaluated${result.failed[0] ? ` (first: ${result.failed[0].id}: ${result.failed[0].reason})` : ''}`,
    );
  const { geometry, classes } = trained.manifest;
  const runId = run(source.fingerprint);
  const record = inRun(store, runId, () =>
    recordMeasuredEvaluation(
      store,
      runId,
      node,
      dataset,
      {
        task: geometry.task as 'segmentation' | 'transformation',
        classes: geometry.task === 'segmentation' ? classes : [],
        items: result.items,
        metrics: result.metrics,
        confusion: result.confusion,
        ...(result.volumes.length ? { volumes: result.volumes } : {}),
      },
      stampOf(store.artifactsPath(node), 'all'),
    ),
  );
  return { record, failed: result.failed, dropped: result.dropped };
}

/** A classifier's study report on the folder. */
async function evaluateClassifier(
  store: ProjectStore,
  registry: NodeTypeRegistry,
  nodeId: string,
  dataset: string,
  trained: Trained,
  source: DatasetSource,
  chain: ChainStep[],
  run: (datasetHash: string) => string,
  options: Options,
): Promise<ExternalEvaluation> {
  const graph = store.graph();
  const { classes } = trained.manifest;
  const unknown = source.classes.filter((name) => !classes.includes(name));
  if (unknown.length)
    throw new Error(
      `${dataset} has classes the network was not trained on: ${unknown.join(', ')} (it knows ${classes.join(', ')})`,
    );
  const inference = await heldInference(trained, inferenceRuntimeOf(store), store.artifactsPath(nodeId));
  // The node's own study settings, unless the request names a rule.
  const settings = studySettings(graph, registry, nodeId, store.dir);
  const set: ScoredSet = { truth: [], probs: [] };
  // Ids key the subgroup attributes only: the folder's items are not the project's, so no error gallery names them.
  const ids: string[] = [];
  const metas = new Map<string, Record<string, unknown>>();
  const failed: ExternalEvaluation['failed'] = [];
  let dropped = 0;
  for (const item of source.items) {
    options.signal?.throwIfAborted();
    try {
      if (item.classIndex === undefined) throw new Error('no class label');
      const original = await source.load(item);
      const sample = await applyChain(chain, original);
      if (!sample) {
        dropped++;
        continue;
      }
      set.probs.push(Array.from((await runOn(inference, trained, sample)).out));
      set.truth.push(classes.indexOf(source.classes[item.classIndex]));
      ids.push(item.id);
      metas.set(item.id, original.meta);
    } catch (error) {
      failed.push({ id: item.id, reason: (error as Error).message });
    }
  }
  if (!set.truth.length) throw new Error(`no item of ${dataset} could be evaluated`);
  const attributes = await itemAttributes(ids, async (id) => metas.get(id) ?? {}, settings.subgroupFile);
  const runId = run(source.fingerprint);
  const record = inRun(store, runId, () =>
    recordExternalEvaluation(
      store,
      runId,
      nodeId,
      dataset,
      classes,
      set,
      { ...options, rule: options.rule ?? settings.rule, attributes },
      stampOf(store.artifactsPath(nodeId), 'all'),
    ),
  );
  return { record, failed, dropped };
}
