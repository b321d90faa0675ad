/**
 * Evaluation runs of a trained classifier (docs/metrics.md, "Evaluation runs and the
 * report"): the study metrics of its test split, or of an external labelled folder, with
 * curves, reliability bins, the operating point chosen on the validation split and the
 * confusion matrix at it. What `getEvaluation` returns and `phi report` prints.
 */
import { z } from 'zod';
import type { EpochMetrics } from './events';
import type { VolumeFigureRow } from './volume-figures';

/** A value, a 95% interval `[lower, upper]`, or `null` where undefined. */
export type EvaluationValue = number | [number, number] | null;

/** One bin of a reliability diagram. */
export interface EvaluationBin {
  lower: number;
  upper: number;
  count: number;
  meanConfidence: number | null;
  observedFrequency: number | null;
}

/** The operating point of one class, applied to the evaluated items. */
export interface EvaluationOperatingPoint {
  classIndex: number;
  /** `null`: above every score, nothing is called positive. */
  threshold: number | null;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  sensitivity: number | null;
  specificity: number | null;
  ppv: number | null;
  npv: number | null;
  sensitivityCI95: [number, number] | null;
  specificityCI95: [number, number] | null;
  ppvCI95: [number, number] | null;
  npvCI95: [number, number] | null;
}

/** The study metrics of one set (docs/metrics.md): values and `<metric>CI95` intervals. */
export interface EvaluationStudy {
  overall: Record<string, EvaluationValue>;
  perClass: Record<string, EvaluationValue[]>;
  macro: Record<string, EvaluationValue>;
  reliability?: { overall: EvaluationBin[]; perClass: EvaluationBin[][] };
  operatingPoint?: { rule: string; classes: EvaluationOperatingPoint[] };
  settings: { items: number; bins?: number; bootstrap: number; seed: number; level: number };
}

/** One group of a subgroup attribute: its counts and the study's figures on its items alone. */
export interface EvaluationSubgroup {
  /** The attribute's value (`not recorded` for items without one). */
  value: string;
  items: number;
  /** Items of each true class in the group. */
  perClassItems: number[];
  /** The overall figures (AUC, average precision, Brier, ECE...) with their `CI95` intervals. */
  overall: Record<string, EvaluationValue>;
  /** The evaluation's operating point (its threshold, not re-chosen) applied to the group. */
  operatingPoint?: EvaluationOperatingPoint[];
}

/** Every group of one attribute (manufacturer, model, sex, age band, or a column of the node's subgroup CSV). */
export interface EvaluationSubgroups {
  attribute: string;
  groups: EvaluationSubgroup[];
}

/** Fewer items than this of some true class make a group small: its intervals are wide, and it is flagged. */
export const SMALL_SUBGROUP_CLASS_ITEMS = 10;

/** Whether a group has fewer than {@link SMALL_SUBGROUP_CLASS_ITEMS} items of some class. */
export function isSmallSubgroup(group: Pick<EvaluationSubgroup, 'perClassItems'>): boolean {
  return group.perClassItems.some((n) => n < SMALL_SUBGROUP_CLASS_ITEMS);
}

/** True classes and class probabilities of a set of items, in item order (no item ids). */
export const ScoredSetSchema = z.object({
  truth: z.array(z.number().int().nonnegative()),
  probs: z.array(z.array(z.number())),
  /** The items' ids, in the same order (the error gallery names them). */
  ids: z.array(z.string()).optional(),
});
/** See {@link ScoredSetSchema}. */
export type ScoredSet = z.infer<typeof ScoredSetSchema>;

/** One evaluation of a network node, as stored with its run. */
export interface EvaluationRecord {
  id: string;
  runId: string;
  node: string;
  /** `test`: the held-out split after training; `external`: a labelled folder (`phi evaluate`). */
  source: 'test' | 'external';
  /** The folder evaluated (`external` only), as given to `phi evaluate`. */
  dataset?: string;
  /** `full` or `sample`: the model evaluated (a Sample RUN trains a model of its own). */
  model: 'full' | 'sample';
  createdAt: string;
  classes: string[];
  /** Items evaluated, and per true class. */
  items: number;
  counts: number[];
  /** The set the operating point was chosen on: the validation split (items per class). */
  operatingSet?: { split: 'validation'; items: number; counts: number[] };
  study: EvaluationStudy;
  /** One-vs-rest curves of the summary classes (class 1 of two; each class of more). */
  curves: {
    classIndex: number;
    roc: { fpr: number[]; tpr: number[] } | null;
    pr: { recall: number[]; precision: number[] } | null;
  }[];
  /** Counts `[true][predicted]` at the operating point (two classes), else by the largest probability. */
  confusion: number[][];
  /** How `confusion` was called, in words. */
  confusionRule: string;
  /**
   * The most confident errors, called as `confusion` is: up to four items of each kind of
   * error (true class, called class), the most confident first. Absent when items were not named.
   */
  errors?: { id: string; truth: number; predicted: number; confidence: number }[];
  /** The figures per subgroup of each attribute the items record; absent when none does. */
  subgroups?: EvaluationSubgroups[];
}

/**
 * An external evaluation of a segmentation or transformation network: each item of the folder
 * measured in its own (source) geometry, as the test split is (docs/metrics.md).
 */
export interface MeasuredEvaluationRecord {
  id: string;
  runId: string;
  node: string;
  source: 'external';
  /** The folder evaluated, as given to `phi evaluate`. */
  dataset: string;
  task: 'segmentation' | 'transformation';
  /** Always `source`: predictions mapped back to each item's grid and compared with its own target. */
  geometry: 'source';
  /** The model's stamp (nn/evaluation/model-stamp.ts), when its folder had one. */
  modelStamp?: string;
  createdAt: string;
  /** The network's class names (segmentation), in index order; [] for a transformation. */
  classes: string[];
  /** Items the figures were computed on. */
  items: number;
  /** Per-class metrics are arrays in class order. */
  metrics: EpochMetrics;
  /** Segmentation: pixel (voxel) counts `[true][predicted]`; empty otherwise. */
  confusion: number[][];
  /** A 3-D network's figures of each volume on its own. */
  volumes?: VolumeFigureRow[];
}

/** What `getEvaluation` returns: the test evaluation of the model the node holds (or of `run`) and external ones. */
export interface EvaluationHistory {
  node: string;
  test?: EvaluationRecord;
  /** External evaluations of the node, newest first. */
  external: EvaluationRecord[];
  /** External evaluations of a segmentation or transformation node, newest first. */
  measured?: MeasuredEvaluationRecord[];
}

/** What an external evaluation did: the stored report, and the items it could not use with why. */
export interface ExternalEvaluation {
  record: EvaluationRecord | MeasuredEvaluationRecord;
  /** Items that failed, with the reason. */
  failed: { id: string; reason: string }[];
  /** Items a filter module of the chain dropped. */
  dropped: number;
}
