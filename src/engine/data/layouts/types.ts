/**
 * What a layout produces: which image files make up the dataset and what
 * label each has, before any header is read. The indexer then reads headers,
 * assembles series and assigns splits, the same way for every layout.
 */
import type { Split, Task } from '../../api';
import type { StatedUnit } from '../volume-unit';
import type { FoundFile } from '../walk';

/** Label of an entry, as the layout knows it (files are loaded later). */
export type LabelRef =
  | { kind: 'class'; index: number; multi?: number[] }
  | { kind: 'mask'; file: FoundFile }
  | { kind: 'boxes'; boxes: { xmin: number; ymin: number; xmax: number; ymax: number; classIndex: number }[] }
  | { kind: 'target'; file: FoundFile };

/** One image file and its label. */
export interface LayoutEntry {
  file: FoundFile;
  /** Further channels of the same image, one file each (nnU-Net's `<case>_0001`...): `file` is channel 0. */
  channels?: FoundFile[];
  label?: LabelRef;
  /** Stratum for the split (class index for single-label classification). */
  stratum: number;
  /** The split the folder layout already assigns (`train/`, `val/`, `test/`); computed when absent. */
  split?: Split;
  /** Display label for the Files tab (class name, or "3 boxes"). */
  display?: string;
}

/**
 * Why a layout and label source were chosen, told on the Dataset node and by
 * `phi inspect` so that a person can check the engine read the folder as
 * its makers meant.
 */
export interface LayoutChoice {
  /** Where the labels come from, e.g. `class folder names` or `labels.csv, column "label"`. */
  labelSource: string;
  /** Where an official split comes from (`train/ test/ folders`, `labels.csv, column "split"`); absent when computed. */
  splitSource?: string;
  /** The layouts (or label files, or columns) considered and not used, each with the reason. */
  rejected: { what: string; reason: string }[];
}

/** A layout's reading of a dataset folder. */
export interface LayoutResult {
  layout: string;
  /** Why this layout and these labels, and what else was considered. */
  choice: LayoutChoice;
  task: Task;
  classes: string[];
  entries: LayoutEntry[];
  /** Files or rows left out, with the reason (missing files, bad rows...). */
  skipped: { file: string; reason: string }[];
  /** Every file the layout looked at, for the fingerprint (images, masks, label files). */
  files: FoundFile[];
  /** The unit of NIfTI volumes the folder states (dataset.json naming one CT channel). */
  statedUnit?: StatedUnit;
}
