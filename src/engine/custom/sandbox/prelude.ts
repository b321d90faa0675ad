/**
 * The prelude of a custom module's sandbox: evaluated inside the `node:vm`
 * context before the user's code, so every object it makes belongs to the
 * sandbox's own realm. It provides the user's globals (`defineModule`, `z`,
 * `console`) and hands the sandbox process three functions (`takeDeclaration`,
 * `runSample`, `describeThrown`) that return only strings and sandbox-made
 * typed arrays: whatever the user's code throws is turned into plain text
 * here, inside the sandbox, so the host never reads a sandbox object. The
 * user's code may tamper with anything here after it runs; that can only
 * break the user's own module, because the host trusts nothing it gets back
 * (it re-checks every value with its own intrinsics).
 *
 * Bundled by esbuild as an IIFE (sandbox/bundle.ts): it must import nothing
 * that is not bundled and use no Node globals.
 */

// Stack-trace hooks, locked before any user code runs. Node formats a stack by calling
// `Error.prepareStackTrace` of the error's realm with call-site frames made in the realm
// that reads the stack: a hook set here would be handed host objects. The global `Error`
// is locked too, since Node looks the hook up through it.
Object.defineProperty(Error, 'prepareStackTrace', { value: undefined, writable: false, configurable: false });
Object.defineProperty(globalThis, 'Error', { value: Error, writable: false, configurable: false });

const stringify = JSON.stringify;
const ARRAY_MARKER = '__phiArray';
const MAX_LOG_LINES = 100;
const MAX_LOG_CHARS = 1000;
const HEADER_KEYS = ['id', 'version', 'title', 'category', 'description', 'origin', 'kind'];
const COLOR_MODES = ['grayscale', 'rgb'];

/** One parameter as the engine's Parameter tab needs it (a JSON-Schema subset). */
interface ParamDef {
  type: 'number' | 'integer' | 'boolean' | 'string';
  enum?: string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  default?: unknown;
  description?: string;
  optional?: boolean;
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined)
    return String(value);
  return typeof value;
}

/** A zod-like parameter builder: each call returns a new builder (like zod, they are immutable). */
class ZParam {
  constructor(readonly def: ParamDef) {}

  private with(patch: Partial<ParamDef>): ZParam {
    return new ZParam({ ...this.def, ...patch });
  }

  private needNumber(method: string, value: unknown): number {
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw new TypeError(`.${method}() needs a finite number, got ${describeValue(value)}`);
    return value;
  }

  min(value: unknown): ZParam {
    const n = this.needNumber('min', value);
    if (this.def.type === 'string') return this.with({ minLength: n });
    if (this.def.type === 'boolean' || this.def.enum)
      throw new TypeError('.min() is for numbers and strings');
    return this.with({ minimum: n });
  }

  max(value: unknown): ZParam {
    const n = this.needNumber('max', value);
    if (this.def.type === 'string') return this.with({ maxLength: n });
    if (this.def.type === 'boolean' || this.def.enum)
      throw new TypeError('.max() is for numbers and strings');
    return this.with({ maximum: n });
  }

  gte(value: unknown): ZParam {
    return this.min(value);
  }

  lte(value: unknown): ZParam {
    return this.max(value);
  }

  nonnegative(): ZParam {
    return this.min(0);
  }

  int(): ZParam {
    if (this.def.type !== 'number' && this.def.type !== 'integer')
      throw new TypeError('.int() is for numbers');
    return this.with({ type: 'integer' });
  }

  describe(text: unknown): ZParam {
    if (typeof text !== 'string') throw new TypeError(`.describe() needs a text, got ${describeValue(text)}`);
    return this.with({ description: text });
  }

  optional(): ZParam {
    return this.with({ optional: true });
  }

  default(value: unknown): ZParam {
    const { type } = this.def;
    const ok =
      type === 'boolean'
        ? typeof value === 'boolean'
        : type === 'string'
          ? typeof value === 'string' && (!this.def.enum || this.def.enum.includes(value))
          : typeof value === 'number' &&
            Number.isFinite(value) &&
            (type !== 'integer' || Number.isInteger(value));
    if (!ok) {
      const wanted = this.def.enum
        ? `one of ${this.def.enum.map((v) => JSON.stringify(v)).join(', ')}`
        : `a ${type}`;
      throw new TypeError(`.default() needs ${wanted}, got ${describeValue(value)}`);
    }
    return this.with({ default: value });
  }
}

/** `z.object({...})`: the params of a module. */
class ZObject {
  constructor(readonly shape: Record<string, ZParam>) {}
}

/** The `z` global: the subset of zod that custom module params may use. */
const z = {
  number: () => new ZParam({ type: 'number' }),
  int: () => new ZParam({ type: 'integer' }),
  boolean: () => new ZParam({ type: 'boolean' }),
  string: () => new ZParam({ type: 'string' }),
  enum(values: unknown): ZParam {
    if (!Array.isArray(values) || values.length === 0 || !values.every((v) => typeof v === 'string'))
      throw new TypeError('z.enum() needs a list of texts, e.g. z.enum(["soft", "bone"])');
    return new ZParam({ type: 'string', enum: [...(values as string[])] });
  },
  object(shape: unknown): ZObject {
    if (!shape || typeof shape !== 'object' || Array.isArray(shape))
      throw new TypeError('z.object() needs an object of parameters, e.g. z.object({ level: z.number() })');
    const out: Record<string, ZParam> = {};
    for (const [key, value] of Object.entries(shape as Record<string, unknown>)) {
      if (!(value instanceof ZParam))
        throw new TypeError(
          `Parameter "${key}" must be z.number(), z.int(), z.boolean(), z.string() or z.enum([...]) (other zod types are not available in custom modules)`,
        );
      out[key] = value;
    }
    return new ZObject(out);
  },
};

/** What `defineModule` recorded. */
interface Declaration {
  params: Record<string, ParamDef>;
  accepts?: { colorModes?: string[] };
  produces?: { colorMode?: string };
  run: (...args: unknown[]) => unknown;
}

let declaration: Declaration | undefined;

function checkColorMode(where: string, value: unknown): string {
  if (typeof value !== 'string' || !COLOR_MODES.includes(value))
    throw new TypeError(`${where} must be "grayscale" or "rgb", got ${describeValue(value)}`);
  return value;
}

/** The `defineModule` global: records the module's params and run function. */
function defineModule(decl: unknown): { readonly customModule: true } {
  if (declaration)
    throw new Error('defineModule() is called twice: a custom module file declares one module');
  if (!decl || typeof decl !== 'object')
    throw new TypeError('defineModule() needs an object: defineModule({ params, run })');
  const d = decl as Record<string, unknown>;
  for (const key of Object.keys(d)) {
    if (!['params', 'run', 'accepts', 'produces', ...HEADER_KEYS].includes(key))
      throw new TypeError(`defineModule() does not know "${key}": use params, run, accepts or produces`);
  }
  if (typeof d.run !== 'function')
    throw new TypeError('defineModule() needs run(data, params, ctx) { ...; return data; }');
  let params: Record<string, ParamDef> = {};
  if (d.params !== undefined) {
    if (!(d.params instanceof ZObject)) throw new TypeError('params must be z.object({ ... })');
    params = Object.fromEntries(Object.entries(d.params.shape).map(([k, v]) => [k, v.def]));
  }
  const result: Declaration = { params, run: d.run as Declaration['run'] };
  if (d.accepts !== undefined) {
    const a = d.accepts as { colorModes?: unknown };
    if (!a || typeof a !== 'object')
      throw new TypeError('accepts must be an object like { colorModes: ["grayscale"] }');
    if (a.colorModes !== undefined) {
      if (!Array.isArray(a.colorModes) || a.colorModes.length === 0)
        throw new TypeError('accepts.colorModes must be a list like ["grayscale"] or ["grayscale", "rgb"]');
      result.accepts = { colorModes: a.colorModes.map((m) => checkColorMode('accepts.colorModes', m)) };
    } else result.accepts = {};
  }
  if (d.produces !== undefined) {
    const p = d.produces as { colorMode?: unknown };
    if (!p || typeof p !== 'object' || typeof p === 'function')
      throw new TypeError('produces must be an object like { colorMode: "grayscale" } in a custom module');
    result.produces =
      p.colorMode === undefined ? {} : { colorMode: checkColorMode('produces.colorMode', p.colorMode) };
  }
  declaration = result;
  return Object.freeze({ customModule: true as const });
}

// ---- console: collected per sample, handed back with the result ----------------
let logs: string[] = [];

function formatArg(value: unknown): string {
  if (typeof value === 'string') return value;
  if (ArrayBuffer.isView(value)) {
    const ctor = (value as { constructor?: { name?: string } }).constructor?.name ?? 'TypedArray';
    return `${ctor}(${(value as unknown as { length: number }).length})`;
  }
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return (
      JSON.stringify(value, (_k, v: unknown) => (ArrayBuffer.isView(v) ? `[${v.constructor.name}]` : v)) ??
      String(value)
    );
  } catch {
    return String(value);
  }
}

function log(...args: unknown[]): void {
  const line = args.map(formatArg).join(' ');
  logs.push(line.length > MAX_LOG_CHARS ? `${line.slice(0, MAX_LOG_CHARS)}...` : line);
  if (logs.length > MAX_LOG_LINES) logs.shift();
}

const sandboxConsole = { log, info: log, warn: log, error: log, debug: log };

// ---- seeded randomness: ctx.rng and Math.random give the same reproducible stream -----
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- the host's side -----------------------------------------------------------------

/** An error as plain strings, read here in the sandbox (never by the host). */
function errorInfo(error: unknown): { message: string; stack: string } {
  try {
    if (error && typeof error === 'object') {
      const e = error as { message?: unknown; stack?: unknown; name?: unknown };
      const name = typeof e.name === 'string' && e.name !== 'Error' ? `${e.name}: ` : '';
      const stack = e.stack;
      return {
        message: `${name}${String(e.message ?? error)}`,
        stack: typeof stack === 'string' ? stack : '',
      };
    }
    return { message: String(error), stack: '' };
  } catch {
    return { message: 'The module threw a value that cannot be read', stack: '' };
  }
}

/** Something thrown, as JSON text `{ message, stack }` (the host's only view of it). */
function describeThrown(error: unknown): string {
  try {
    const { message, stack } = errorInfo(error);
    return stringify({ message: String(message), stack: String(stack) });
  } catch {
    return '';
  }
}

/** Reads the declaration after the user's code ran: JSON text `{ ok, json, message }`. */
function takeDeclaration(): string {
  if (!declaration)
    return stringify({
      ok: false,
      message: 'The module never calls defineModule(): write export default defineModule({ params, run })',
    });
  const { params, accepts, produces } = declaration;
  return stringify({ ok: true, json: stringify({ params, accepts, produces }) });
}

/**
 * Runs the user's `run` on one sample. Returns `[reply, ...arrays]`: `reply` is
 * JSON text `{ ok, json?, message?, stack?, logs }` (the sample as JSON with
 * `{ __phiArray: i }` markers), `arrays` the typed arrays the markers point at.
 */
function runSample(
  sampleJson: string,
  paramsJson: string,
  seed: number,
  nodeId: string,
  split: string,
  ...arrays: unknown[]
): unknown[] {
  logs = [];
  const fail = (message: string, stack = '') => [stringify({ ok: false, message, stack, logs })];
  const run = declaration?.run;
  if (!run) return fail('The module has no run function');
  const sample: unknown = JSON.parse(sampleJson, (_key, value: unknown) =>
    value && typeof value === 'object' && ARRAY_MARKER in value
      ? arrays[(value as Record<string, number>)[ARRAY_MARKER]]
      : value,
  );
  const params: unknown = JSON.parse(paramsJson);
  const rng = mulberry32(seed);
  Math.random = rng;
  const ctx = Object.freeze({ nodeId, split: split || undefined, rng });
  let result: unknown;
  try {
    result = run(sample, params, ctx);
  } catch (error) {
    const info = errorInfo(error);
    return fail(info.message, info.stack);
  }
  if (result === null) return [stringify({ ok: true, json: 'null', logs })];
  if (result === undefined)
    return fail('run() returned nothing: end it with `return data;` (or `return null;` to drop the sample)');
  try {
    if (typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function')
      return fail(
        'run() returned a Promise: custom modules run synchronously (remove `async`); nothing in the sandbox needs awaiting',
      );
    const out: unknown[] = [];
    const json = stringify(result, (_key, value: unknown) => {
      if (ArrayBuffer.isView(value)) return { [ARRAY_MARKER]: out.push(value) - 1 };
      return value;
    });
    return [stringify({ ok: true, json, logs }), ...out];
  } catch (error) {
    return fail(`The returned sample cannot be read: ${errorInfo(error).message}`);
  }
}

const sandboxGlobal = globalThis as unknown as Record<string, unknown>;
sandboxGlobal.defineModule = defineModule;
sandboxGlobal.z = z;
sandboxGlobal.console = sandboxConsole;
// Taken (and deleted) by the host before the user's code runs.
sandboxGlobal.__phiHost = { takeDeclaration, runSample, describeThrown };
