/**
 * The engine's evaluation channel over the open project (session.ts); engine.ts
 * routes its requests here (docs/architecture.md, "The engine's channels").
 */
import type { ProjectSession } from './session';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import type {
  EngineApi,
  EngineParams,
  EngineResults,
  EpochMetrics,
  MetricsHistory,
  VolumeFigureRow,
} from '../api';
import { EngineRequests, type RequestOptions } from '../api';
import { collectionFrom, networkDir } from '../run/executor';
import { parseOperatingRule } from '../nn/metrics/operating-point';
import { evaluateFolder } from './external-evaluation';
import { inferenceRuntimeOf } from './inference-runtime';
import { epochHistory } from './epoch-history';
import { evaluationHistory, modelOfEvaluation } from './evaluations';
import { reportInput } from '../report/input';
import { renderReport } from '../report/html';

/** A trained network's curves, test study, predictions, report and external validation. */
export class EvaluationChannel {
  /** `api`: the engine the report reads its figures through. */
  constructor(
    private readonly session: ProjectSession,
    private readonly api: EngineApi,
  ) {}

  async getMetrics(params: EngineParams<'getMetrics'>): Promise<EngineResults['getMetrics']> {
    const { node, run } = EngineRequests.getMetrics.parse(params);
    const store = this.session.requireStore();
    const input = this.session.inputManifest(node);
    // The node's trainings, newest first; tuning trials are the Auto Tuning tab's, never the node's.
    const runs = store
      .runs()
      .filter((r) => r.mode !== 'tuning' && store.epochs(node, r.id).length > 0)
      .reverse()
      .map((r) => ({
        id: r.id,
        kind: r.mode === 'sample' ? ('sample' as const) : ('full' as const),
        startedAt: r.startedAt,
        status: r.status,
      }));
    const picked = run ? runs.find((r) => r.id === run) : undefined;
    if (run && !picked) throw new Error(`Run "${run}" did not train "${node}"`);
    // Without a pick: the curves of the model the node holds (a sample run's when its last finished run was one).
    const selection = this.session.heldSelection(node);
    const sample = picked ? picked.kind === 'sample' : selection !== 'all';
    const rows = epochHistory(store, node, sample, picked?.id);
    const test = rows.find((r) => r.split === 'test');
    return {
      // Class names from the input, else from the trained model (its input's cache may be another machine's).
      classes: input?.classes ?? trainedClasses(networkDir(store.artifactsPath(node), selection)),
      run: sample ? { kind: 'sample', items: picked ? undefined : input?.items.length } : { kind: 'full' },
      ...(rows[0] ? { shown: rows.filter((r) => r.split !== 'test').at(-1)?.runId ?? rows[0].runId } : {}),
      runs,
      epochs: rows
        .filter(
          (r): r is typeof r & { split: 'train' | 'validation' } =>
            r.split === 'train' || r.split === 'validation',
        )
        .map((r) => ({ epoch: r.epoch, split: r.split, metrics: r.metrics })),
      test: test
        ? { ...testResult(test.metrics, store.volumeFigures(test.runId, node)), run: test.runId }
        : undefined,
    };
  }

  async getEvaluation(params: EngineParams<'getEvaluation'>): Promise<EngineResults['getEvaluation']> {
    const { node, run } = EngineRequests.getEvaluation.parse(params);
    return evaluationHistory(
      this.session.requireStore(),
      node,
      this.session.heldSelection(node) !== 'all',
      run,
    );
  }

  async exportReport(params: EngineParams<'exportReport'>): Promise<EngineResults['exportReport']> {
    const { node } = EngineRequests.exportReport.parse(params);
    const store = this.session.requireStore();
    const path = join(store.dir, `${basename(store.path, extname(store.path))}-report.html`);
    await this.writeReport(path, node);
    return { path };
  }

  /** Writes the study report of `node` (every network node when absent) to `path` (`phi report`). */
  async writeReport(path: string, node?: string, intendedUse = ''): Promise<void> {
    const store = this.session.requireStore();
    const input = await reportInput(
      this.api,
      this.session.registry,
      (id) => networkDir(store.artifactsPath(id), 'all'),
      async (dataset) => (await this.session.openDataset(dataset)).fingerprint,
      node,
    );
    writeFileSync(path, renderReport(input, intendedUse));
  }

  async getPrediction(params: EngineParams<'getPrediction'>): Promise<EngineResults['getPrediction']> {
    const { node, sampleId, evaluation } = EngineRequests.getPrediction.parse(params);
    const store = this.session.requireStore();
    const { node: graphNode, type } = this.session.networkNode(node);
    if (!type.predict) throw new Error(`${type.title} cannot show predictions`);
    const input = this.session.inputManifest(node);
    if (!input) throw new Error(`Run the pipeline before "${node}" first: its input is not cached`);
    const selection = evaluation
      ? modelOfEvaluation(store, node, evaluation)
      : this.session.heldSelection(node);
    const prediction = await type.predict(
      sampleId,
      collectionFrom(input, this.session.cache),
      type.params.parse(graphNode.params),
      {
        nodeId: node,
        artifactsDir: networkDir(store.artifactsFor(node), selection),
        inferenceRuntime: inferenceRuntimeOf(store),
      },
    );
    return selection === 'all' ? prediction : { ...prediction, fromSample: input.items.length };
  }

  async evaluateDataset(
    params: EngineParams<'evaluateDataset'>,
    options: RequestOptions = {},
  ): Promise<EngineResults['evaluateDataset']> {
    const request = EngineRequests.evaluateDataset.parse(params);
    const store = this.session.requireStore();
    this.session.requireNoRun();
    return evaluateFolder(store, this.session.registry, request.node, resolve(store.dir, request.dataset), {
      seed: request.seed,
      ...(request.operatingPoint ? { rule: parseOperatingRule(request.operatingPoint) } : {}),
      resamples: request.bootstrap,
      signal: options.signal,
    });
  }
}

/** The class names a trained network recorded in its `model.json`; [] when there is none. */
function trainedClasses(dir: string): string[] {
  try {
    const manifest = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { classes?: unknown };
    return Array.isArray(manifest.classes) ? manifest.classes.map(String) : [];
  } catch {
    return [];
  }
}

/** The stored test row split back into its metrics, confusion matrix and item count, with its volumes' rows. */
function testResult(row: EpochMetrics, volumes: VolumeFigureRow[]): NonNullable<MetricsHistory['test']> {
  const { confusion, items, sourceGeometry, ...metrics } = row;
  return {
    metrics,
    ...(volumes.length ? { volumes } : {}),
    confusion: unflattenSquare(confusion),
    ...(typeof items === 'number' ? { items } : {}),
    ...(typeof sourceGeometry === 'number'
      ? { geometry: sourceGeometry ? ('source' as const) : ('network' as const) }
      : {}),
  };
}

/** A square matrix stored row-major as a flat list (see the `evaluation` event). */
function unflattenSquare(flat: unknown): number[][] {
  if (!Array.isArray(flat)) return [];
  const size = Math.round(Math.sqrt(flat.length));
  return Array.from({ length: size }, (_, row) => flat.slice(row * size, row * size + size) as number[]);
}
