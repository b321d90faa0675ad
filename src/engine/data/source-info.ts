/**
 * What the Dataset node knows about a source beyond the DatasetSource
 * contract (root folder, layout, formats), kept beside the source object so
 * the summary and `phi inspect` can use it without widening the contract.
 */
import type { DatasetSource } from '../graph/node-type';
import type { LayoutChoice } from './layouts/types';

/** Extra facts about an opened dataset. */
export interface SourceInfo {
  root: string;
  layout: string;
  formats: string[];
  modalities: string[];
  /** Photometric interpretation -> items. */
  photometric: Record<string, number>;
  /** Why this layout and these labels. */
  choice?: LayoutChoice;
  splitByPatient: boolean;
  shares: { train: number; validation: number; test: number };
}

const infos = new WeakMap<DatasetSource, SourceInfo>();

/** Records the facts of a source (called by openDataset). */
export function setSourceInfo(source: DatasetSource, info: SourceInfo): void {
  infos.set(source, info);
}

/** The facts of a source opened by this module, if it was. */
export function sourceInfo(source: DatasetSource): SourceInfo | undefined {
  return infos.get(source);
}
