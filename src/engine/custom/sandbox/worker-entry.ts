/**
 * The sandbox worker: one per custom module. It evaluates the prelude and the
 * module's code with `node:vm` in a context of their own (no `require`,
 * `process`, timers, `fs` or network; no `eval` or WebAssembly), then runs one
 * sample per `run` message.
 *
 * The rule that keeps the worker's own realm out of reach: no object of this
 * realm is ever handed to sandbox code or stored in a sandbox object (a host
 * object would lead back to this realm's `Function` and from there to
 * `process`). Samples enter as JSON text plus typed arrays that the sandbox's
 * own constructors made and this realm's `%TypedArray%.prototype.set` filled;
 * results leave the same way and are re-checked here with this realm's
 * intrinsics, which the sandbox cannot touch.
 *
 * Bundled by esbuild into one CommonJS script and started with `eval: true`
 * (sandbox/bundle.ts), so it must import only `node:` modules and the types
 * of ../../api.
 */
import { SourceMap } from 'node:module';
import vm from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import type { PixelArray } from '../../api';
import type { FromWorker, RunMessage, SandboxError, SandboxWorkerData } from './protocol';

// This realm's intrinsics, taken before anything else runs.
const TypedArrayProto = Object.getPrototypeOf(Uint8Array.prototype) as object;
const getter = (proto: object, key: PropertyKey) =>
  Object.getOwnPropertyDescriptor(proto, key)?.get as (this: unknown) => unknown;
const tagOf = getter(TypedArrayProto, Symbol.toStringTag);
const bufferOf = getter(TypedArrayProto, 'buffer') as (this: unknown) => ArrayBuffer;
const byteOffsetOf = getter(TypedArrayProto, 'byteOffset') as (this: unknown) => number;
const byteLengthOf = getter(TypedArrayProto, 'byteLength') as (this: unknown) => number;
const lengthOf = getter(TypedArrayProto, 'length') as (this: unknown) => number;
const arrayBufferByteLength = getter(ArrayBuffer.prototype, 'byteLength') as (this: unknown) => number;
const setTyped = (TypedArrayProto as { set: (this: unknown, source: unknown) => void }).set;
const HOST_CTORS = { Float32Array, Uint8Array, Uint16Array, Int16Array } as const;
type CtorName = keyof typeof HOST_CTORS;

const data = workerData as SandboxWorkerData;
const port = parentPort;
if (!port) throw new Error('The custom module sandbox must run in a worker thread');

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

// ---- the user's source positions ----------------------------------------------------
const sourceMap = new SourceMap(JSON.parse(data.map) as ConstructorParameters<typeof SourceMap>[0]);
const escapedName = data.filename.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const frame = new RegExp(`${escapedName}:(\\d+):(\\d+)`);

/** The first stack frame in the user's script, mapped back to the user's TypeScript. */
function sandboxError(message: string, stack: string): SandboxError {
  const match = frame.exec(stack);
  if (!match) return { message };
  const entry = sourceMap.findEntry(Number(match[1]) - 1, Number(match[2]) - 1) as {
    originalLine?: number;
    originalColumn?: number;
  };
  if (entry.originalLine === undefined || entry.originalColumn === undefined) return { message };
  return { message, line: entry.originalLine + 1, column: entry.originalColumn + 1 };
}

/** Plain-string view of something thrown by vm itself (compile errors, timeouts) or by user code. */
function thrownInfo(error: unknown): { message: string; stack: string } {
  try {
    const e = error as { message?: unknown; stack?: unknown; name?: unknown };
    const name = typeof e?.name === 'string' && e.name !== 'Error' ? `${e.name}: ` : '';
    return {
      message: `${name}${String(e?.message ?? error)}`,
      stack: typeof e?.stack === 'string' ? e.stack : '',
    };
  } catch {
    return { message: 'The module threw a value that cannot be read', stack: '' };
  }
}

/** Plainer words for what users will meet most. */
function explain(message: string): string {
  if (/^ReferenceError: (require|process|module|exports) is not defined/.test(message))
    return `${message}: custom modules cannot import modules or reach the system; defineModule, z and console are provided`;
  if (
    /^ReferenceError: (setTimeout|setInterval|setImmediate|fetch|queueMicrotask) is not defined/.test(message)
  )
    return `${message}: timers and network are not available in custom modules`;
  return message;
}

// ---- the sandbox ------------------------------------------------------------------------
const context = vm.createContext(Object.create(null) as object, {
  name: data.filename,
  codeGeneration: { strings: false, wasm: false },
});
// The sandbox's typed array constructors, taken before any sandbox code runs.
const sandboxCtors = vm.runInContext(
  '({ Float32Array, Uint8Array, Uint16Array, Int16Array })',
  context,
) as Record<CtorName, new (length: number) => PixelArray>;
new vm.Script(data.prelude, { filename: 'phi-prelude.js' }).runInContext(context);
const api = vm.runInContext(
  '(() => { const api = globalThis.__phiHost; delete globalThis.__phiHost; return api; })()',
  context,
) as { takeDeclaration: (...args: unknown[]) => unknown; runSample: (...args: unknown[]) => unknown };
const takeDeclaration = api.takeDeclaration;
const runSample = api.runSample;

function load(): void {
  try {
    new vm.Script(data.code, { filename: data.filename }).runInContext(context, {
      timeout: data.loadTimeoutMs,
    });
  } catch (error) {
    const info = thrownInfo(error);
    const message = /Script execution timed out/.test(info.message)
      ? `The module's top-level code ran longer than ${data.loadTimeoutMs / 1000} s (an endless loop outside run()?)`
      : explain(info.message);
    post({ type: 'load-failed', error: sandboxError(message, info.stack) });
    return;
  }
  const out = Reflect.apply(takeDeclaration, undefined, []) as Record<string, unknown>;
  if (out?.ok === true && typeof out.json === 'string') post({ type: 'loaded', declaration: out.json });
  else
    post({
      type: 'load-failed',
      error: { message: typeof out?.message === 'string' ? out.message : 'Bad module' },
    });
}

/** Copies an engine array into a sandbox-made array (so no array of this realm enters the sandbox). */
function intoSandbox(array: PixelArray): PixelArray {
  const name = tagOf.call(array) as CtorName;
  const copy = new sandboxCtors[name](lengthOf.call(array));
  setTyped.call(copy, array);
  return copy;
}

/**
 * A typed array the sandbox returned, as an array of this realm: a view on the
 * same memory (its buffer is then transferred) when it owns its whole buffer,
 * else a copy. Other values (plain arrays, Float64Array...) are refused.
 */
function outOfSandbox(value: unknown, transfer: Set<ArrayBuffer>): PixelArray {
  const tag = tagOf.call(value);
  if (typeof tag !== 'string' || !(tag in HOST_CTORS)) {
    const what = typeof tag === 'string' ? tag : 'not a typed array';
    throw new TypeError(
      `image arrays must be Float32Array, Uint8Array, Uint16Array or Int16Array (got ${what}); e.g. Float32Array.from(values)`,
    );
  }
  const Ctor = HOST_CTORS[tag as CtorName];
  const buffer = bufferOf.call(value);
  let whole: boolean;
  try {
    whole =
      byteOffsetOf.call(value) === 0 &&
      byteLengthOf.call(value) === arrayBufferByteLength.call(buffer) &&
      !transfer.has(buffer);
  } catch {
    whole = false; // a SharedArrayBuffer: copy
  }
  if (whole) {
    transfer.add(buffer);
    return new Ctor(buffer, 0, lengthOf.call(value));
  }
  const copy = new Ctor(lengthOf.call(value));
  setTyped.call(copy, value);
  return copy;
}

function run(message: RunMessage): void {
  const { seq } = message;
  let out: Record<string, unknown>;
  try {
    const arrays = message.arrays.map(intoSandbox);
    out = Reflect.apply(runSample, undefined, [
      message.sample,
      message.params,
      message.seed,
      message.nodeId,
      message.split ?? '',
      ...arrays,
    ]) as Record<string, unknown>;
  } catch (error) {
    const info = thrownInfo(error);
    post({ type: 'run-failed', seq, error: sandboxError(explain(info.message), info.stack), logs: [] });
    return;
  }
  let logs: string[] = [];
  try {
    const parsed: unknown = typeof out.logs === 'string' ? JSON.parse(out.logs) : [];
    if (Array.isArray(parsed)) logs = parsed.filter((l): l is string => typeof l === 'string');
  } catch {
    logs = [];
  }
  if (out.ok !== true) {
    const message = typeof out.message === 'string' ? out.message : 'run() failed';
    const stack = typeof out.stack === 'string' ? out.stack : '';
    post({ type: 'run-failed', seq, error: sandboxError(explain(message), stack), logs });
    return;
  }
  const json = typeof out.json === 'string' ? out.json : 'null';
  try {
    const transfer = new Set<ArrayBuffer>();
    const list = out.arrays as { length: unknown; [index: number]: unknown };
    const count = typeof list?.length === 'number' ? list.length : 0;
    const arrays: PixelArray[] = [];
    for (let i = 0; i < count; i++) arrays.push(outOfSandbox(list[i], transfer));
    post({ type: 'result', seq, sample: json === 'null' ? null : json, arrays, logs }, [...transfer]);
  } catch (error) {
    post({ type: 'run-failed', seq, error: { message: thrownInfo(error).message }, logs });
  }
}

// A promise the module left rejected (e.g. a dynamic import(), which the sandbox refuses)
// must not end the worker: the sample's result has already been sent.
process.on('unhandledRejection', () => undefined);

port.on('message', (message: RunMessage) => {
  if (message.type === 'run') run(message);
});
load();
