/**
 * Decoders for compressed DICOM pixel data, from well-kept packages: CharLS
 * (JPEG-LS), libjpeg-turbo (JPEG baseline/extended, 8 bit) and OpenJPEG
 * (JPEG 2000) as the WebAssembly builds published under @cornerstonejs/codec-*,
 * and jpeg-lossless-decoder-js (JPEG lossless, process 14). RLE is decoded in
 * rle.ts (a dozen lines of PackBits), 12-bit JPEG in jpeg12.ts (GDCM). The
 * WebAssembly modules load on first use.
 */
import { createRequire } from 'node:module';

// Not named `require`: electron-vite's ESM shim declares that name at the top of the engine bundle.
const cjsRequire = createRequire(import.meta.url);

/** Samples of one decoded frame: bytes, little-endian, interleaved when colour. */
export interface DecodedFrame {
  bytes: Uint8Array;
  width: number;
  height: number;
  bitsPerSample: number;
  components: number;
}

/** The shape the Emscripten decoders share (getEncodedBuffer / decode / getDecodedBuffer / getFrameInfo). */
interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  readHeader?(): void;
  decode(): void;
  getFrameInfo(): { width: number; height: number; bitsPerSample: number; componentCount: number };
  delete(): void;
}

type WasmModule = Record<string, new () => WasmDecoder>;

const modules = new Map<string, Promise<WasmModule>>();

function loadWasm(specifier: string): Promise<WasmModule> {
  let promise = modules.get(specifier);
  if (!promise) {
    const factory = cjsRequire(specifier) as (options: Record<string, unknown>) => Promise<WasmModule>;
    // OpenJPEG logs [INFO] lines through Emscripten's print, which is stdout: keep it quiet (stdout may be JSON).
    promise = factory({ print: () => undefined, printErr: () => undefined });
    modules.set(specifier, promise);
  }
  return promise;
}

/** Errors from the codecs as readable Errors: Emscripten throws C++ exceptions as bare numbers. */
function codecError(codec: string, error: unknown): Error {
  const detail = error instanceof Error ? `: ${error.message}` : '';
  return new Error(`the ${codec} decoder could not decode the pixel data (corrupt or truncated)${detail}`, {
    cause: error,
  });
}

async function decodeWith(
  specifier: string,
  className: string,
  title: string,
  encoded: Uint8Array,
): Promise<DecodedFrame> {
  const module = await loadWasm(specifier);
  const decoder = new module[className]();
  try {
    decoder.getEncodedBuffer(encoded.length).set(encoded);
    decoder.decode();
    const info = decoder.getFrameInfo();
    // The decoded buffer is a view into WebAssembly memory: copy it before the decoder is freed.
    const bytes = new Uint8Array(decoder.getDecodedBuffer());
    return {
      bytes,
      width: info.width,
      height: info.height,
      bitsPerSample: info.bitsPerSample,
      components: info.componentCount,
    };
  } catch (error) {
    throw codecError(title, error);
  } finally {
    decoder.delete();
  }
}

/** JPEG-LS, lossless and near-lossless (CharLS). */
export function decodeJpegLs(encoded: Uint8Array): Promise<DecodedFrame> {
  return decodeWith('@cornerstonejs/codec-charls/decodewasmjs', 'JpegLSDecoder', 'JPEG-LS', encoded);
}

/** JPEG baseline and extended with 8-bit samples (libjpeg-turbo); colour comes out as RGB. */
export function decodeJpeg8(encoded: Uint8Array): Promise<DecodedFrame> {
  return decodeWith('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs', 'JPEGDecoder', 'JPEG', encoded);
}

/** JPEG 2000, lossless and lossy (OpenJPEG); colour transforms are undone by the decoder. */
export function decodeJpeg2000(encoded: Uint8Array): Promise<DecodedFrame> {
  return decodeWith('@cornerstonejs/codec-openjpeg/decodewasmjs', 'J2KDecoder', 'JPEG 2000', encoded);
}

interface LosslessDecoder {
  decode(buffer: ArrayBuffer, offset: number, length: number, numBytes: number): Uint8Array | Uint16Array;
  xDim: number;
  yDim: number;
  numComp: number;
}

/** JPEG lossless, process 14 (any predictor, incl. selection value 1). */
export function decodeJpegLossless(encoded: Uint8Array, bitsAllocated: number): DecodedFrame {
  const { Decoder } = cjsRequire('jpeg-lossless-decoder-js') as { Decoder: new () => LosslessDecoder };
  const decoder = new Decoder();
  const numBytes = bitsAllocated <= 8 ? 1 : 2;
  // A real copy (Buffer.slice would be a view on the whole file) so offset 0 is the frame start.
  const copy = new Uint8Array(encoded);
  let out: Uint8Array | Uint16Array;
  try {
    out = decoder.decode(copy.buffer, 0, copy.length, numBytes);
  } catch (error) {
    throw codecError('JPEG lossless', error);
  }
  const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength).slice();
  return {
    bytes,
    width: decoder.xDim,
    height: decoder.yDim,
    bitsPerSample: numBytes * 8,
    components: decoder.numComp,
  };
}
