/**
 * DICOM through dicom-parser: explicit and implicit VR, little and big
 * endian, deflate; 1/8/12/16/32 bits allocated, signed and unsigned, with
 * the unused high bits masked; Rescale Slope/Intercept applied (CT values in
 * Hounsfield units); RGB and YBR_FULL (both planar configurations) as RGB;
 * multi-frame files; and the compressed syntaxes listed in dicom-tags.ts.
 * MONOCHROME1 values and PALETTE COLOR indices are the data, as pydicom gives
 * them: inverting or applying the palette is a presentation step or an
 * explicit module (meta carries the photometric interpretation and palette).
 * Anything else fails with an error naming the transfer syntax.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { open as openFile, readFile } from 'node:fs/promises';
import type * as DicomParserModule from 'dicom-parser';
import type { DataSet, Element, ParseDicomOptions } from 'dicom-parser';
import type { DType, PixelArray } from '../../api';
import { decodeJpeg2000, decodeJpeg8, decodeJpegLossless, decodeJpegLs, type DecodedFrame } from './codecs';
import { keptAttributes, TRANSFER_SYNTAXES } from './dicom-tags';
import { jpegColorAsStored } from './jpeg-color';
import { decodeJpeg12, jpegPrecision } from './jpeg12';
import { paletteOf } from './palette';
import { decodeRle } from './rle';
import type { DecodedImage, ImageHeader, ImageReader, OpenedImage } from './types';

// Not named `require`: electron-vite's ESM shim declares that name at the top of the engine bundle.
const cjsRequire = createRequire(import.meta.url);
const dicomParser = cjsRequire('dicom-parser') as typeof DicomParserModule;

/** Bytes read to index a file; the pixel data that follows is not read until decode. */
const HEADER_PREFIX = 64 * 1024;
const PIXEL_DATA = 'x7fe00010';
const IMPLICIT_LE = '1.2.840.10008.1.2';

function hasPreamble(head: Uint8Array): boolean {
  return (
    head.length >= 132 && head[128] === 0x44 && head[129] === 0x49 && head[130] === 0x43 && head[131] === 0x4d
  );
}

/** A file without the 128-byte preamble that starts with a group 0002 or 0008 element (old ACR-NEMA style). */
function looksLikeRawDataset(head: Uint8Array): boolean {
  return head.length >= 8 && (head[0] === 0x08 || head[0] === 0x02) && head[1] === 0x00 && head[3] === 0x00;
}

function parse(bytes: Uint8Array, untilPixels: boolean, preamble: boolean): DataSet {
  const options: ParseDicomOptions = untilPixels ? { untilTag: PIXEL_DATA } : {};
  if (!preamble) options.TransferSyntaxUID = IMPLICIT_LE;
  try {
    // A Buffer, not a bare Uint8Array: dicom-parser inflates deflated files with Buffer methods.
    return dicomParser.parseDicom(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), options);
  } catch (error) {
    // dicom-parser throws strings, and for a truncated file sometimes an object holding the partial dataset.
    const message =
      typeof error === 'string'
        ? error
        : error instanceof Error
          ? error.message
          : typeof error === 'object' && error && 'exception' in error
            ? String((error as { exception: unknown }).exception)
            : String(error);
    throw new Error(`invalid DICOM: ${message.replace(/^dicomParser\.\w+: /, '')}`, { cause: error });
  }
}

async function readPrefix(
  file: string,
  length: number,
): Promise<{ bytes: Uint8Array; whole: boolean; size: number }> {
  const handle = await openFile(file, 'r');
  try {
    const { size } = await handle.stat();
    const n = Math.min(size, length);
    const buffer = Buffer.alloc(n);
    await handle.read(buffer, 0, n, 0);
    return { bytes: new Uint8Array(buffer.buffer, buffer.byteOffset, n), whole: n === size, size };
  } finally {
    await handle.close();
  }
}

/** Everything about the pixel layout that decoding needs. */
interface PixelLayout {
  rows: number;
  columns: number;
  samples: number;
  frames: number;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  signed: boolean;
  photometric: string;
  planar: number;
  /** Rescale slope and intercept of each frame (enhanced multi-frame files may vary them per frame). */
  slopes: number[];
  intercepts: number[];
  transferSyntax: string;
}

function layoutOf(ds: DataSet): PixelLayout {
  const rows = ds.uint16('x00280010') ?? 0;
  const columns = ds.uint16('x00280011') ?? 0;
  if (!rows || !columns) throw new Error('no Rows/Columns: the file holds no image');
  const bitsAllocated = ds.uint16('x00280100') ?? 0;
  if (![1, 8, 12, 16, 32].includes(bitsAllocated))
    throw new Error(`Bits Allocated ${bitsAllocated} is not supported`);
  const bitsStored = ds.uint16('x00280101') ?? bitsAllocated;
  const framesText = ds.string('x00280008');
  // parseInt would read '1A' as 1 and silently drop the other frames.
  if (framesText !== undefined && framesText !== '' && !/^\s*\+?\d+\s*$/.test(framesText))
    throw new Error(`Number of Frames '${framesText}' is not a whole number`);
  return {
    rows,
    columns,
    samples: ds.uint16('x00280002') ?? 1,
    frames: Math.max(1, ds.intString('x00280008') ?? 1),
    bitsAllocated,
    bitsStored,
    highBit: ds.uint16('x00280102') ?? bitsStored - 1,
    signed: ds.uint16('x00280103') === 1,
    photometric: (ds.string('x00280004') ?? 'MONOCHROME2').toUpperCase(),
    planar: ds.uint16('x00280006') ?? 0,
    ...rescaleOf(ds, Math.max(1, ds.intString('x00280008') ?? 1)),
    transferSyntax: ds.string('x00020010') ?? IMPLICIT_LE,
  };
}

const SHARED_GROUPS = 'x52009229';
const PER_FRAME_GROUPS = 'x52009230';
const PIXEL_VALUE_TRANSFORMATION = 'x00289145';
const PIXEL_MEASURES = 'x00289110';
const PLANE_POSITION = 'x00209113';
const PLANE_ORIENTATION = 'x00209116';

/**
 * The dataset holding an attribute for one frame of an enhanced multi-frame file: the
 * frame's item of the per-frame functional groups, else the shared groups, else the top level.
 */
function groupFor(ds: DataSet, frame: number, sequence: string, tag: string): DataSet {
  for (const [groups, index] of [
    [PER_FRAME_GROUPS, frame],
    [SHARED_GROUPS, 0],
  ] as const) {
    const inner = ds.elements[groups]?.items?.[index]?.dataSet?.elements[sequence]?.items?.[0]?.dataSet;
    if (inner?.elements[tag]) return inner;
  }
  return ds;
}

/** Rescale of every frame, from functional groups where the file has them. */
function rescaleOf(ds: DataSet, frames: number): { slopes: number[]; intercepts: number[] } {
  const slopes: number[] = [];
  const intercepts: number[] = [];
  for (let f = 0; f < frames; f++) {
    slopes.push(groupFor(ds, f, PIXEL_VALUE_TRANSFORMATION, 'x00281053').floatString('x00281053') ?? 1);
    intercepts.push(groupFor(ds, f, PIXEL_VALUE_TRANSFORMATION, 'x00281052').floatString('x00281052') ?? 0);
  }
  return { slopes, intercepts };
}

function isColor(l: PixelLayout): boolean {
  return l.samples === 3;
}

/** The stored-value range Bits Stored allows. */
function storedRange(l: PixelLayout): [number, number] {
  return l.signed ? [-(2 ** (l.bitsStored - 1)), 2 ** (l.bitsStored - 1) - 1] : [0, 2 ** l.bitsStored - 1];
}

/** The range of values the header allows after rescale, over all frames. */
function rescaledRange(l: PixelLayout): [number, number] {
  const [lo, hi] = storedRange(l);
  let min = Infinity;
  let max = -Infinity;
  l.slopes.forEach((slope, f) => {
    for (const v of [lo * slope + l.intercepts[f], hi * slope + l.intercepts[f]]) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
  });
  return [min, max];
}

/** The smallest dtype that holds every value the header allows, after rescale. */
function outputDtype(l: PixelLayout): DType {
  if (isColor(l)) return l.bitsAllocated <= 8 ? 'uint8' : l.bitsAllocated <= 16 ? 'uint16' : 'float32';
  const integral = [...l.slopes, ...l.intercepts].every(Number.isInteger);
  if (!integral || l.bitsAllocated === 32) return 'float32';
  const [min, max] = rescaledRange(l);
  if (min >= 0 && max <= 255 && l.bitsAllocated <= 8) return 'uint8';
  if (min >= 0 && max <= 65535) return 'uint16';
  if (min >= -32768 && max <= 32767) return 'int16';
  return 'float32';
}

function headerOf(ds: DataSet, l: PixelLayout): ImageHeader {
  const syntax = TRANSFER_SYNTAXES[l.transferSyntax];
  const color = isColor(l);
  const modality = ds.string('x00080060') ?? 'unknown';
  const hasRescale =
    groupFor(ds, 0, PIXEL_VALUE_TRANSFORMATION, 'x00281053').elements['x00281053'] !== undefined ||
    groupFor(ds, 0, PIXEL_VALUE_TRANSFORMATION, 'x00281052').elements['x00281052'] !== undefined;
  const rescaleType = groupFor(ds, 0, PIXEL_VALUE_TRANSFORMATION, 'x00281054').string('x00281054');
  const unit = !color && ((modality === 'CT' && hasRescale) || rescaleType === 'HU') ? 'HU' : 'raw';
  const measures = groupFor(ds, 0, PIXEL_MEASURES, 'x00280030');
  const pixelSpacing = [0, 1].map(
    (i) => measures.floatString('x00280030', i) ?? ds.floatString('x00181164', i),
  );
  const inPlane =
    pixelSpacing[0] !== undefined && pixelSpacing[1] !== undefined ? (pixelSpacing as number[]) : undefined;
  const orientation = [0, 1, 2, 3, 4, 5].map((i) =>
    groupFor(ds, 0, PLANE_ORIENTATION, 'x00200037').floatString('x00200037', i),
  );
  const positionOf = (frame: number): (number | undefined)[] =>
    [0, 1, 2].map((i) => groupFor(ds, frame, PLANE_POSITION, 'x00200032').floatString('x00200032', i));
  const position = positionOf(0);
  // Slice spacing of a multi-frame file: the distance between the first two frames' positions
  // when the file gives them, else Spacing Between Slices, else Slice Thickness.
  let frameGap: number | undefined;
  if (l.frames > 1 && ds.elements[PER_FRAME_GROUPS]) {
    const [a, b] = [position, positionOf(1)];
    if ([...a, ...b].every((v) => v !== undefined)) {
      frameGap = Math.hypot(...a.map((v, i) => (b[i] as number) - (v as number)));
    }
  }
  const between =
    frameGap ||
    groupFor(ds, 0, PIXEL_MEASURES, 'x00180088').floatString('x00180088') ||
    groupFor(ds, 0, PIXEL_MEASURES, 'x00180050').floatString('x00180050');
  const c = color ? 3 : 1;
  const shape = l.frames > 1 ? [l.frames, l.rows, l.columns, c] : [l.rows, l.columns, c];
  const spacing = inPlane
    ? l.frames > 1
      ? between
        ? [between, ...inPlane]
        : undefined
      : inPlane
    : undefined;
  const seriesUid = ds.string('x0020000e');
  const patient = ds.string('x00100020') || ds.string('x0020000d');
  return {
    format: 'dicom',
    shape,
    dtype: outputDtype(l),
    colorMode: color ? 'rgb' : 'grayscale',
    modality,
    unit,
    frames: l.frames,
    ...(spacing ? { spacing } : {}),
    meta: {
      ...keptAttributes(ds),
      TransferSyntax: syntax?.name ?? l.transferSyntax,
      PhotometricInterpretation: l.photometric,
      // Where MONOCHROME1 inversion and windows are computed: the range the header allows, after rescale.
      ...(color ? {} : { valueRange: rescaledRange(l) }),
    },
    ...(patient ? { patientKey: patient } : {}),
    ...(!color && [...l.slopes.map((m) => m !== 1), ...l.intercepts.map((b) => b !== 0)].some(Boolean)
      ? { rescale: { slopes: l.slopes, intercepts: l.intercepts, storedIntegers: true } }
      : {}),
    ...(seriesUid
      ? {
          series: {
            key: createHash('sha256').update(seriesUid).digest('hex').slice(0, 16),
            ...(position.every((v) => v !== undefined) ? { position: position as number[] } : {}),
            ...(orientation.every((v) => v !== undefined) ? { orientation: orientation as number[] } : {}),
            ...(ds.intString('x00200013') !== undefined ? { instanceNumber: ds.intString('x00200013') } : {}),
          },
        }
      : {}),
  };
}

/** The raw (possibly compressed) bytes of one frame. */
function encapsulatedFrame(ds: DataSet, el: Element, frame: number, frames: number): Uint8Array {
  const fragments = el.fragments ?? [];
  if (fragments.length === 0) throw new Error('encapsulated pixel data holds no fragments');
  if (frames === 1) return dicomParser.readEncapsulatedPixelDataFromFragments(ds, el, 0, fragments.length);
  if (el.basicOffsetTable && el.basicOffsetTable.length > 0)
    return dicomParser.readEncapsulatedImageFrame(ds, el, frame);
  if (fragments.length === frames)
    return dicomParser.readEncapsulatedPixelDataFromFragments(ds, el, frame, 1);
  const table = dicomParser.createJPEGBasicOffsetTable(ds, el);
  return dicomParser.readEncapsulatedImageFrame(ds, el, frame, table);
}

/** Stored values of one frame as numbers, in pixel order (interleaved samples). */
function storedValues(
  l: PixelLayout,
  bytes: Uint8Array,
  bitOffset: number,
  bigEndian: boolean,
): Float64Array | Int32Array {
  const n = l.rows * l.columns * l.samples;
  const out = new Int32Array(n);
  if (l.bitsAllocated === 1) {
    for (let i = 0; i < n; i++) {
      const bit = bitOffset + i;
      out[i] = (bytes[bit >> 3] >> (bit & 7)) & 1;
    }
    return out;
  }
  const base = bitOffset >> 3;
  const needed = (n * l.bitsAllocated) / 8;
  if (bytes.length - base < Math.ceil(needed)) {
    throw new Error(
      `pixel data is truncated: ${bytes.length - base} bytes where a frame needs ${Math.ceil(needed)}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + base, bytes.length - base);
  const little = !bigEndian;
  if (l.bitsAllocated === 8) for (let i = 0; i < n; i++) out[i] = view.getUint8(i);
  else if (l.bitsAllocated === 16) for (let i = 0; i < n; i++) out[i] = view.getUint16(i * 2, little);
  else if (l.bitsAllocated === 12) {
    for (let i = 0; i < n; i += 2) {
      const o = (i / 2) * 3;
      const b0 = view.getUint8(o);
      const b1 = view.getUint8(o + 1);
      out[i] = b0 | ((b1 & 0x0f) << 8);
      if (i + 1 < n) out[i + 1] = (b1 >> 4) | (view.getUint8(o + 2) << 4);
    }
  } else {
    // 32 bits: values may exceed Int32, so use doubles.
    const wide = new Float64Array(n);
    for (let i = 0; i < n; i++)
      wide[i] = l.signed ? view.getInt32(i * 4, little) : view.getUint32(i * 4, little);
    return wide;
  }
  // Keep Bits Stored bits below High Bit and sign-extend: the bits above may hold overlays or junk.
  if (l.bitsStored < l.bitsAllocated || l.signed) {
    const shift = l.highBit + 1 - l.bitsStored;
    const mask = 2 ** l.bitsStored - 1;
    const signBit = 2 ** (l.bitsStored - 1);
    for (let i = 0; i < n; i++) {
      let v = (out[i] >>> shift) & mask;
      if (l.signed && v & signBit) v -= 2 ** l.bitsStored;
      out[i] = v;
    }
  }
  return out;
}

function allocate(dtype: DType, n: number): PixelArray {
  return dtype === 'uint8'
    ? new Uint8Array(n)
    : dtype === 'uint16'
      ? new Uint16Array(n)
      : dtype === 'int16'
        ? new Int16Array(n)
        : new Float32Array(n);
}

/** Reorders planar (RR..GG..BB..) samples to interleaved. */
function interleave(values: ArrayLike<number>, pixels: number): Int32Array {
  const out = new Int32Array(pixels * 3);
  for (let p = 0; p < pixels; p++) for (let s = 0; s < 3; s++) out[p * 3 + s] = values[s * pixels + p];
  return out;
}

/**
 * Uncompressed YBR_FULL_422 (PS3.3 C.7.6.3.1.2): each pair of pixels in a row is stored as
 * Y1 Y2 Cb Cr; expands it to interleaved Y Cb Cr per pixel.
 */
function expand422(bytes: Uint8Array, offset: number, rows: number, columns: number): Int32Array {
  const pixels = rows * columns;
  if (bytes.length < offset + pixels * 2) throw new Error('pixel data is truncated');
  const out = new Int32Array(pixels * 3);
  for (let p = 0; p < pixels; p += 2) {
    const o = offset + p * 2;
    const [y1, y2, cb, cr] = [bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]];
    out.set([y1, cb, cr, y2, cb, cr], p * 3);
  }
  return out;
}

/** YCbCr (full range) to RGB, PS3.3 C.7.6.3.1.2. */
function ybrToRgb(values: ArrayLike<number>, pixels: number, max: number): Int32Array {
  const out = new Int32Array(pixels * 3);
  const half = (max + 1) / 2;
  const clamp = (v: number): number => Math.min(max, Math.max(0, Math.round(v)));
  for (let p = 0; p < pixels; p++) {
    const y = values[p * 3];
    const cb = values[p * 3 + 1] - half;
    const cr = values[p * 3 + 2] - half;
    out[p * 3] = clamp(y + 1.402 * cr);
    out[p * 3 + 1] = clamp(y - 0.344136 * cb - 0.714136 * cr);
    out[p * 3 + 2] = clamp(y + 1.772 * cb);
  }
  return out;
}

async function decodeCompressed(codec: string, encoded: Uint8Array, l: PixelLayout): Promise<DecodedFrame> {
  const pixels = l.rows * l.columns;
  switch (codec) {
    case 'rle':
      return {
        bytes: decodeRle(encoded, pixels, l.samples, l.bitsAllocated / 8),
        width: l.columns,
        height: l.rows,
        bitsPerSample: l.bitsAllocated,
        components: l.samples,
      };
    case 'jpeg8':
      // The frame header's precision decides; Bits Stored where the stream has none.
      if ((jpegPrecision(encoded) ?? (l.bitsStored > 8 ? 12 : 8)) > 8) {
        if (l.samples !== 1) throw new Error('12-bit colour JPEG Extended is not supported (grey only)');
        return decodeJpeg12(encoded, l);
      }
      return decodeJpeg8(l.samples === 3 ? jpegColorAsStored(encoded, l.photometric) : encoded);
    case 'jpeg-lossless':
      return decodeJpegLossless(encoded, l.bitsAllocated);
    case 'jpeg-ls':
      return decodeJpegLs(encoded);
    case 'jpeg2000':
      return decodeJpeg2000(encoded);
    default:
      throw new Error(`no decoder for ${codec}`);
  }
}

async function openDicom(file: string): Promise<OpenedImage> {
  const prefix = await readPrefix(file, HEADER_PREFIX);
  const preamble = hasPreamble(prefix.bytes);
  let ds: DataSet;
  try {
    ds = parse(prefix.bytes, true, preamble);
    const deflated = ds.string('x00020010') === '1.2.840.10008.1.2.1.99';
    // Deflated files, and prefixes that ended between two elements before Pixel Data, need the whole file.
    if (!prefix.whole && (deflated || !ds.elements[PIXEL_DATA]))
      throw new Error('header continues: read all');
  } catch (error) {
    // A header longer than the prefix (big private blocks, icons) or a deflated file: read it all.
    if (prefix.whole) throw error;
    ds = parse(new Uint8Array(await readFile(file)), true, preamble);
  }
  const pixels = ds.elements[PIXEL_DATA];
  if (!pixels)
    throw new Error('the file has no Pixel Data (not an image: a report, DICOMDIR or presentation state)');
  // A native Pixel Data length that runs past the end of the file: truncated (found from the header alone).
  // Offsets of a deflated file are in the inflated stream, whose length is the parsed array's.
  const available = ds.string('x00020010') === '1.2.840.10008.1.2.1.99' ? ds.byteArray.length : prefix.size;
  if (pixels.length !== 0xffffffff && pixels.length > 0 && pixels.dataOffset + pixels.length > available) {
    throw new Error(
      `the file is truncated: its pixel data needs ${pixels.length} bytes but the file ends ${pixels.dataOffset + pixels.length - available} bytes early`,
    );
  }
  const l = layoutOf(ds);
  const syntax = TRANSFER_SYNTAXES[l.transferSyntax];
  if (!syntax) throw new Error(`transfer syntax ${l.transferSyntax} is not known to Phi Studio`);
  if (syntax.codec === 'unsupported') {
    throw new Error(`transfer syntax ${syntax.name} (${l.transferSyntax}) is not supported`);
  }
  if (l.samples !== 1 && l.samples !== 3) throw new Error(`Samples per Pixel ${l.samples} is not supported`);
  const nativeYbr = ['YBR_FULL', 'YBR_FULL_422'];
  if (l.photometric.startsWith('YBR') && !nativeYbr.includes(l.photometric) && syntax.codec === 'native') {
    throw new Error(`uncompressed ${l.photometric} is not supported`);
  }
  if (
    l.photometric === 'YBR_FULL_422' &&
    syntax.codec === 'native' &&
    (l.bitsAllocated !== 8 || l.columns % 2)
  ) {
    throw new Error('uncompressed YBR_FULL_422 is supported with 8 bits and an even number of columns only');
  }
  const header = headerOf(ds, l);

  async function decode(frame?: number): Promise<DecodedImage> {
    const full = parse(new Uint8Array(await readFile(file)), false, preamble);
    const el = full.elements[PIXEL_DATA];
    if (!el) throw new Error('the file has no Pixel Data');
    const first = frame ?? 0;
    const count = frame === undefined ? l.frames : 1;
    if (first < 0 || first + count > l.frames)
      throw new Error(`frame ${first} does not exist (${l.frames} frames)`);
    const pixels = l.rows * l.columns;
    const c = isColor(l) ? 3 : 1;
    const data = allocate(header.dtype, count * pixels * c);
    for (let f = 0; f < count; f++) {
      const index = first + f;
      let values: ArrayLike<number>;
      let planar = l.planar;
      let photometric = l.photometric;
      if (syntax.codec === 'native') {
        const frameBits = pixels * l.samples * l.bitsAllocated;
        const bytes = new Uint8Array(
          full.byteArray.buffer,
          full.byteArray.byteOffset + el.dataOffset,
          el.length,
        );
        if (photometric === 'YBR_FULL_422') {
          values = expand422(bytes, index * pixels * 2, l.rows, l.columns);
          photometric = 'YBR_FULL';
          planar = 0;
        } else values = storedValues(l, bytes, index * frameBits, syntax.bigEndian === true);
      } else {
        const decoded = await decodeCompressed(syntax.codec, encapsulatedFrame(full, el, index, l.frames), l);
        if (decoded.width !== l.columns || decoded.height !== l.rows) {
          throw new Error(
            `compressed frame is ${decoded.width}x${decoded.height}, header says ${l.columns}x${l.rows}`,
          );
        }
        const bytesPerSample = decoded.bitsPerSample <= 8 ? 1 : decoded.bitsPerSample <= 16 ? 2 : 4;
        const asLayout: PixelLayout = { ...l, bitsAllocated: bytesPerSample * 8, highBit: l.bitsStored - 1 };
        values = storedValues(asLayout, decoded.bytes, 0, false);
        planar = 0;
        // JPEG and JPEG 2000 decoders return RGB (jpeg-color.ts decides when JPEG converts); RLE keeps
        // the stored colour space.
        if (syntax.codec !== 'rle' && c === 3) photometric = 'RGB';
      }
      if (c === 3) {
        const max = l.bitsAllocated <= 8 ? 255 : 65535;
        if (planar === 1) values = interleave(values, pixels);
        if (photometric === 'YBR_FULL') values = ybrToRgb(values, pixels, max);
        data.set(values as never, f * pixels * 3);
        continue;
      }
      const offset = f * pixels;
      const round = header.dtype !== 'float32';
      for (let i = 0; i < pixels; i++) {
        const v = values[i] * l.slopes[index] + l.intercepts[index];
        data[offset + i] = round ? Math.round(v) : v;
      }
    }
    const shape = count > 1 ? [count, l.rows, l.columns, c] : [l.rows, l.columns, c];
    const spacing =
      header.spacing && count === 1 && header.spacing.length === 3 ? header.spacing.slice(1) : header.spacing;
    return {
      data,
      shape,
      colorMode: header.colorMode,
      modality: header.modality,
      unit: header.unit,
      ...(spacing ? { spacing } : {}),
      meta: { ...header.meta, ...(l.photometric === 'PALETTE COLOR' ? { palette: paletteOf(full) } : {}) },
    };
  }

  return { header, decode };
}

/** DICOM Part 10 files (and preamble-less datasets in implicit VR little endian). */
export const dicomReader: ImageReader = {
  format: 'dicom',
  extensions: ['.dcm', '.dicom', '.dic', '.ima'],
  match: (head) => hasPreamble(head) || looksLikeRawDataset(head),
  open: openDicom,
};
