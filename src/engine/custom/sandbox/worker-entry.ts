/**
 * The sandbox process: one per custom module, started by sandbox/host.ts as
 * `node --experimental-permission ... -e <this script>` (no file system, no
 * child processes, no workers, no addons, no eval even in this realm) inside
 * the OS box of sandbox/confine.ts. It evaluates the prelude and the module's
 * code with `node:vm` in a context of their own (no `require`, `process`,
 * timers or network; no `eval` or WebAssembly), then runs one sample per
 * `run` message from the engine.
 *
 * The rule that keeps this realm out of reach: no object of this realm is
 * ever handed to sandbox code, and this script never reads a sandbox object
 * other than the typed arrays it returns (through this realm's intrinsics,
 * which run no sandbox code). Whatever the module throws is described as
 * text by the prelude, inside the sandbox. Samples enter as JSON text plus
 * typed arrays that the sandbox's own constructors made and this realm's
 * `%TypedArray%.prototype.set` filled.
 *
 * Bundled by esbuild into one CommonJS script (sandbox/bundle.ts), so it must
 * import only `node:` modules and the types of ../../api.
 */
import { SourceMap } from 'node:module';
import vm from 'node:vm';
import type { PixelArray } from '../../api';
import type { FromSandbox, InitMessage, RunMessage, SandboxError } from './protocol';

// This realm's intrinsics, taken before anything else runs.
const TypedArrayProto = Object.getPrototypeOf(Uint8Array.prototype) as object;
const getter = (proto: object, key: PropertyKey) =>
  Object.getOwnPropertyDescriptor(proto, key)?.get as (this: unknown) => unknown;
const tagOf = getter(TypedArrayProto, Symbol.toStringTag);
const lengthOf = getter(TypedArrayProto, 'length') as (this: unknown) => number;
const setTyped = (TypedArrayProto as { set: (this: unknown, source: unknown) => void }).set;
const ownValue = (target: object, key: PropertyKey): unknown =>
  Reflect.getOwnPropertyDescriptor(target, key)?.value;
const HOST_CTORS = { Float32Array, Uint8Array, Uint16Array, Int16Array } as const;
type CtorName = keyof typeof HOST_CTORS;
const CANNOT_READ = 'The module threw a value that cannot be read';

function post(message: FromSandbox): void {
  process.send?.(message);
}

function peakRssKb(): number {
  return process.resourceUsage().maxRSS;
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

interface Sandbox {
  /** The first stack frame in the user's script, mapped back to the user's TypeScript. */
  located(message: string, stack: string): SandboxError;
  /** Something the sandbox threw, as text (read by the prelude, inside the sandbox). */
  describe(thrown: unknown): { message: string; stack: string };
  /** Runs the module's top-level code in the sandbox. */
  evaluate(script: vm.Script): void;
  takeDeclaration(): unknown;
  runSample(...args: unknown[]): unknown;
  /** The sandbox's typed array constructors, taken before any user code ran. */
  ctors: Record<CtorName, new (length: number) => PixelArray>;
}

function createSandbox(init: InitMessage): Sandbox {
  const sourceMap = new SourceMap(JSON.parse(init.map) as ConstructorParameters<typeof SourceMap>[0]);
  const escapedName = init.filename.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const frame = new RegExp(`${escapedName}:(\\d+):(\\d+)`);
  const context = vm.createContext(Object.create(null) as object, {
    name: init.filename,
    codeGeneration: { strings: false, wasm: false },
  });
  const ctors = vm.runInContext(
    '({ Float32Array, Uint8Array, Uint16Array, Int16Array })',
    context,
  ) as Sandbox['ctors'];
  new vm.Script(init.prelude, { filename: 'phi-prelude.js' }).runInContext(context);
  const api = vm.runInContext(
    '(() => { const api = globalThis.__phiHost; delete globalThis.__phiHost; return api; })()',
    context,
  ) as Record<'takeDeclaration' | 'runSample' | 'describeThrown', (...args: unknown[]) => unknown>;
  const { takeDeclaration, runSample, describeThrown } = api;
  return {
    ctors,
    located(message, stack) {
      const match = frame.exec(stack);
      if (!match) return { message };
      const entry = sourceMap.findEntry(Number(match[1]) - 1, Number(match[2]) - 1) as {
        originalLine?: number;
        originalColumn?: number;
      };
      if (entry.originalLine === undefined || entry.originalColumn === undefined) return { message };
      return { message, line: entry.originalLine + 1, column: entry.originalColumn + 1 };
    },
    describe(thrown) {
      let text: unknown;
      try {
        text = Reflect.apply(describeThrown, undefined, [thrown]);
      } catch {
        return { message: CANNOT_READ, stack: '' };
      }
      return typeof text === 'string' && text ? parseDescription(text) : { message: CANNOT_READ, stack: '' };
    },
    evaluate: (script) => void script.runInContext(context),
    takeDeclaration: () => Reflect.apply(takeDeclaration, undefined, []),
    runSample: (...args) => Reflect.apply(runSample, undefined, args),
  };
}

/** `{ message, stack }` from the prelude's JSON text (parsed in this realm: plain data). */
function parseDescription(text: string): { message: string; stack: string } {
  try {
    const parsed = JSON.parse(text) as { message?: unknown; stack?: unknown };
    return {
      message: typeof parsed.message === 'string' ? parsed.message : CANNOT_READ,
      stack: typeof parsed.stack === 'string' ? parsed.stack : '',
    };
  } catch {
    return { message: CANNOT_READ, stack: '' };
  }
}

/** The prelude's JSON reply, parsed here (anything else reads as a failure). */
function parseReply(text: unknown): Record<string, unknown> {
  if (typeof text !== 'string') return { ok: false, message: 'The module broke the sandbox prelude' };
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return { ok: false, message: 'The module broke the sandbox prelude' };
  }
}

const stringsOf = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((l): l is string => typeof l === 'string') : [];

function load(sandbox: Sandbox, init: InitMessage): void {
  let script: vm.Script;
  try {
    script = new vm.Script(init.code, { filename: init.filename });
  } catch (error) {
    // Thrown by the compiler in this realm: reading it is safe.
    post({
      type: 'load-failed',
      error: { message: String((error as Error).message) },
      peakRssKb: peakRssKb(),
    });
    return;
  }
  post({ type: 'evaluating' });
  try {
    sandbox.evaluate(script);
  } catch (error) {
    const info = sandbox.describe(error);
    post({
      type: 'load-failed',
      error: sandbox.located(explain(info.message), info.stack),
      peakRssKb: peakRssKb(),
    });
    return;
  }
  let reply: Record<string, unknown>;
  try {
    reply = parseReply(sandbox.takeDeclaration());
  } catch (error) {
    reply = { ok: false, message: sandbox.describe(error).message };
  }
  if (reply.ok === true && typeof reply.json === 'string')
    post({ type: 'loaded', declaration: reply.json, peakRssKb: peakRssKb() });
  else
    post({
      type: 'load-failed',
      error: { message: typeof reply.message === 'string' ? reply.message : 'Bad module' },
      peakRssKb: peakRssKb(),
    });
}

/** Copies an engine array into a sandbox-made array (so no array of this realm enters the sandbox). */
function intoSandbox(sandbox: Sandbox, array: PixelArray): PixelArray {
  const name = tagOf.call(array) as CtorName;
  const copy = new sandbox.ctors[name](lengthOf.call(array));
  setTyped.call(copy, array);
  return copy;
}

/**
 * A typed array the sandbox returned, copied into an array of this realm with
 * this realm's intrinsics. Other values (plain arrays, Float64Array, a Proxy)
 * are refused.
 */
function outOfSandbox(value: unknown): PixelArray {
  const tag = tagOf.call(value);
  if (typeof tag !== 'string' || !(tag in HOST_CTORS)) {
    const what = typeof tag === 'string' ? tag : 'not a typed array';
    throw new TypeError(
      `image arrays must be Float32Array, Uint8Array, Uint16Array or Int16Array (got ${what}); e.g. Float32Array.from(values)`,
    );
  }
  const copy = new HOST_CTORS[tag as CtorName](lengthOf.call(value));
  setTyped.call(copy, value);
  return copy;
}

function run(sandbox: Sandbox, message: RunMessage): void {
  const { seq } = message;
  const failed = (error: SandboxError, logs: string[] = []) =>
    post({ type: 'run-failed', seq, error, logs, peakRssKb: peakRssKb() });
  let out: unknown;
  try {
    out = sandbox.runSample(
      message.sample,
      message.params,
      message.seed,
      message.nodeId,
      message.split ?? '',
      ...message.arrays.map((a) => intoSandbox(sandbox, a)),
    );
  } catch (error) {
    const info = sandbox.describe(error);
    failed(sandbox.located(explain(info.message), info.stack));
    return;
  }
  // `out` is the prelude's own array literal: read with this realm's intrinsics only.
  const list = Array.isArray(out) ? out : [];
  const reply = parseReply(ownValue(list, 0));
  const logs = stringsOf(reply.logs);
  if (reply.ok !== true) {
    const text = typeof reply.message === 'string' ? reply.message : 'run() failed';
    failed(sandbox.located(explain(text), typeof reply.stack === 'string' ? reply.stack : ''), logs);
    return;
  }
  const json = typeof reply.json === 'string' ? reply.json : 'null';
  try {
    const count = Number(ownValue(list, 'length') ?? 0);
    const arrays: PixelArray[] = [];
    for (let i = 1; i < count; i++) arrays.push(outOfSandbox(ownValue(list, i)));
    post({
      type: 'result',
      seq,
      sample: json === 'null' ? null : json,
      arrays,
      logs,
      peakRssKb: peakRssKb(),
    });
  } catch (error) {
    // Thrown by this realm's intrinsics (outOfSandbox): a host error, safe to read.
    failed({ message: String((error as Error).message) }, logs);
  }
}

// A promise the module left rejected must neither end the process nor be printed: printing
// reads the reason's stack here, in this realm.
process.on('unhandledRejection', () => undefined);
// The engine is gone: so is the sandbox.
process.on('disconnect', () => process.exit(0));

let sandbox: Sandbox | undefined;
process.on('message', (message: InitMessage | RunMessage) => {
  if (message.type === 'init' && !sandbox) {
    sandbox = createSandbox(message);
    load(sandbox, message);
  } else if (message.type === 'run' && sandbox) run(sandbox, message);
});
