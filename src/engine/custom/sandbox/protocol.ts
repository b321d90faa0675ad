/**
 * Messages between the engine (main thread) and a custom module's sandbox
 * worker. Everything here is plain data: strings, numbers and typed arrays
 * (transferred, not copied, on the way back).
 */
import type { PixelArray, Split } from '../../api';

/** Limits of one sandbox (docs/custom-modules.md explains each). */
export interface SandboxLimits {
  /** Wall-clock limit of one sample, ms; the worker is terminated and replaced past it. */
  timeoutMs: number;
  /** Wall-clock limit of evaluating the module's top-level code, ms. */
  loadTimeoutMs: number;
  /** V8 heap of the worker (resourceLimits.maxOldGenerationSizeMb). */
  heapMb: number;
  /** Growth of the process's resident memory while one sample runs (typed arrays live off the heap). */
  memoryMb: number;
  /** A worker idle this long is stopped to free its memory; the next sample starts a new one. */
  idleMs: number;
}

/** What the worker receives as `workerData`: one module, evaluated once, run per sample. */
export interface SandboxWorkerData {
  /** The prelude (defineModule, z, console, rng), evaluated first inside the context. */
  prelude: string;
  /** The module's compiled JavaScript. */
  code: string;
  /** esbuild's source map of `code`, to report lines of the user's source. */
  map: string;
  /** Script name in stack traces, e.g. `my-hu-window.ts`. */
  filename: string;
  loadTimeoutMs: number;
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
}

/** The module's top-level code failed. */
export interface LoadFailedMessage {
  type: 'load-failed';
  error: SandboxError;
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
}

/** The user's `run` threw or returned something that is not a sample. */
export interface RunFailedMessage {
  type: 'run-failed';
  seq: number;
  error: SandboxError;
  logs: string[];
}

/** Anything the worker sends. */
export type FromWorker = LoadedMessage | LoadFailedMessage | ResultMessage | RunFailedMessage;

/** Marker of a typed array inside sample JSON. */
export const ARRAY_MARKER = '__phiArray';
