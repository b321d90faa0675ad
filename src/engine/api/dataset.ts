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

/** One warning of the summary. */
export interface DatasetWarning {
  kind: 'imbalance' | 'missing-class' | 'unreadable' | 'duplicate' | 'empty-split' | 'no-patient-id';
  message: string;
  /** Files concerned (duplicates, unreadable files), at most 20. */
  files?: string[];
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
  skipped: { file: string; reason: string }[];
  warnings: DatasetWarning[];
  fingerprint: string;
}
