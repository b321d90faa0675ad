/**
 * Messages between the engine and a custom module's sandbox process (Node's
 * IPC channel with the `advanced` serialization: plain data, strings, numbers
 * and typed arrays). The engine treats every message from the sandbox as
 * untrusted: {@link parseFromSandbox} checks its shape.
 */
import type { PixelArray, Split } from '../../api';

/** Limits of one sandbox (docs/custom-modules.md explains each). */
export interface SandboxLimits {
  /** Wall-clock limit of one sample, ms; the process is killed and replaced past it. */
  timeoutMs: number;
  /** Wall-clock limit of evaluating the module's top-level code, ms. */
  loadTimeoutMs: number;
  /** V8 heap of the sandbox process (`--max-old-space-size`). */
  heapMb: number;
  /** Memory beyond the heap (typed arrays); the OS caps the process's data at heapMb + memoryMb. */
  memoryMb: number;
  /** A process idle this long is stopped to free its memory; the next sample starts a new one. */
  idleMs: number;
}

/** The first message to the sandbox process: one module, evaluated once, run per sample. */
export interface InitMessage {
  type: 'init';
  /** The prelude (defineModule, z, console, rng), evaluated first inside the context. */
  prelude: string;
  /** The module's compiled JavaScript. */
  code: string;
  /** esbuild's source map of `code`, to report lines of the user's source. */
  map: string;
  /** Script name in stack traces, e.g. `my-hu-window.ts`. */
  filename: string;
}

/** The process is up and starts evaluating the module (the load time limit starts now). */
export interface EvaluatingMessage {
  type: 'evaluating';
}

/** A source position (1-based line and column) in the user's source. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** An error raised by the user's code, with its position in the user's source when known. */
export interface SandboxError extends Partial<SourcePosition> {
  message: string;
}

/** The declaration read from the module's `defineModule({...})`, as JSON text (validated by the engine). */
export interface LoadedMessage {
  type: 'loaded';
  declaration: string;
  /** Peak resident memory of the sandbox process so far, KB. */
  peakRssKb: number;
}

/** The module's top-level code failed. */
export interface LoadFailedMessage {
  type: 'load-failed';
  error: SandboxError;
  peakRssKb: number;
}

/** One sample to process. The sample's typed arrays are copied (the engine keeps its own). */
export interface RunMessage {
  type: 'run';
  seq: number;
  /** The sample with typed arrays replaced by `{ __phiArray: index }`. */
  sample: string;
  arrays: PixelArray[];
  /** Params already parsed by the engine. */
  params: string;
  /** Seed of `ctx.rng` and `Math.random` inside the sandbox. */
  seed: number;
  nodeId: string;
  split?: Split;
}

/** The processed sample (or `null` when the module drops it). */
export interface ResultMessage {
  type: 'result';
  seq: number;
  /** JSON of the returned sample with typed arrays replaced by `{ __phiArray: index }`, or `null`. */
  sample: string | null;
  arrays: PixelArray[];
  logs: string[];
  peakRssKb: number;
}

/** The user's `run` threw or returned something that is not a sample. */
export interface RunFailedMessage {
  type: 'run-failed';
  seq: number;
  error: SandboxError;
  logs: string[];
  peakRssKb: number;
}

/** Anything the sandbox process sends. */
export type FromSandbox =
  EvaluatingMessage | LoadedMessage | LoadFailedMessage | ResultMessage | RunFailedMessage;

/** Anything the engine sends. */
export type ToSandbox = InitMessage | RunMessage;

const PIXEL_ARRAYS = [Float32Array, Uint8Array, Uint16Array, Int16Array];

const isString = (v: unknown): v is string => typeof v === 'string';
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);

function isError(v: unknown): v is SandboxError {
  if (!v || typeof v !== 'object') return false;
  const e = v as Record<string, unknown>;
  return (
    isString(e.message) &&
    (e.line === undefined || isCount(e.line)) &&
    (e.column === undefined || isCount(e.column))
  );
}

/**
 * A message from the sandbox process if it has the shape of one, else
 * undefined. Code that escaped the vm context could send anything over the
 * channel: nothing else of the message is read before this check.
 */
export function parseFromSandbox(value: unknown): FromSandbox | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const m = value as Record<string, unknown>;
  switch (m.type) {
    case 'evaluating':
      return { type: 'evaluating' };
    case 'loaded':
      return isString(m.declaration) && isCount(m.peakRssKb)
        ? { type: 'loaded', declaration: m.declaration, peakRssKb: m.peakRssKb }
        : undefined;
    case 'load-failed':
      return isError(m.error) && isCount(m.peakRssKb)
        ? { type: 'load-failed', error: m.error, peakRssKb: m.peakRssKb }
        : undefined;
    case 'result':
      return isCount(m.seq) &&
        (m.sample === null || isString(m.sample)) &&
        Array.isArray(m.arrays) &&
        m.arrays.every((a) => PIXEL_ARRAYS.some((Ctor) => a instanceof Ctor)) &&
        isStrings(m.logs) &&
        isCount(m.peakRssKb)
        ? {
            type: 'result',
            seq: m.seq,
            sample: m.sample,
            arrays: m.arrays as PixelArray[],
            logs: m.logs,
            peakRssKb: m.peakRssKb,
          }
        : undefined;
    case 'run-failed':
      return isCount(m.seq) && isError(m.error) && isStrings(m.logs) && isCount(m.peakRssKb)
        ? { type: 'run-failed', seq: m.seq, error: m.error, logs: m.logs, peakRssKb: m.peakRssKb }
        : undefined;
    default:
      return undefined;
  }
}

/** Marker of a typed array inside sample JSON. */
export const ARRAY_MARKER = '__phiArray';
