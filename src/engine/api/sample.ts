/**
 * The data contract (docs/design.md section 3): every dataset yields Samples and every
 * module maps Samples to Samples. This is the TypeScript form of custom modules'
 * `data['image']['array']` dictionary.
 */

/** Colour layout of an image's last axis. */
export type ColorMode = 'grayscale' | 'rgb';

/** What the numbers of an image mean. */
export type ValueUnit = 'HU' | 'raw' | 'normalized';

/** Element types an image may hold; named like numpy dtypes for users. */
export type DType = 'uint8' | 'uint16' | 'int16' | 'float32';

/** Typed array matching {@link DType}. */
export type PixelArray = Float32Array | Uint8Array | Uint16Array | Int16Array;

/** Which part of the dataset a sample belongs to. */
export type Split = 'train' | 'validation' | 'test';

/** The four tasks a pipeline may solve, in the order menus list them. */
export const TASKS = ['classification', 'segmentation', 'detection', 'transformation'] as const;
/** One of {@link TASKS}. */
export type Task = (typeof TASKS)[number];

/** Pixels plus what is needed to interpret them. */
export interface ImageData {
  data: PixelArray;
  /** `[h, w, c]` for 2-D, `[d, h, w, c]` for 3-D. */
  shape: number[];
  colorMode: ColorMode;
  /** DICOM Modality (CT, MR, CR, DX, US...) or 'photo'. */
  modality?: string;
  /** Millimetres per pixel/voxel, in the order of `shape` without the channel axis. */
  spacing?: number[];
  unit?: ValueUnit;
}

/** Classification label: one class index, or several for multi-label data. */
export interface ClassLabel {
  kind: 'class';
  /** Class index into the dataset's class list. */
  index: number;
  /** Multi-label: one 0/1 entry per class. */
  multi?: number[];
}

/** Segmentation label: a class-index mask with the image's spatial shape. */
export interface MaskLabel {
  kind: 'mask';
  /** Class index per pixel, shape `[h, w, 1]` (or `[d, h, w, 1]`). */
  mask: ImageData;
}

/** One detection box in pixel coordinates of the sample's image. */
export interface Box {
  xmin: number;
  ymin: number;
  xmax: number;
  ymax: number;
  /** Class index into the dataset's class list. */
  classIndex: number;
}

/** Detection label: zero or more boxes. */
export interface BoxesLabel {
  kind: 'boxes';
  boxes: Box[];
}

/** Transformation label: the target image (same spatial size as the input). */
export interface TargetLabel {
  kind: 'target';
  target: ImageData;
}

/** A label of any task. */
export type Label = ClassLabel | MaskLabel | BoxesLabel | TargetLabel;

/**
 * A 2-D affine map of continuous pixel coordinates (x to the right, y down,
 * pixel (row i, column j) covering [j, j+1) x [i, i+1)):
 * `x' = a x + b y + c`, `y' = d x + e y + f`, as `[a, b, c, d, e, f]`.
 */
export type Affine = [number, number, number, number, number, number];

/** One geometric step a module applied to a sample (docs/design.md section 3, "Geometry records and inversion"). */
export interface GeometryStep {
  /** Module type id, e.g. `resize`. */
  module: string;
  /** Spatial size before the step. */
  from: { height: number; width: number };
  /** Spatial size after it. */
  to: { height: number; width: number };
  /** Input pixel coordinates to output ones; crops and pads are translations with a new size. */
  affine: Affine;
  /**
   * Volumes only, when the step changed the slice axis: slice `z` (continuous, slice k covering
   * [k, k+1)) goes to `scale * z + offset`, `from` slices become `to`. Absent: the slices stay as they were.
   */
  depth?: { from: number; to: number; scale: number; offset: number };
}

/** One item of a dataset as it flows through the pipeline. */
export interface Sample {
  /** Stable: path relative to the dataset root (+ '#frame'). */
  id: string;
  image: ImageData;
  label?: Label;
  split?: Split;
  /** E.g. kept (de-identified) DICOM tags, original size, HU rescale. */
  meta: Record<string, unknown>;
  /** The geometric steps since the source image, in order: how to map outputs back to it. */
  geometry?: GeometryStep[];
}

/** Bytes per element of each dtype. */
export const BYTES_PER_ELEMENT: Record<DType, number> = {
  uint8: 1,
  uint16: 2,
  int16: 2,
  float32: 4,
};

/** The dtype name of a typed array. */
export function dtypeOf(data: PixelArray): DType {
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Uint16Array) return 'uint16';
  if (data instanceof Int16Array) return 'int16';
  return 'float32';
}
