/**
 * The `ref` a Dataset item carries: plain JSON (it may be cached or sent to
 * another process), paths relative to the dataset root, no patient data.
 */
import type { Box } from '../api';

/** How to load one item later. */
export interface ItemRef {
  format: string;
  /** Image files relative to the root: one, or the slices of a DICOM series in position order. */
  files: string[];
  /** Further channels of the image, one file each (nnU-Net `<case>_0001`...), stacked after `files[0]`'s. */
  channelFiles?: string[];
  /** Frame of a multi-frame file when volumes are used as slices. */
  frame?: number;
  /** Shape the header promised (`[h, w, c]` or `[d, h, w, c]`). */
  shape: number[];
  /** Voxel spacing of an assembled series (slice distance first). */
  spacing?: number[];
  /** Rows of the voxel (column, row, slice) to RAS millimetre map of an assembled series, 3 x 4. */
  affine?: number[][];
  label?:
    | { kind: 'class'; index: number; multi?: number[] }
    | { kind: 'mask'; file: string; frame?: number }
    | { kind: 'boxes'; boxes: Box[] }
    | { kind: 'target'; file: string; frame?: number };
  /** Salted hash of the patient, for grouping only. */
  patientGroup?: string;
}

/** Reads an item's ref back, checking it is one of ours. */
export function asItemRef(ref: unknown): ItemRef {
  const r = ref as ItemRef | null;
  if (!r || typeof r !== 'object' || !Array.isArray(r.files) || r.files.length === 0) {
    throw new Error('This item does not come from a Phi Studio dataset reader');
  }
  return r;
}
