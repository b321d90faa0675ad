/**
 * Binary form of a Sample for the on-disk cache: a JSON header followed by the
 * raw typed arrays (image, and mask or target image when the label has one).
 * Layout: uint32 LE header length | header JSON | zero padding to 8 | buffers.
 */
import type { DType, ImageData, Label, PixelArray, Sample } from '../api';
import { dtypeOf } from '../api';

interface BufferRef {
  dtype: DType;
  offset: number;
  length: number;
}

type ImageHeader = Omit<ImageData, 'data'> & { data: BufferRef };

interface SampleHeader {
  id: string;
  split?: Sample['split'];
  meta: Record<string, unknown>;
  geometry?: Sample['geometry'];
  image: ImageHeader;
  label?:
    | Exclude<Label, { kind: 'mask' } | { kind: 'target' }>
    | { kind: 'mask'; mask: ImageHeader }
    | { kind: 'target'; target: ImageHeader };
}

const ARRAYS = {
  uint8: Uint8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  float32: Float32Array,
} as const;

const align8 = (n: number): number => Math.ceil(n / 8) * 8;

/** Serializes a sample into one buffer. */
export function encodeSample(sample: Sample): Buffer {
  const arrays: PixelArray[] = [];
  let offset = 0;
  const imageHeader = (image: ImageData): ImageHeader => {
    const ref = { dtype: dtypeOf(image.data), offset, length: image.data.length };
    offset = align8(offset + image.data.byteLength);
    arrays.push(image.data);
    return { ...image, data: ref };
  };
  const header: SampleHeader = {
    id: sample.id,
    split: sample.split,
    meta: sample.meta,
    ...(sample.geometry ? { geometry: sample.geometry } : {}),
    image: imageHeader(sample.image),
  };
  const label = sample.label;
  if (label?.kind === 'mask') header.label = { kind: 'mask', mask: imageHeader(label.mask) };
  else if (label?.kind === 'target') header.label = { kind: 'target', target: imageHeader(label.target) };
  else if (label) header.label = label;

  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const start = align8(4 + json.length);
  const out = Buffer.alloc(start + offset);
  out.writeUInt32LE(json.length, 0);
  json.copy(out, 4);
  let position = start;
  for (const array of arrays) {
    Buffer.from(array.buffer, array.byteOffset, array.byteLength).copy(out, position);
    position = align8(position + array.byteLength);
  }
  return out;
}

/** Reads a sample written by {@link encodeSample}; arrays are copies, safe to keep. */
export function decodeSample(buffer: Buffer): Sample {
  const length = buffer.readUInt32LE(0);
  const header = JSON.parse(buffer.toString('utf8', 4, 4 + length)) as SampleHeader;
  const start = align8(4 + length);
  const image = (h: ImageHeader): ImageData => {
    const Ctor = ARRAYS[h.data.dtype];
    const bytes = h.data.length * Ctor.BYTES_PER_ELEMENT;
    const copy = new ArrayBuffer(bytes);
    new Uint8Array(copy).set(buffer.subarray(start + h.data.offset, start + h.data.offset + bytes));
    return { ...h, data: new Ctor(copy) };
  };
  const sample: Sample = { id: header.id, meta: header.meta, image: image(header.image) };
  if (header.split) sample.split = header.split;
  if (header.geometry) sample.geometry = header.geometry;
  const label = header.label;
  if (label?.kind === 'mask') sample.label = { kind: 'mask', mask: image(label.mask) };
  else if (label?.kind === 'target') sample.label = { kind: 'target', target: image(label.target) };
  else if (label) sample.label = label;
  return sample;
}
