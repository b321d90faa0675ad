/** What a dataset holds, as the Dataset node's summary and `phi inspect` show it. */
import type { PortSpec } from './graph';
import type { Split, Task } from './sample';

/** Items (or boxes, for detection) of one class in each split. */
export interface ClassCounts {
  class: string;
  train: number;
  validation: number;
  test: number;
  total: number;
}

/** What a dataset warning is about. */
export type DatasetWarningKind =
  | 'one-class'
  | 'class-without-training'
  | 'empty-split'
  | 'mostly-skipped'
  | 'imbalance'
  | 'missing-class'
  | 'unreadable'
  | 'duplicate'
  | 'patient-leak'
  | 'no-patient-id'
  | 'empty-items'
  | 'mixed-photometric'
  | 'mixed-modality';

/**
 * One finding of the dataset checks. An `error` is a degenerate set-up that
 * no network may be trained on (one class, an empty split...); a `warning`
 * is worth a reviewer's look but does not stop a run.
 */
export interface DatasetWarning {
  kind: DatasetWarningKind;
  severity: 'error' | 'warning';
  /** One sentence naming the problem and, for errors, the fix. */
  message: string;
  /** Files concerned (duplicates, unreadable files), at most 20. */
  files?: string[];
}

/** Skipped files or label rows that share one reason. */
export interface SkippedGroup {
  /** The reason of the first of them, as the reader or layout wrote it. */
  reason: string;
  count: number;
  /** The first few files (the full list is `DatasetSummary.skipped`). */
  examples: string[];
}

/** What a dataset holds, as shown to users (documented in docs/datasets.md). */
export interface DatasetSummary {
  task: Task;
  layout: string;
  classes: string[];
  /** Items per split. */
  splits: Record<Split, number>;
  /** Per class and split: images (classification; multi-label counts an image once per class it has) or boxes (detection); empty for segmentation/transformation. */
  perClass: ClassCounts[];
  /** Distinct patients, when files say who the patient is (DICOM). */
  patients: number | null;
  /** Whether each patient was kept within one split. */
  splitByPatient: boolean;
  formats: string[];
  modalities: string[];
  port: PortSpec;
  /** Where the labels come from and why, e.g. `labels.csv, column "label"`. */
  labelSource: string;
  /** Where the official split comes from; null when the split was computed from the percentages. */
  splitSource: string | null;
  /** Layouts, label files or columns considered and not used, with the reason. */
  rejected: { what: string; reason: string }[];
  skipped: { file: string; reason: string }[];
  /** `skipped` grouped by reason, most frequent first. */
  skippedByReason: SkippedGroup[];
  /** Photometric interpretations of DICOM items (MONOCHROME1, MONOCHROME2, RGB...), each with its item count. */
  photometric: Record<string, number>;
  /**
   * Items whose label holds nothing (a background-only mask, an image without
   * boxes); null when not counted (masks are decoded only by the full summary).
   */
  emptyItems: number | null;
  warnings: DatasetWarning[];
  fingerprint: string;
}
