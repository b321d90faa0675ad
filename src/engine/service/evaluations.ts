/**
 * Evaluation runs of network nodes (docs/metrics.md, "Evaluation runs and the report"):
 * the study report of the test split, computed once when a training's `evaluation` event
 * arrives and stored with its run, and external evaluations (`phi evaluate`), read back
 * for `getEvaluation`, the Output tab and `phi report`. A cached run trains and evaluates
 * nothing: it reports what the store has.
 */
import type {
  EngineEvent,
  EvaluationHistory,
  EvaluationRecord,
  MeasuredEvaluationRecord,
  ScoredSet,
} from '../api';
import { evaluationReport, type EvaluationFigures, type EvaluationOptions } from '../nn/evaluation/report';
import { modelStamp } from '../nn/evaluation/model-stamp';
import { networkDir } from '../run/executor';
import type { ProjectStore } from '../store/project-store';
import type { EvaluationRow } from '../store/records';

/** The weights an evaluation was made with: their stamp (model-stamp.ts) and the run selection whose folder holds them. */
export interface EvaluatedModel {
  stamp: string;
  selection: string;
}

/**
 * What an evaluation row stores: the figures, the model that made them and, for the test
 * split, the validation scores its threshold came from.
 */
interface StoredReport {
  figures: EvaluationFigures;
  model?: EvaluatedModel;
  reference?: ScoredSet;
}

/** What the row of a segmentation or transformation node's external evaluation stores. */
type MeasuredFigures = Pick<
  MeasuredEvaluationRecord,
  'task' | 'classes' | 'items' | 'metrics' | 'confusion' | 'volumes'
>;
interface StoredMeasurement {
  measured: MeasuredFigures;
  model?: EvaluatedModel;
}

/** Whether an evaluation row holds a classifier's study report (else a measurement in the source geometry). */
function isStudy(row: EvaluationRow): boolean {
  return 'figures' in (row.report as object);
}

/**
 * Bootstrap resamples of a training's test evaluation. The run waits for it on the engine's
 * thread (the logistic recalibration fit of every class in every resample dominates; see
 * bench/metrics.ts for its cost).
 */
const TRAINING_RESAMPLES = 1000;

/** Computes and stores the study report of a training's test split; returns its id (none without scores). */
export function recordTestEvaluation(
  store: ProjectStore,
  runId: string,
  event: Extract<EngineEvent, { type: 'evaluation' }>,
  seed: number,
  study: Pick<EvaluationOptions, 'rule' | 'attributes'> = {},
  model?: EvaluatedModel,
): string | undefined {
  if (event.trial || !event.scores) return undefined;
  const { test, validation } = event.scores;
  const stored: StoredReport = {
    figures: evaluationReport(event.classes, test, validation, {
      ...study,
      seed,
      resamples: TRAINING_RESAMPLES,
    }),
    ...(model ? { model } : {}),
    ...(validation ? { reference: validation } : {}),
  };
  return store.recordEvaluation(runId, event.node, 'test', stored);
}

/**
 * The validation scores and classes of the latest test evaluation of the full model of
 * `node`: what an external evaluation chooses its operating point on.
 */
export function referenceOf(
  store: ProjectStore,
  node: string,
): { classes: string[]; reference?: ScoredSet } | undefined {
  const modes = new Map(store.runs().map((r) => [r.id, r.mode]));
  const row = store
    .evaluations(node)
    .filter((r) => r.source === 'test' && modes.get(r.runId) !== 'sample')
    .at(-1);
  if (!row) return undefined;
  const stored = row.report as StoredReport;
  return { classes: stored.figures.classes, ...(stored.reference ? { reference: stored.reference } : {}) };
}

/** Computes and stores the report of an external labelled folder evaluated with the node's full model. */
export function recordExternalEvaluation(
  store: ProjectStore,
  runId: string,
  node: string,
  dataset: string,
  classes: string[],
  set: ScoredSet,
  options: EvaluationOptions,
  model?: EvaluatedModel,
): EvaluationRecord {
  const reference = referenceOf(store, node)?.reference;
  const stored: StoredReport = {
    figures: evaluationReport(classes, set, reference, options),
    ...(model ? { model } : {}),
  };
  const id = store.recordEvaluation(runId, node, 'external', stored, dataset);
  const row = store.evaluations(node).find((r) => r.id === id) as EvaluationRow;
  return toRecord(row, 'full');
}

/** Stores the figures of an external folder measured in the source geometry with the node's full model. */
export function recordMeasuredEvaluation(
  store: ProjectStore,
  runId: string,
  node: string,
  dataset: string,
  measured: MeasuredFigures,
  model?: EvaluatedModel,
): MeasuredEvaluationRecord {
  const stored: StoredMeasurement = { measured, ...(model ? { model } : {}) };
  const id = store.recordEvaluation(runId, node, 'external', stored, dataset);
  return toMeasuredRecord(store.evaluations(node).find((r) => r.id === id) as EvaluationRow);
}

function toMeasuredRecord(row: EvaluationRow): MeasuredEvaluationRecord {
  const { measured, model } = row.report as StoredMeasurement;
  return {
    id: row.id,
    runId: row.runId,
    node: row.node,
    source: 'external',
    dataset: row.dataset ?? '',
    geometry: 'source',
    ...(model ? { modelStamp: model.stamp } : {}),
    createdAt: row.createdAt,
    ...measured,
  };
}

function toRecord(row: EvaluationRow, model: 'full' | 'sample'): EvaluationRecord {
  const { figures } = row.report as StoredReport;
  return {
    id: row.id,
    runId: row.runId,
    node: row.node,
    source: row.source,
    ...(row.dataset === undefined ? {} : { dataset: row.dataset }),
    model,
    createdAt: row.createdAt,
    ...figures,
  };
}

/** The model in `artifactsDir` (the folder of run selection `selection`), undefined when it holds none. */
export function stampOf(artifactsDir: string, selection: string): EvaluatedModel | undefined {
  const stamp = modelStamp(artifactsDir);
  return stamp ? { stamp, selection } : undefined;
}

/**
 * The run selection whose folder holds the model that made evaluation `id` of `node`, checked
 * to be the model it holds now; throws, saying why, when it is not (never another model's output).
 */
export function modelOfEvaluation(store: ProjectStore, node: string, id: string): string {
  const row = store.evaluations(node).find((r) => r.id === id);
  if (!row) throw new Error(`"${node}" has no evaluation ${id}`);
  const { model } = row.report as StoredReport;
  if (!model)
    throw new Error(
      `The evaluation of run ${row.runId} does not record which weights made it: RUN the node again to evaluate the model it holds`,
    );
  if (modelStamp(networkDir(store.artifactsFor(node), model.selection)) !== model.stamp)
    throw new Error(
      `The model of "${node}" has changed since run ${row.runId} made this evaluation: its Grad-CAM would be another model's. RUN evaluates the model it holds now`,
    );
  return model.selection;
}

/**
 * The test evaluation of the model `node` holds (`sample`: a Sample RUN's), or of `run`
 * when given, and every external evaluation of the node, newest first.
 */
export function evaluationHistory(
  store: ProjectStore,
  node: string,
  sample: boolean,
  run?: string,
): EvaluationHistory {
  const modes = new Map(store.runs().map((r) => [r.id, r.mode]));
  const rows = store.evaluations(node);
  const modelOf = (row: EvaluationRow): 'full' | 'sample' =>
    modes.get(row.runId) === 'sample' ? 'sample' : 'full';
  const test = rows
    .filter((r) => r.source === 'test' && (run ? r.runId === run : (modelOf(r) === 'sample') === sample))
    .at(-1);
  const external = rows.filter((r) => r.source === 'external').reverse();
  return {
    node,
    ...(test ? { test: toRecord(test, modelOf(test)) } : {}),
    external: external.filter(isStudy).map((r) => toRecord(r, 'full')),
    measured: external.filter((r) => !isStudy(r)).map(toMeasuredRecord),
  };
}
