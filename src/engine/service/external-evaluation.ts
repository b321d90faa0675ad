/**
 * External validation (docs/metrics.md, "Evaluation runs and the report"): a
 * trained classifier run on another labelled folder. The folder is read with
 * the layout rules of the node's Dataset node (its params, another path);
 * every item, whatever its split, goes through the node's chain of modules and
 * the trained network as `phi predict` runs them; the study report is stored
 * in the project as an evaluation run, with the operating point chosen on the
 * training's validation split. `phi evaluate` and "Evaluate on another
 * dataset…" both come here.
 */
import type { ExternalEvaluation, ScoredSet } from '../api';
import { openDataset } from '../data/dataset-node';
import { datasetParamsSchema } from '../data/params';
import type { NodeTypeRegistry } from '../graph/registry';
import type { OperatingRule } from '../nn/metrics/operating-point';
import { heldInference } from '../nn/export/inference-backend';
import { inferenceRuntimeOf } from './inference-runtime';
import { loadTrained, runOn } from '../nn/predict';
import { applyChain, chainOf, datasetNodeOf } from '../run/chain';
import type { ProjectStore } from '../store/project-store';
import { recordExternalEvaluation, stampOf } from './evaluations';
import { itemAttributes, studySettings } from './test-study';
import { APP_VERSION } from './version';

/** Evaluates network `node` of the open project on the labelled folder `dataset` (absolute). */
export async function evaluateFolder(
  store: ProjectStore,
  registry: NodeTypeRegistry,
  nodeId: string,
  dataset: string,
  options: { seed: number; rule?: OperatingRule; resamples: number; signal?: AbortSignal },
): Promise<ExternalEvaluation> {
  const graph = store.graph();
  const node = graph.nodes.find((n) => n.id === nodeId);
  if (node?.kind !== 'network') throw new Error(`"${nodeId}" is not a network node of this project`);
  const data = datasetNodeOf(graph, node.id);
  if (!data) throw new Error(`no Dataset node feeds "${node.id}"`);
  const trained = await loadTrained(store.artifactsPath(node.id));
  const { classes, geometry } = trained.manifest;
  if (geometry.task !== 'classification')
    throw new Error(`"${node.id}" is a ${geometry.task} network: external evaluation reports on classifiers`);
  const source = await openDataset(dataset, datasetParamsSchema.parse({ ...data.params, path: dataset }));
  const unknown = source.classes.filter((name) => !classes.includes(name));
  if (unknown.length)
    throw new Error(
      `${dataset} has classes the network was not trained on: ${unknown.join(', ')} (it knows ${classes.join(', ')})`,
    );
  const chain = chainOf(registry, graph, node.id);
  const inference = await heldInference(trained, inferenceRuntimeOf(store), store.artifactsPath(node.id));
  // The node's own study settings, unless the request names a rule.
  const settings = studySettings(graph, registry, node.id, store.dir);
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
  const runId = store.startRun({
    mode: 'evaluate',
    seed: options.seed,
    appVersion: APP_VERSION,
    nodeVersions: Object.fromEntries(graph.nodes.map((n) => [n.id, n.version])),
    backend: trained.manifest.backend,
    datasetHash: source.fingerprint,
  });
  try {
    const record = recordExternalEvaluation(
      store,
      runId,
      node.id,
      dataset,
      classes,
      set,
      {
        ...options,
        rule: options.rule ?? settings.rule,
        attributes,
      },
      stampOf(store.artifactsPath(node.id), 'all'),
    );
    store.finishRun(runId, 'done');
    return { record, failed, dropped };
  } catch (error) {
    store.finishRun(runId, 'failed');
    throw error;
  }
}
