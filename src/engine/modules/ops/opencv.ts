/**
 * OpenCV compiled to WebAssembly (@techstark/opencv-js) as the fast path of
 * the heavy kernels (resize, morphology, equalizeHist, GaussianBlur,
 * medianBlur, CLAHE). bench/modules measured it 3-30x faster than our
 * typed-array kernels, and it computes exactly what OpenCV does. It loads
 * lazily (about a second); until it has loaded, when it is disabled
 * (`PHI_NO_OPENCV=1`, tests of the fallback) or for a dtype/channel layout it
 * lacks, the typed-array kernels in this folder run instead, with the same
 * conventions (the reference tests check both paths).
 */
import { createRequire } from 'node:module';
import type { DType, PixelArray } from '../../api';
import { dtypeOf } from '../../api';

/** One OpenCV matrix in the WebAssembly heap; must be deleted. */
export interface CvMat {
  delete(): void;
  rows: number;
  cols: number;
  data: Uint8Array;
  data16U: Uint16Array;
  data16S: Int16Array;
  data32F: Float32Array;
}

/** The part of the opencv.js API we use. */
export interface OpenCv {
  Mat: new (rows?: number, cols?: number, type?: number) => CvMat;
  Size: new (w: number, h: number) => unknown;
  Point: new (x: number, y: number) => unknown;
  CLAHE: new (clipLimit: number, tiles: unknown) => { apply(src: CvMat, dst: CvMat): void; delete(): void };
  CV_8UC1: number;
  CV_8UC3: number;
  CV_16UC1: number;
  CV_16UC3: number;
  CV_16SC1: number;
  CV_16SC3: number;
  CV_32FC1: number;
  CV_32FC3: number;
  BORDER_CONSTANT: number;
  BORDER_REFLECT_101: number;
  resize(src: CvMat, dst: CvMat, size: unknown, fx: number, fy: number, interpolation: number): void;
  equalizeHist(src: CvMat, dst: CvMat): void;
  GaussianBlur(src: CvMat, dst: CvMat, size: unknown, sx: number, sy: number, border: number): void;
  medianBlur(src: CvMat, dst: CvMat, ksize: number): void;
  morphologyEx(
    src: CvMat,
    dst: CvMat,
    op: number,
    kernel: CvMat,
    anchor: unknown,
    iterations: number,
    border: number,
    value: unknown,
  ): void;
  morphologyDefaultBorderValue(): unknown;
  getStructuringElement(shape: number, size: unknown): CvMat;
  onRuntimeInitialized?: () => void;
}

let loaded: OpenCv | null = null;
let loading: Promise<boolean> | null = null;
let enabled = !process.env.PHI_NO_OPENCV;
let failure: string | null = null;

/**
 * Loads opencv.js once; resolves to whether it loaded (when not, typed-array
 * kernels are used). The module itself is read with {@link opencv}: it is an
 * Emscripten thenable that resolves to itself, so it must never be the value
 * a promise resolves with (that loops forever).
 */
export function loadOpenCv(): Promise<boolean> {
  if (loading) return loading;
  loading = new Promise<boolean>((resolve) => {
    const done = (cv: OpenCv): void => {
      loaded = cv;
      resolve(true);
    };
    const fail = (error: unknown): void => {
      failure = error instanceof Error ? error.message : String(error);
      resolve(false);
    };
    // Emscripten installs process-wide handlers (an unhandled rejection anywhere would abort the
    // engine with a dump of opencv.js): keep the process's own handlers only.
    type Listener = (...args: unknown[]) => void;
    const events = ['unhandledRejection', 'uncaughtException'];
    const emitter = process as unknown as {
      listeners(e: string): Listener[];
      removeListener(e: string, l: Listener): void;
    };
    const before = events.map((e) => new Set(emitter.listeners(e)));
    const restore = (): void =>
      events.forEach((e, i) => {
        for (const l of emitter.listeners(e)) if (!before[i].has(l)) emitter.removeListener(e, l);
      });
    try {
      const require = createRequire(import.meta.url);
      const mod = require('@techstark/opencv-js') as OpenCv | Promise<OpenCv>;
      restore();
      if (mod instanceof Promise) mod.then((cv) => done(cv), fail);
      else if ((mod as { Mat?: unknown }).Mat) done(mod);
      else mod.onRuntimeInitialized = () => done(mod);
    } catch (error) {
      fail(error);
    }
  });
  return loading;
}

/** opencv.js when loaded and enabled, else null (callers fall back to typed-array kernels). */
export function opencv(): OpenCv | null {
  return enabled ? loaded : null;
}

/** Turns the OpenCV path on or off (tests of the fallback, benchmarks of both). */
export function setOpenCvEnabled(on: boolean): void {
  enabled = on;
}

/** Why opencv.js did not load, if it failed. */
export function openCvFailure(): string | null {
  return failure;
}

/** The OpenCV matrix type for a dtype and channel count, or null when OpenCV lacks it. */
export function matType(cv: OpenCv, dtype: DType, channels: number): number | null {
  if (channels !== 1 && channels !== 3) return null;
  const one = channels === 1;
  switch (dtype) {
    case 'uint8':
      return one ? cv.CV_8UC1 : cv.CV_8UC3;
    case 'uint16':
      return one ? cv.CV_16UC1 : cv.CV_16UC3;
    case 'int16':
      return one ? cv.CV_16SC1 : cv.CV_16SC3;
    default:
      return one ? cv.CV_32FC1 : cv.CV_32FC3;
  }
}

/** Copies a typed array into a new Mat of the same dtype. */
export function toMat(
  cv: OpenCv,
  src: PixelArray,
  rows: number,
  cols: number,
  channels: number,
): CvMat | null {
  const type = matType(cv, dtypeOf(src), channels);
  if (type === null) return null;
  const m = new cv.Mat(rows, cols, type);
  viewOf(m, dtypeOf(src)).set(src);
  return m;
}

/** The Mat's pixels as a typed array view of a dtype (valid until the Mat is deleted). */
export function viewOf(m: CvMat, dtype: DType): PixelArray {
  switch (dtype) {
    case 'uint8':
      return m.data;
    case 'uint16':
      return m.data16U;
    case 'int16':
      return m.data16S;
    default:
      return m.data32F;
  }
}

/**
 * Copies a view of the WebAssembly heap into a fresh array of the same type.
 * `TypedArray.prototype.slice` on these views ran 6x slower than allocating
 * and `set` (bench/modules: 0.09 ms against 0.015 ms for 512x512 values).
 */
function copyOut(view: PixelArray): PixelArray {
  const Ctor = view.constructor as new (n: number) => PixelArray;
  const out = new Ctor(view.length);
  out.set(view as never);
  return out;
}

/**
 * Runs `fn(src, dst)` on Mats made from `src`, returning a copy of `dst` in
 * `dtype`, or null when OpenCV is unavailable or lacks the layout. Mats are always freed.
 */
export function withOpenCv(
  src: PixelArray,
  rows: number,
  cols: number,
  channels: number,
  fn: (cv: OpenCv, src: CvMat, dst: CvMat) => void,
): PixelArray | null {
  const cv = opencv();
  if (!cv) return null;
  const a = toMat(cv, src, rows, cols, channels);
  if (!a) return null;
  const b = new cv.Mat();
  try {
    fn(cv, a, b);
    return copyOut(viewOf(b, dtypeOf(src)));
  } finally {
    a.delete();
    b.delete();
  }
}
