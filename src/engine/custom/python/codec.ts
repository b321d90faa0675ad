/**
 * Samples as a Python module sees them: a dict whose `image` is a numpy array
 * shaped like the sample (channels last), with `color_mode`, `unit`,
 * `spacing`, `modality`, `label` (a mask or target as an array too), `meta`,
 * `id` and `split` beside it; and the way back to the engine's Sample.
 */
import type { ImageData as Image, PixelArray, Sample } from '../../api';
import { ARRAY_MARKER } from '../sandbox/protocol';

/** An array with the shape numpy gives it. */
export interface ShapedArray {
  array: PixelArray;
  shape: number[];
}

/** A sample as JSON for the Python side, its arrays replaced by `{ __phiArray: i }`. */
export interface PythonSample {
  json: Record<string, unknown>;
  arrays: ShapedArray[];
}

/** JSON-able copy of `meta` (typed arrays named, bigints as text), as the TypeScript path sends it. */
function plain(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value ?? {}, (_key, v: unknown) => {
      if (ArrayBuffer.isView(v)) return `[${v.constructor.name}]`;
      if (typeof v === 'bigint') return v.toString();
      return v;
    }),
  );
}

/** See {@link PythonSample}. */
export function toPython(sample: Sample): PythonSample {
  const arrays: ShapedArray[] = [];
  const marker = (image: Image) => ({
    [ARRAY_MARKER]: arrays.push({ array: image.data, shape: image.shape }) - 1,
  });
  const { image, label } = sample;
  let pyLabel: unknown;
  if (label?.kind === 'mask') pyLabel = { kind: 'mask', mask: marker(label.mask) };
  else if (label?.kind === 'target') pyLabel = { kind: 'target', target: marker(label.target) };
  else if (label) pyLabel = plain(label);
  const json: Record<string, unknown> = {
    id: sample.id,
    split: sample.split ?? null,
    image: marker(image),
    color_mode: image.colorMode,
    unit: image.unit ?? null,
    spacing: image.spacing ?? null,
    modality: image.modality ?? null,
    label: pyLabel ?? null,
    meta: plain(sample.meta),
  };
  return { json, arrays };
}

/**
 * The value a Python module returned, in the engine's Sample form (still to be
 * checked by `checkReturnedSample`). An array with only the spatial axes (e.g.
 * `img[..., 0]` of a 2-D image) gets its channel axis back; the colour mode
 * follows the channel count.
 */
export function fromPython(value: unknown, arrays: ShapedArray[], dims: '2d' | '3d'): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  const spatialRank = dims === '3d' ? 3 : 2;
  const resolve = (ref: unknown): ShapedArray | undefined => {
    const index = (ref as Record<string, unknown> | null)?.[ARRAY_MARKER];
    return typeof index === 'number' ? arrays[index] : undefined;
  };
  const image = (ref: unknown, fallbackMode: unknown, extra: Record<string, unknown> = {}): unknown => {
    const found = resolve(ref);
    if (!found) return ref; // not an array: the check names the field
    const shape = found.shape.length === spatialRank ? [...found.shape, 1] : found.shape;
    const channels = shape[shape.length - 1];
    const colorMode = channels === 1 ? 'grayscale' : channels === 3 || channels === 4 ? 'rgb' : fallbackMode;
    const out: Record<string, unknown> = { data: found.array, shape, colorMode };
    for (const [key, v] of Object.entries(extra)) if (v !== null && v !== undefined) out[key] = v;
    return out;
  };
  const py = value as Record<string, unknown>;
  const out: Record<string, unknown> = {
    image: image(py.image, py.color_mode, { unit: py.unit, spacing: py.spacing, modality: py.modality }),
    meta: py.meta ?? {},
  };
  const label = py.label as Record<string, unknown> | null | undefined;
  if (label && typeof label === 'object') {
    if (label.kind === 'mask') out.label = { kind: 'mask', mask: image(label.mask, 'grayscale') };
    else if (label.kind === 'target')
      out.label = { kind: 'target', target: image(label.target, 'grayscale') };
    else out.label = label;
  }
  return out;
}
