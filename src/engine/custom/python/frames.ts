/**
 * The framing between the engine and a Python module's process (see
 * runner-source.ts): a 4-byte little-endian length, a UTF-8 JSON header, then
 * the raw bytes of each array the header lists under `arrays`.
 */
import type { PixelArray } from '../../api';

/** An array as the header lists it; numpy rebuilds it from dtype and shape. */
export interface ArraySpec {
  dtype: 'float32' | 'uint8' | 'uint16' | 'int16';
  shape: number[];
  nbytes: number;
}

/** A received frame: the header and its arrays (views of fresh, aligned buffers). */
export interface Frame {
  header: Record<string, unknown> & { arrays?: ArraySpec[] };
  arrays: PixelArray[];
}

const CTORS = { float32: Float32Array, uint8: Uint8Array, uint16: Uint16Array, int16: Int16Array } as const;

/** The dtype name numpy uses for an engine array. */
export function dtypeOf(array: PixelArray): ArraySpec['dtype'] {
  if (array instanceof Float32Array) return 'float32';
  if (array instanceof Uint16Array) return 'uint16';
  if (array instanceof Int16Array) return 'int16';
  return 'uint8';
}

/** Encodes one frame: header (with `arrays` filled in from `arrays`) and the array bytes. */
export function encodeFrame(
  header: Record<string, unknown>,
  arrays: { array: PixelArray; shape: number[] }[] = [],
): Buffer[] {
  const specs: ArraySpec[] = arrays.map(({ array, shape }) => ({
    dtype: dtypeOf(array),
    shape,
    nbytes: array.byteLength,
  }));
  const body = Buffer.from(JSON.stringify({ ...header, arrays: specs }), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(body.length);
  return [
    length,
    body,
    ...arrays.map(({ array }) => Buffer.from(array.buffer, array.byteOffset, array.byteLength)),
  ];
}

/** Collects stdout chunks and hands out complete frames. */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** The frame whose header has been read, and its whole size; its arrays may still be arriving. */
  private pending: { header: Frame['header']; headerEnd: number; size: number } | undefined;

  push(chunk: Buffer): Frame[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Frame[] = [];
    for (let frame = this.next(); frame; frame = this.next()) frames.push(frame);
    return frames;
  }

  /** All buffered bytes as one Buffer (concatenated once, not per chunk: volumes arrive in many). */
  private joined(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  /** The next whole frame, or undefined until more bytes arrive. */
  private next(): Frame | undefined {
    if (!this.pending) {
      if (this.buffered < 4) return undefined;
      const length = this.joined().readUInt32LE(0);
      if (this.buffered < 4 + length) return undefined;
      const header = JSON.parse(this.joined().toString('utf8', 4, 4 + length)) as Frame['header'];
      const total = (header.arrays ?? []).reduce((sum, s) => sum + s.nbytes, 0);
      this.pending = { header, headerEnd: 4 + length, size: 4 + length + total };
    }
    const { header, headerEnd, size } = this.pending;
    if (this.buffered < size) return undefined;
    this.pending = undefined;
    const all = this.joined();
    let at = headerEnd;
    const arrays = (header.arrays ?? []).map((spec) => {
      // A fresh buffer per array: aligned for its element size, and owned by the sample.
      const Ctor = CTORS[spec.dtype];
      const copy = new Ctor(spec.nbytes / Ctor.BYTES_PER_ELEMENT);
      new Uint8Array(copy.buffer).set(all.subarray(at, at + spec.nbytes));
      at += spec.nbytes;
      return copy;
    });
    const rest = all.subarray(size);
    this.chunks = rest.length ? [rest] : [];
    this.buffered = rest.length;
    return { header, arrays };
  }
}
