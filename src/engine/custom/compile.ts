/**
 * `compileCustomModule`: a user's TypeScript source -> a module node type whose
 * `run` goes through the module's sandbox. esbuild transpiles (syntax errors
 * come back with the user's line and column), the sandbox evaluates the code
 * once to read what `defineModule({...})` declared, and the engine rebuilds
 * the params as a real zod object from that declaration.
 */
import { transform, type Message, type TransformFailure } from 'esbuild';
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { SourceProblem } from '../api';
import { CustomModuleInfoSchema, type CustomModuleInfo } from '../api/requests';
import type { AnyNodeType, ModuleNodeType } from '../graph/node-type';
import { DeclarationSchema, paramsSchema, type Declaration } from './declaration';
import { compilePythonModule } from './python/compile';
import { decodeValue, encodeSample } from './sample-codec';
import { DEFAULT_LIMITS, Sandbox } from './sandbox/host';
import type { SandboxLimits } from './sandbox/protocol';
import { descriptorOf, moduleLabel, returnedSample, sampleFailure } from './node-type-parts';

/**
 * Globals the user's code gets as function parameters. In a vm context every
 * global lookup goes through the context's interceptor: `Math.min` in a pixel
 * loop ran about 50 times slower than in the engine (bench/custom-modules.ts);
 * as local bindings they run at full speed.
 */
const FAST_GLOBALS = [
  'globalThis',
  'Math',
  'JSON',
  'Object',
  'Array',
  'Number',
  'String',
  'Boolean',
  'Symbol',
  'BigInt',
  'Date',
  'RegExp',
  'Map',
  'Set',
  'WeakMap',
  'WeakSet',
  'Promise',
  'Reflect',
  'Proxy',
  'Error',
  'TypeError',
  'RangeError',
  'ArrayBuffer',
  'DataView',
  'Float32Array',
  'Float64Array',
  'Int8Array',
  'Int16Array',
  'Int32Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Uint16Array',
  'Uint32Array',
  'isFinite',
  'isNaN',
  'parseFloat',
  'parseInt',
  'Infinity',
  'NaN',
  'console',
  'defineModule',
  'z',
].join(', ');

/** A custom module's node type: a module node type that owns a sandbox process (or a Python process). */
export interface CustomModuleNodeType extends ModuleNodeType {
  origin: 'my';
  /** SHA-256 of the source (hex): the key of the user's trust list. */
  sourceHash: string;
  /** Stops the module's sandbox or Python process; call it when the registry drops or replaces the type. */
  dispose(): Promise<void>;
  /**
   * Sandbox processes (Python: interpreter processes) started so far, the running one's pid and
   * (TypeScript) its peak resident memory as last reported (diagnostics, tests).
   */
  sandboxStats(): { workersStarted: number; pid?: number; peakRssMb?: number };
}

/** Options of {@link compileCustomModule}. */
export interface CompileOptions {
  /** The saved version (part of cache keys); 1 when absent. */
  version?: number;
  /** Sandbox limits; the defaults suit the desktop app. */
  limits?: Partial<SandboxLimits>;
  /**
   * Receives what the module printed (console.log; Python: print and stderr) for
   * each sample, with the node it ran for ('' for Python output while loading).
   */
  onLog?: (sampleId: string, lines: string[], nodeId: string) => void;
}

/** The compile result: a node type, or the problems to show in the editor. */
export type CompileResult =
  { ok: true; nodeType: CustomModuleNodeType } | { ok: false; problems: SourceProblem[] };

/** SHA-256 of a module's source, hex (the same digest the project store reports). */
export function sourceHashOf(source: string): string {
  return createHash('sha256').update(source).digest('hex');
}

/** True for node types made by {@link compileCustomModule}. */
export function isCustomModuleNodeType(type: AnyNodeType | undefined): type is CustomModuleNodeType {
  return !!type && type.kind === 'module' && type.origin === 'my' && 'dispose' in type;
}

/** Stops a custom module's process; does nothing for other node types. */
export async function disposeNodeType(type: AnyNodeType | undefined): Promise<void> {
  if (isCustomModuleNodeType(type)) await type.dispose();
}

function problemsOf(messages: Message[]): SourceProblem[] {
  return messages.map((m) => ({
    line: m.location?.line ?? 0,
    column: m.location ? m.location.column + 1 : 0,
    message: m.text,
  }));
}

/**
 * Compiles and loads a custom module. Problems carry 1-based lines and columns
 * of `info.source`; line 0 means the problem is not at a place in the source
 * (the module info, or a declaration read as a whole).
 */
export async function compileCustomModule(
  info: CustomModuleInfo,
  options: CompileOptions = {},
): Promise<CompileResult> {
  const parsedInfo = CustomModuleInfoSchema.safeParse(info);
  if (!parsedInfo.success)
    return {
      ok: false,
      problems: parsedInfo.error.issues.map((i) => ({
        line: 0,
        column: 0,
        message: `${i.path.join('.')}: ${i.message}`,
      })),
    };
  const module = parsedInfo.data;
  if (module.language === 'python') return compilePythonModule(module, sourceHashOf(module.source), options);
  const filename = `${module.id}.ts`;
  let code: string;
  let map: string;
  try {
    const out = await transform(module.source, {
      loader: 'ts',
      format: 'iife',
      target: 'es2022',
      sourcemap: 'external',
      sourcefile: filename,
      // import() would reject with an error object of the host's realm: turn it into
      // require(), which is not defined in the sandbox.
      supported: { 'dynamic-import': false },
      // The user writes an ES module, which is strict; the IIFE esbuild makes of it would not be.
      banner: `"use strict"; (function (${FAST_GLOBALS}) {`,
      footer: `})(${FAST_GLOBALS});`,
      logLevel: 'silent',
    });
    code = out.code;
    map = out.map;
  } catch (error) {
    const failure = error as TransformFailure;
    if (Array.isArray(failure.errors)) return { ok: false, problems: problemsOf(failure.errors) };
    throw error;
  }
  const limits: SandboxLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const label = moduleLabel(module);
  const sandbox = new Sandbox({ code, map, filename, label }, limits);
  const loaded = await sandbox.start();
  if (!loaded.ok) {
    await sandbox.dispose();
    const { message, line, column } = loaded.error;
    return { ok: false, problems: [{ line: line ?? 0, column: column ?? 0, message }] };
  }
  let declaration: Declaration;
  let params: z.ZodObject;
  try {
    const parsed = DeclarationSchema.safeParse(JSON.parse(loaded.declaration));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`defineModule(): ${issue.path.join('.')} ${issue.message}`);
    }
    declaration = parsed.data;
    params = paramsSchema(declaration);
  } catch (error) {
    await sandbox.dispose();
    return { ok: false, problems: [{ line: 0, column: 0, message: (error as Error).message }] };
  }
  const nodeType: CustomModuleNodeType = {
    ...descriptorOf(module, declaration, params, options.version ?? 1, sourceHashOf(module.source)),
    async run(sample, values, ctx) {
      const encoded = encodeSample(sample);
      const reply = await sandbox.run({
        sampleId: sample.id,
        sample: encoded.json,
        arrays: encoded.arrays,
        params: JSON.stringify(values),
        // From the run's seeded stream, so a module's randomness is reproducible per sample.
        seed: Math.floor(ctx.rng() * 0x1_0000_0000),
        nodeId: ctx.nodeId,
        split: ctx.split,
      });
      if (reply.logs.length > 0) options.onLog?.(sample.id, reply.logs, ctx.nodeId);
      if (reply.type === 'run-failed') throw sampleFailure(label, sample.id, reply.error);
      const returned = reply.sample;
      if (returned === null) return null;
      return returnedSample(label, sample, () => decodeValue(returned, reply.arrays));
    },
    dispose: () => sandbox.dispose(),
    sandboxStats: () => ({
      workersStarted: sandbox.workersStarted,
      pid: sandbox.pid,
      peakRssMb: sandbox.peakRssMb,
    }),
  };
  return { ok: true, nodeType };
}
