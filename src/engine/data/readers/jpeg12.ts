/**
 * JPEG Extended with 12-bit samples (process 4, 1.2.840.10008.1.2.4.51), decoded
 * by GDCM's 12-bit libjpeg in WebAssembly (@itk-wasm/dicom). libjpeg-turbo's
 * WebAssembly build reads 8-bit samples only, and the pdf.js-derived decoder
 * was off on every pixel against DCMTK and GDCM, while this one matches them
 * exactly (docs/datasets.md, Known limits).
 *
 * The pipeline reads DICOM files, not code streams: each frame is wrapped in a
 * minimal single-frame dataset (MONOCHROME2, no rescale), so GDCM returns the
 * stored samples and the caller masks, sign-extends and rescales them as for
 * every other codec. The package (about 33 MB) is loaded on first use only.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DecodedFrame } from './codecs';

// Not named `require`: electron-vite's ESM shim declares that name at the top of the engine bundle.
const cjsRequire = createRequire(import.meta.url);

/** What a frame's dataset needs besides the code stream. */
export interface Jpeg12Layout {
  rows: number;
  columns: number;
  bitsStored: number;
  signed: boolean;
}

interface ItkImage {
  size: number[];
  data: ArrayBufferView | null;
  imageType: { components: number };
}

interface PipelineResult {
  returnValue: number;
  stdout: string;
  stderr: string;
  outputs: { data: unknown }[];
}

type RunPipelineNode = (
  pipelinePath: string,
  args: string[],
  outputs: { type: string }[],
  inputs: { type: string; data: unknown }[],
) => Promise<PipelineResult>;

interface Pipeline {
  run: RunPipelineNode;
  path: string;
  types: Record<string, string>;
}

let pipeline: Promise<Pipeline> | undefined;

/** The itk-wasm runner that @itk-wasm/dicom itself depends on, and its DICOM reading pipeline. */
function loadPipeline(): Promise<Pipeline> {
  pipeline ??= (async () => {
    const entry = cjsRequire.resolve('@itk-wasm/dicom');
    const itk = createRequire(entry).resolve('itk-wasm');
    const module = (await import(pathToFileURL(itk).href)) as {
      runPipelineNode: RunPipelineNode;
      InterfaceTypes: Record<string, string>;
    };
    return {
      run: module.runPipelineNode,
      path: join(dirname(entry), 'pipelines', 'read-image-dicom-file-series'),
      types: module.InterfaceTypes,
    };
  })().catch((error: unknown) => {
    pipeline = undefined;
    throw new Error(
      `the 12-bit JPEG decoder (@itk-wasm/dicom) could not be loaded: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  });
  return pipeline;
}

const SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7';
const JPEG_EXTENDED = '1.2.840.10008.1.2.4.51';
const UID = '2.25.1';

/** Explicit VR little endian elements, in tag order. */
function element(group: number, tag: number, vr: string, value: Uint8Array): Uint8Array {
  const long = vr === 'OB';
  const head = new Uint8Array(long ? 12 : 8);
  const view = new DataView(head.buffer);
  view.setUint16(0, group, true);
  view.setUint16(2, tag, true);
  head[4] = vr.charCodeAt(0);
  head[5] = vr.charCodeAt(1);
  if (long) view.setUint32(8, value.length, true);
  else view.setUint16(6, value.length, true);
  return concat([head, value]);
}

function text(value: string, pad: string): Uint8Array {
  const padded = value.length % 2 ? value + pad : value;
  return new TextEncoder().encode(padded);
}

function us(value: number): Uint8Array {
  return new Uint8Array([value & 0xff, value >> 8]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Encapsulated Pixel Data holding one fragment: empty offset table, the frame, sequence delimiter. */
function pixelData(frame: Uint8Array): Uint8Array {
  const item = (length: number): Uint8Array => {
    const b = new Uint8Array(8);
    const v = new DataView(b.buffer);
    v.setUint16(0, 0xfffe, true);
    v.setUint16(2, 0xe000, true);
    v.setUint32(4, length, true);
    return b;
  };
  const even = frame.length % 2 ? concat([frame, new Uint8Array(1)]) : frame;
  const head = new Uint8Array(12);
  const v = new DataView(head.buffer);
  v.setUint16(0, 0x7fe0, true);
  v.setUint16(2, 0x0010, true);
  head.set([0x4f, 0x42], 4); // OB
  v.setUint32(8, 0xffffffff, true);
  const end = new Uint8Array([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]);
  return concat([head, item(0), item(even.length), even, end]);
}

/** A Part 10 file holding one 12-bit JPEG frame as MONOCHROME2 without rescale. */
export function frameFile(frame: Uint8Array, l: Jpeg12Layout): Uint8Array {
  const meta = concat([
    element(2, 0x0001, 'OB', new Uint8Array([0, 1])),
    element(2, 0x0002, 'UI', text(SECONDARY_CAPTURE, '\0')),
    element(2, 0x0003, 'UI', text(UID, '\0')),
    element(2, 0x0010, 'UI', text(JPEG_EXTENDED, '\0')),
  ]);
  const groupLength = new Uint8Array(4);
  new DataView(groupLength.buffer).setUint32(0, meta.length, true);
  return concat([
    new Uint8Array(128),
    new TextEncoder().encode('DICM'),
    element(2, 0x0000, 'UL', groupLength),
    meta,
    element(8, 0x0016, 'UI', text(SECONDARY_CAPTURE, '\0')),
    element(8, 0x0018, 'UI', text(UID, '\0')),
    element(8, 0x0060, 'CS', text('OT', ' ')),
    element(0x20, 0x000d, 'UI', text(UID, '\0')),
    element(0x20, 0x000e, 'UI', text(UID, '\0')),
    element(0x28, 0x0002, 'US', us(1)),
    element(0x28, 0x0004, 'CS', text('MONOCHROME2', ' ')),
    element(0x28, 0x0010, 'US', us(l.rows)),
    element(0x28, 0x0011, 'US', us(l.columns)),
    element(0x28, 0x0100, 'US', us(16)),
    element(0x28, 0x0101, 'US', us(l.bitsStored)),
    element(0x28, 0x0102, 'US', us(l.bitsStored - 1)),
    element(0x28, 0x0103, 'US', us(l.signed ? 1 : 0)),
    pixelData(frame),
  ]);
}

/** Lines libjpeg prints on every 12-bit file while GDCM retries with its 12-bit build: not errors. */
const NOISE = /^(Unsupported JPEG data precision 12|Invalid SOS parameters for sequential JPEG)$/;

/** What itk-wasm itself logs when a pipeline throws (its captured stdout/stderr follow as arguments). */
const ITK_REPORT =
  /^(Exception while running pipeline:|stdout:|stderr:|exception:|Build module in Debug mode)/;

/** One decode at a time: the console is redirected while the pipeline runs (see quietly). */
let queue: Promise<unknown> = Promise.resolve();

/** The pipeline's own error lines, without the noise, for an error message. */
function reasonOf(stderr: string): string {
  const lines = stderr
    .split('\n')
    .filter((line) => line.trim() && !NOISE.test(line) && !ITK_REPORT.test(line));
  return lines.length ? `: ${[...new Set(lines)].join('; ')}` : '';
}

/**
 * Runs the pipeline with what it prints kept back: the Emscripten module writes
 * to console.log/console.error (stdout may be the CLI's JSON), and itk-wasm
 * logs a report when it throws. Lines the pipeline printed are dropped (its
 * errors go into the thrown message); anything else logged meanwhile is replayed.
 */
async function quietly(run: () => Promise<PipelineResult>): Promise<PipelineResult> {
  const held: { method: 'log' | 'error'; args: unknown[] }[] = [];
  const { log, error } = console;
  console.log = (...args: unknown[]) => held.push({ method: 'log', args });
  console.error = (...args: unknown[]) => held.push({ method: 'error', args });
  const printed = new Set<string>();
  const addLines = (text: string): void => text.split('\n').forEach((line) => printed.add(line));
  try {
    const result = await run();
    addLines(result.stdout);
    addLines(result.stderr);
    return result;
  } catch (cause) {
    // itk-wasm logged ('stderr:', <all the pipeline printed>) before rethrowing.
    const report = held.find(({ args }) => args[0] === 'stderr:')?.args[1];
    const stderr = typeof report === 'string' ? report : '';
    addLines(stderr);
    throw new Error(
      `the 12-bit JPEG decoder (GDCM) could not decode the pixel data (corrupt or truncated)${reasonOf(stderr)}`,
      {
        cause,
      },
    );
  } finally {
    console.log = log;
    console.error = error;
    for (const { method, args } of held) {
      const line = args.map(String).join(' ');
      if (!NOISE.test(line) && !ITK_REPORT.test(line) && !printed.has(line)) console[method](...args);
    }
  }
}

/** One 12-bit JPEG frame as 16-bit little-endian samples (grey only). */
export function decodeJpeg12(encoded: Uint8Array, l: Jpeg12Layout): Promise<DecodedFrame> {
  const next = queue.then(async () => {
    const { run, path, types } = await loadPipeline();
    const file = { path: 'frame.dcm', data: frameFile(encoded, l) };
    const result = await quietly(() =>
      run(
        path,
        ['0', '1', '--memory-io', '--input-images', file.path, '--single-sorted-series'],
        [{ type: types.Image }, { type: types.JsonCompatible }],
        [{ type: types.BinaryFile, data: file }],
      ),
    );
    const image = result.outputs[0]?.data as ItkImage | undefined;
    if (result.returnValue !== 0 || !image?.data) {
      throw new Error(
        `the 12-bit JPEG decoder (GDCM) could not decode the pixel data (corrupt or truncated)${reasonOf(result.stderr)}`,
      );
    }
    const data = image.data;
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    return {
      bytes,
      width: image.size[0],
      height: image.size[1],
      bitsPerSample: (data.byteLength / (image.size[0] * image.size[1] * image.imageType.components)) * 8,
      components: image.imageType.components,
    };
  });
  queue = next.catch(() => undefined);
  return next;
}

/** The sample precision of a JPEG code stream's frame header (8 or 12), or undefined. */
export function jpegPrecision(jpeg: Uint8Array): number | undefined {
  let i = 2;
  while (i + 4 <= jpeg.length && jpeg[i] === 0xff) {
    const marker = jpeg[i + 1];
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) return jpeg[i + 4];
    if (marker === 0xda) return undefined;
    i += 2 + ((jpeg[i + 2] << 8) | jpeg[i + 3]);
  }
  return undefined;
}
