/**
 * The test figures of a segmentation, transformation or detection node in the
 * source geometry (docs/metrics.md, "Test metrics in the source geometry"):
 * the trainer measures its test split on the network's grid; before those
 * figures are recorded or shown, the engine measures the same items again
 * against the dataset's own targets through the chain's recorded geometry.
 * Where that cannot be done, the grid's figures stay, said as such.
 */
import type { EngineEvent } from '../api';
import type { DatasetSource } from '../graph/node-type';
import type { NodeTypeRegistry } from '../graph/registry';
import { sourceGeometryMetrics } from '../nn/evaluation/source-geometry';
import { loadTrained } from '../nn/predict';
import { chainOf, datasetNodeOf } from '../run/chain';
import type { ProjectStore } from '../store/project-store';
import type { ProjectSession } from './session';

type EvaluationEvent = Extract<EngineEvent, { type: 'evaluation' }>;

/** What measuring a run's test split again needs from the engine. */
export interface SourceMeasureContext {
  store: ProjectStore;
  registry: NodeTypeRegistry;
  openDataset(node: Parameters<typeof datasetNodeOf>[0]['nodes'][number]): Promise<DatasetSource>;
  /** Where the run keeps the model of `node` (a Sample RUN's is apart from the full run's). */
  artifactsDir(node: string): string;
  /** The ids of the test items the node was trained with (its input's). */
  testIds(node: string): string[];
  emit(event: EngineEvent): void;
  signal: AbortSignal;
}

/** The context of the open project's `session`, the model read from `artifactsDir(node)`. */
export function sessionMeasureContext(
  session: ProjectSession,
  artifactsDir: (node: string) => string,
  signal: AbortSignal,
): SourceMeasureContext {
  return {
    store: session.requireStore(),
    registry: session.registry,
    openDataset: (node) => session.openDataset(node),
    artifactsDir,
    testIds: (node) =>
      (session.inputManifest(node)?.items ?? []).filter((i) => i.split === 'test').map((i) => i.id),
    emit: (event) => session.emit(event),
    signal,
  };
}

/** Whether `event` is a node's own test evaluation whose figures depend on the grid, not yet measured again. */
export function measuredOnGrid(event: EvaluationEvent): boolean {
  return !event.trial && !event.scores && !event.geometry;
}

/**
 * `event` with its figures measured in the source geometry (`geometry:
 * 'source'`), or, when that fails, as it came (`geometry: 'network'`) with a
 * warning that says why.
 */
export async function measureInSource(
  ctx: SourceMeasureContext,
  event: EvaluationEvent,
): Promise<EvaluationEvent> {
  try {
    const graph = ctx.store.graph();
    const data = datasetNodeOf(graph, event.node);
    if (!data) throw new Error(`no Dataset node feeds "${event.node}"`);
    const trained = await loadTrained(ctx.artifactsDir(event.node));
    const source = await ctx.openDataset(data);
    const result = await sourceGeometryMetrics(
      trained,
      chainOf(ctx.registry, graph, event.node),
      source,
      new Set(ctx.testIds(event.node)),
      ctx.signal,
    );
    if (!result.items) throw new Error('no test item could be read from the dataset');
    const left = result.dropped + result.failed.length;
    if (left)
      ctx.emit({
        type: 'log',
        level: 'warn',
        node: event.node,
        message: `Test metrics in source geometry leave out ${left} of ${result.items + left} items: ${[
          ...(result.dropped ? [`${result.dropped} dropped by the chain`] : []),
          ...result.failed.slice(0, 3).map((f) => `${f.id}: ${f.reason}`),
        ].join('; ')}`,
      });
    return {
      ...event,
      metrics: result.metrics,
      confusion: result.confusion.length ? result.confusion : event.confusion,
      items: result.items,
      geometry: 'source',
      ...(result.volumes.length ? { volumes: result.volumes } : {}),
    };
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    ctx.emit({
      type: 'log',
      level: 'warn',
      node: event.node,
      message: `Test metrics are on the network's grid, not the source images': ${(error as Error).message}`,
    });
    return { ...event, geometry: 'network' };
  }
}
