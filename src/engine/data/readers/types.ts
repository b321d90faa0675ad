/**
 * The reader contract: one reader per file format, each with `match` (does
 * this file's content look like mine?) and `open` (read the header only),
 * like Netron's readers. Pixels are decoded only when `decode` is called, so
 * indexing a dataset never touches pixel data.
 */
import type { ColorMode, DType, ImageData, ValueUnit } from '../../api';

/** What a header tells without decoding pixels. */
export interface ImageHeader {
  /** Format id, e.g. `png`, `dicom`, `nifti`. */
  format: string;
  /** Shape of the decoded image: `[h, w, c]`, or `[d, h, w, c]` for a file holding several frames. */
  shape: number[];
  /** Element type of the decoded values (after rescale). */
  dtype: DType;
  colorMode: ColorMode;
  /** DICOM Modality (CT, MR...), `photo` for photographs, `unknown` where the format does not say. */
  modality: string;
  unit: ValueUnit;
  /** Millimetres per voxel in the order of `shape` without the channel axis, when known. */
  spacing?: number[];
  /** Frames (pages, slices) the file holds; 1 for a plain 2-D image. */
  frames: number;
  /** De-identified attributes safe to keep (docs/design.md section 3 `meta`). */
  meta: Record<string, unknown>;
  /**
   * Identifies the patient for patient-level splits. Never leaves the engine's
   * memory: it is hashed before anything is stored or shown.
   */
  patientKey?: string;
  /** DICOM series geometry, used to assemble slices into volumes. */
  series?: SeriesInfo;
  /**
   * The linear map from stored values to decoded values (DICOM Rescale, NIfTI scl_*), one slope and
   * intercept per frame (or one for all); absent when the values are stored as decoded.
   */
  rescale?: { slopes: number[]; intercepts: number[]; storedIntegers: boolean };
}

/** Where one DICOM slice sits in its series. */
export interface SeriesInfo {
  /** Hashed SeriesInstanceUID (never the UID itself). */
  key: string;
  /** ImagePositionPatient. */
  position?: number[];
  /** ImageOrientationPatient (row then column direction cosines). */
  orientation?: number[];
  instanceNumber?: number;
}

/** Decoded pixels plus the header they came with. */
export interface DecodedImage extends ImageData {
  meta: Record<string, unknown>;
}

/** A file whose header has been read. */
export interface OpenedImage {
  header: ImageHeader;
  /** Decodes all frames (`frame` absent) or one frame (`[h, w, c]`). */
  decode(frame?: number): Promise<DecodedImage>;
}

/** One file format. */
export interface ImageReader {
  /** Format id shown to users (`format` of `phi inspect`). */
  format: string;
  /** Lower-case extensions (with the dot) that usually hold this format. */
  extensions: string[];
  /** True when the first bytes of a file (at least 132 when the file is that long) are this format. */
  match(head: Uint8Array, file: string): boolean;
  /** Reads the header; throws an Error whose message says what is wrong (never with the file name: callers add it). */
  open(file: string): Promise<OpenedImage>;
}

/** Colour mode of an image with this many channels (alpha is dropped by readers). */
export function colorModeOfChannels(channels: number): ColorMode {
  return channels >= 3 ? 'rgb' : 'grayscale';
}
