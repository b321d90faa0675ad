/**
 * The study report of a trained classifier on one set of items (docs/metrics.md,
 * "Evaluation runs and the report"): every figure of {@link studyMetrics} with its
 * intervals, the operating point chosen on the validation split and applied to the set,
 * the ROC and precision-recall curves of the summary classes, item counts per class, and
 * the confusion matrix at the operating point.
 */
import type { EvaluationRecord, ScoredSet } from '../../api';
import { DEFAULT_RESAMPLES } from '../metrics/bootstrap';
import { DEFAULT_BINS } from '../metrics/calibration';
import { ConfusionMatrix } from '../metrics/confusion';
import type { OperatingRule } from '../metrics/operating-point';
import { BinaryScores } from '../metrics/roc';
import { studyMetrics, type ClassificationSet } from '../metrics/study';
import { subgroupStudies } from '../metrics/subgroups';

/** What {@link evaluationReport} computes; the caller adds where it comes from. */
export type EvaluationFigures = Pick<
  EvaluationRecord,
  | 'classes'
  | 'items'
  | 'counts'
  | 'operatingSet'
  | 'study'
  | 'curves'
  | 'confusion'
  | 'confusionRule'
  | 'errors'
  | 'subgroups'
>;

/** Errors the gallery shows of each kind (true class, called class). */
const ERRORS_PER_KIND = 4;

/** Options of {@link evaluationReport}. */
export interface EvaluationOptions {
  /** How the threshold is chosen on `reference` (Youden's J by default). */
  rule?: OperatingRule;
  /** Bootstrap resamples (default {@link DEFAULT_RESAMPLES}) and seed. */
  resamples?: number;
  seed: number;
  /** Each item's value of each subgroup attribute, in item order (subgroup-attributes.ts). */
  attributes?: Record<string, readonly (string | undefined)[]>;
}

/** The predicted class of each item: its largest probability, the first class on ties. */
function argmax(p: readonly number[]): number {
  let best = 0;
  for (let c = 1; c < p.length; c++) if (p[c] > p[best]) best = c;
  return best;
}

function asSet(classes: number, scored: ScoredSet): ClassificationSet {
  return { classes, truth: scored.truth, pred: scored.probs.map(argmax), probs: scored.probs };
}

function countsOf(classes: number, truth: readonly number[]): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const t of truth) counts[t]++;
  return counts;
}

/**
 * The report of `set`, with the operating point chosen on `reference` (the validation
 * split) when it is given and holds both outcomes of the summary class.
 */
export function evaluationReport(
  classes: string[],
  set: ScoredSet,
  reference: ScoredSet | undefined,
  options: EvaluationOptions,
): EvaluationFigures {
  const k = classes.length;
  for (const scored of reference ? [set, reference] : [set]) {
    if (scored.truth.length !== scored.probs.length)
      throw new Error(`${scored.truth.length} labels but ${scored.probs.length} probability rows`);
    const bad = scored.probs.find((p) => p.length !== k);
    if (bad) throw new Error(`probability rows of ${bad.length} values for ${k} classes`);
  }
  const items = asSet(k, set);
  const rule = options.rule ?? { kind: 'youden' };
  const studyOptions = {
    bins: DEFAULT_BINS,
    bootstrap: { resamples: options.resamples ?? DEFAULT_RESAMPLES, seed: options.seed },
    ...(reference ? { operating: { rule, chooseOn: asSet(k, reference) } } : {}),
  };
  const study = studyMetrics(items, studyOptions);
  const attributes =
    options.attributes && Object.keys(options.attributes).length ? options.attributes : undefined;
  const subgroups =
    attributes &&
    subgroupStudies(items, attributes, studyOptions).map(({ attribute, groups }) => ({
      attribute,
      groups: groups.map(({ value, items: n, perClassItems, metrics }) => ({
        value,
        items: n,
        perClassItems,
        overall: metrics.overall,
        ...(metrics.operatingPoint ? { operatingPoint: metrics.operatingPoint.classes } : {}),
      })),
    }));
  const summary = k === 2 ? [1] : Array.from({ length: k }, (_, c) => c);
  const curves = summary.map((c) => {
    const scores = new BinaryScores(
      Uint8Array.from(set.truth, (t) => (t === c ? 1 : 0)),
      Float64Array.from(set.probs, (p) => p[c]),
    );
    const roc = scores.roc();
    const pr = scores.pr();
    return {
      classIndex: c,
      roc: roc && { fpr: roc.fpr, tpr: roc.tpr },
      pr: pr && { recall: pr.recall, precision: pr.precision },
    };
  });
  const op = k === 2 ? study.operatingPoint?.classes[0] : undefined;
  let confusion: number[][];
  let confusionRule: string;
  if (op) {
    confusion = [
      [op.tn, op.fp],
      [op.fn, op.tp],
    ];
    confusionRule =
      op.threshold === null
        ? `${classes[1]} above every score (${study.operatingPoint?.rule})`
        : `${classes[1]} when p(${classes[1]}) >= ${op.threshold.toPrecision(4)} (${study.operatingPoint?.rule} on validation)`;
  } else {
    const matrix = new ConfusionMatrix(k);
    items.truth.forEach((t, i) => matrix.add(t, items.pred[i]));
    confusion = matrix.counts.map((row) => [...row]);
    confusionRule = 'the class of largest probability';
  }
  // Each item called as the confusion matrix calls it: at the operating point for two classes.
  const called = (p: readonly number[]): number =>
    op ? (op.threshold !== null && p[1] >= op.threshold ? 1 : 0) : p.indexOf(Math.max(...p));
  const errors = set.ids && mostConfidentErrors(set.ids, set.truth, set.probs, called);
  const refCounts = reference && countsOf(k, reference.truth);
  return {
    classes,
    items: set.truth.length,
    counts: countsOf(k, set.truth),
    ...(refCounts && study.operatingPoint?.classes.length
      ? { operatingSet: { split: 'validation' as const, items: reference.truth.length, counts: refCounts } }
      : {}),
    study,
    curves,
    confusion,
    confusionRule,
    ...(errors ? { errors } : {}),
    ...(subgroups ? { subgroups } : {}),
  };
}

/** Up to {@link ERRORS_PER_KIND} wrongly called items of each kind, the most confident (in the called class) first. */
function mostConfidentErrors(
  ids: readonly string[],
  truth: readonly number[],
  probs: readonly (readonly number[])[],
  called: (p: readonly number[]) => number,
): NonNullable<EvaluationFigures['errors']> {
  const byKind = new Map<string, NonNullable<EvaluationFigures['errors']>>();
  truth.forEach((t, i) => {
    const predicted = called(probs[i]);
    if (predicted === t) return;
    const kind = `${t}>${predicted}`;
    byKind.set(kind, [
      ...(byKind.get(kind) ?? []),
      { id: ids[i], truth: t, predicted, confidence: probs[i][predicted] },
    ]);
  });
  return [...byKind.values()]
    .flatMap((list) => list.sort((a, b) => b.confidence - a.confidence).slice(0, ERRORS_PER_KIND))
    .sort((a, b) => b.confidence - a.confidence);
}
