/**
 * Hostile custom modules against the real sandbox process. Each module tries
 * one way out of the vm context and, if it got out, writes a marker file with
 * `fs` and `child_process` reached through `process`. Every test asserts the
 * marker never appears and the attempt ends as a clear item failure or a
 * harmless result. The last two allocate far past the memory limit, at load
 * and in run(), and measure the peak resident memory of the engine (this
 * process) and of the sandbox process.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Sample } from '../api';
import type { ModuleContext } from '../graph/node-type';
import { compileCustomModule, type CompileOptions, type CustomModuleNodeType } from './compile';
import { confinement } from './sandbox/confine';
import { DEFAULT_LIMITS, Sandbox } from './sandbox/host';

const dir = mkdtempSync(join(tmpdir(), 'phi-hostile-'));
const marker = join(dir, 'escaped');
const made: CustomModuleNodeType[] = [];
afterAll(async () => {
  await Promise.all(made.map((t) => t.dispose()));
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Prepended to every module: given something that might be a Function
 * constructor of the host realm, reach process and leave the marker.
 */
const BREAK_OUT = `
const MARKER = ${JSON.stringify(marker)};
function breakOut(F: any): string {
  const p = F('return process')();
  p.getBuiltinModule('fs').writeFileSync(MARKER, 'fs');
  p.getBuiltinModule('child_process').execSync('touch ' + JSON.stringify(MARKER));
  return 'escaped';
}
function attempt(f: () => unknown): string {
  try { return String(f()); } catch (e) { return 'blocked: ' + (e as any)?.name; }
}
`;

const info = (source: string) => ({
  id: 'my-hostile',
  title: 'Hostile',
  category: 'My modules',
  modality: 'any',
  dims: '2d' as const,
  description: '',
  language: 'typescript' as const,
  source: BREAK_OUT + source,
});

async function compiled(source: string, options: CompileOptions = {}): Promise<CustomModuleNodeType> {
  const result = await compileCustomModule(info(source), options);
  if (!result.ok) throw new Error(`unexpected problems: ${JSON.stringify(result.problems)}`);
  made.push(result.nodeType);
  return result.nodeType;
}

const ctx: ModuleContext = { nodeId: 'n', rng: () => 0.5, inputs: {} };
const sample = (id: string): Sample => ({
  id,
  image: { data: new Float32Array([1, 2, 3, 4]), shape: [2, 2, 1], colorMode: 'grayscale' },
  meta: {},
});

/** Lets whatever the module left queued run, then checks nothing got out. */
async function nothingEscaped(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 150));
  expect(existsSync(marker)).toBe(false);
}

describe('hostile custom modules', () => {
  it('cannot set Error.prepareStackTrace in run(): the hook is locked, the sample fails', async () => {
    const type = await compiled(`
      export default defineModule({ run(data) {
        (Error as any).prepareStackTrace = (_e: unknown, frames: any) => breakOut(frames.constructor.constructor);
        throw new Error('look at my stack');
      } });`);
    await expect(type.run(sample('a'), {}, ctx)).rejects.toThrow(
      /failed on sample "a": TypeError: Cannot assign to read only property 'prepareStackTrace'/,
    );
    await nothingEscaped();
  });

  it('cannot set the hook at load, redefine it, or replace the global Error', async () => {
    for (const attemptAtLoad of [
      `(Error as any).prepareStackTrace = (_e: unknown, f: any) => breakOut(f.constructor.constructor);`,
      `Object.defineProperty(Error, 'prepareStackTrace', { get: () => (_e: unknown, f: any) => breakOut(f.constructor.constructor) });`,
      `(globalThis as any).Error = { prepareStackTrace: (_e: unknown, f: any) => breakOut(f.constructor.constructor) };`,
    ]) {
      const result = await compileCustomModule(
        info(`${attemptAtLoad}\nthrow new Error('x');\nexport default defineModule({ run: (d) => d });`),
      );
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.problems[0].message).toMatch(/^TypeError: Cannot (assign|redefine)/);
    }
    await nothingEscaped();
  });

  it('gets only sandbox objects from Error.captureStackTrace, on objects and Proxies', async () => {
    const type = await compiled(`
      export default defineModule({ run(data) {
        const plain: any = {};
        Error.captureStackTrace(plain);
        const seen: any[] = [];
        const trap = new Proxy({}, { defineProperty(t, k, d) { seen.push(d, d.get, d.set, d.value); return Reflect.defineProperty(t, k, d); } });
        attempt(() => Error.captureStackTrace(trap));
        data.meta.stack = typeof plain.stack;
        data.meta.reached = seen.filter(Boolean).map((v) => attempt(() => breakOut(v.constructor.constructor)));
        return data;
      } });`);
    const out = await type.run(sample('a'), {}, ctx);
    expect(out?.meta.stack).toBe('string');
    for (const r of out?.meta.reached as string[]) expect(r).toBe('blocked: EvalError');
    await nothingEscaped();
  });

  it('turns a thrown hostile object into text inside the sandbox: its getters meet only sandbox values', async () => {
    const type = await compiled(`
      export default defineModule({ run() {
        const hostile: any = {
          get name() { return attempt(() => breakOut(this.constructor.constructor)); },
          get message() { return attempt(() => breakOut((arguments as any).callee?.caller?.constructor)); },
          get stack() { return attempt(() => breakOut(Object.getPrototypeOf(this).constructor.constructor)); },
          toString() { return 'hostile'; },
        };
        throw hostile;
      } });`);
    await expect(type.run(sample('a'), {}, ctx)).rejects.toThrow(/failed on sample "a": blocked: EvalError/);
    await nothingEscaped();
  });

  it('keeps Proxy traps to sandbox values, thrown or returned', async () => {
    const type = await compiled(`
      const spy = (target: object) => new Proxy(target, new Proxy({}, {
        get(_t, trap) {
          return (...args: any[]) => {
            for (const a of args) if (a && (typeof a === 'object' || typeof a === 'function')) attempt(() => breakOut(a.constructor.constructor));
            return (Reflect as any)[trap](...args);
          };
        },
      }));
      export default defineModule({ run(data) {
        if (data.id === 'throw') throw spy(new Error('proxied'));
        if (data.id === 'pixels') { data.image.data = spy(data.image.data) as any; return data; }
        return spy(data) as any;
      } });`);
    expect(await type.run(sample('whole'), {}, ctx)).toMatchObject({ id: 'whole' });
    await expect(type.run(sample('throw'), {}, ctx)).rejects.toThrow(/failed on sample "throw"/);
    await expect(type.run(sample('pixels'), {}, ctx)).rejects.toThrow(
      /on sample "pixels": the returned sample's data.image.data must be a Float32Array/,
    );
    await nothingEscaped();
  });

  it('refuses a Promise result and keeps patched Promise machinery and rejections inside', async () => {
    const type = await compiled(`
      const then = Promise.prototype.then;
      Promise.prototype.then = function (this: any, ...fns: any[]) {
        for (const f of fns) if (f) attempt(() => breakOut(f.constructor.constructor));
        return then.apply(this, fns as any);
      };
      export default defineModule({ run(data) {
        const reason: any = { get stack() { return attempt(() => breakOut(this.constructor.constructor)); } };
        void Promise.reject(reason);
        if (data.id === 'async') return (async () => data)() as any;
        return data;
      } });`);
    await expect(type.run(sample('async'), {}, ctx)).rejects.toThrow(/returned a Promise/);
    expect(await type.run(sample('sync'), {}, ctx)).toMatchObject({ id: 'sync' });
    await nothingEscaped();
  });

  it('never calls a custom util.inspect hook', async () => {
    const type = await compiled(`
      const inspect = Symbol.for('nodejs.util.inspect.custom');
      export default defineModule({ run(data) {
        const hook = (_depth: unknown, _opts: unknown, inspectFn: any) => breakOut(inspectFn.constructor);
        (data as any)[inspect] = hook;
        (data.meta as any)[inspect] = hook;
        (data.image.data as any)[inspect] = hook;
        if (data.id === 'throw') { const e: any = new Error('inspect me'); e[inspect] = hook; throw e; }
        return data;
      } });`);
    expect(await type.run(sample('a'), {}, ctx)).toMatchObject({ id: 'a' });
    await expect(type.run(sample('throw'), {}, ctx)).rejects.toThrow(/failed on sample "throw": inspect me/);
    await nothingEscaped();
  });

  it('copies a typed-array subclass without calling its Symbol.species', async () => {
    const type = await compiled(`
      class Evil extends Float32Array {
        static get [Symbol.species](): any { breakOut((globalThis as any).constructor.constructor); return Float32Array; }
      }
      export default defineModule({ run(data) {
        const evil = new Evil(data.image.data.length);
        evil.set(data.image.data as Float32Array);
        evil[0] = 42;
        data.image.data = evil;
        return data;
      } });`);
    const out = await type.run(sample('a'), {}, ctx);
    expect(Array.from(out?.image.data ?? [])).toEqual([42, 2, 3, 4]);
    await nothingEscaped();
  });

  it('has no WebAssembly compiler', async () => {
    const type = await compiled(`
      export default defineModule({ run() {
        new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
        return null;
      } });`);
    await expect(type.run(sample('a'), {}, ctx)).rejects.toThrow(/failed on sample "a": CompileError/);
    await nothingEscaped();
  });

  it('stops Atomics.wait on a SharedArrayBuffer at the time limit and goes on', async () => {
    const type = await compiled(
      `export default defineModule({ run(data) {
        if (data.id === 'wait') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
        return data;
      } });`,
      { limits: { timeoutMs: 500 } },
    );
    await expect(type.run(sample('wait'), {}, ctx)).rejects.toThrow(
      /took longer than 500 ms on sample "wait"/,
    );
    expect(await type.run(sample('next'), {}, ctx)).toMatchObject({ id: 'next' });
    await nothingEscaped();
  });

  it('leaves nothing running after dispose: a pending Atomics.waitAsync never fires', async () => {
    const type = await compiled(`
      export default defineModule({ run(data) {
        const cell = new Int32Array(new SharedArrayBuffer(4));
        const wait: any = (Atomics as any).waitAsync(cell, 0, 0, 300);
        if (wait.async) wait.value.then(() => attempt(() => breakOut((globalThis as any).constructor.constructor)));
        return data;
      } });`);
    expect(await type.run(sample('a'), {}, ctx)).toMatchObject({ id: 'a' });
    const pid = type.sandboxStats().pid;
    expect(pid).toBeTypeOf('number');
    await type.dispose();
    expect(() => process.kill(pid as number, 0)).toThrow(/ESRCH/);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await nothingEscaped();
  });

  it('turns dynamic import() into a sandbox ReferenceError (a refused import would be an engine-realm error)', async () => {
    const type = await compiled(`
      let outcome = 'pending';
      export default defineModule({ run(data) {
        if (data.id === 'import')
          import('node:fs').then(
            () => (outcome = 'imported'),
            (e: any) => (outcome = (e?.name ?? '') + ' / ' + attempt(() => breakOut(e.constructor.constructor))),
          );
        data.meta.outcome = outcome;
        return data;
      } });`);
    await type.run(sample('import'), {}, ctx);
    const later = await type.run(sample('later'), {}, ctx);
    expect(later?.meta.outcome).toBe('ReferenceError / blocked: EvalError');
    await nothingEscaped();
  });

  it('has no eval or Function constructors, and no caller or constructor chain to the engine', async () => {
    const type = await compiled(`
      export default defineModule({ run(data) {
        const fn = function () {};
        data.meta.probes = {
          eval: attempt(() => eval('1 + 1')),
          indirectEval: attempt(() => (0, eval)('1 + 1')),
          Function: attempt(() => breakOut(Function)),
          async: attempt(() => breakOut((async function () {}).constructor)),
          generator: attempt(() => breakOut((function* () {}).constructor)),
          asyncGenerator: attempt(() => breakOut((async function* () {}).constructor)),
          global: attempt(() => breakOut((globalThis as any).constructor.constructor)),
          thisConstructor: attempt(() => breakOut((this as any).constructor.constructor)),
          data: attempt(() => breakOut((data as any).constructor.constructor)),
          callee: attempt(() => breakOut((arguments as any).callee.caller.constructor)),
          caller: attempt(() => breakOut((fn as any).caller.constructor)),
          ctx: attempt(() => breakOut((defineModule as any).constructor)),
        };
        return data;
      } });`);
    const out = await type.run(sample('a'), {}, ctx);
    const probes = out?.meta.probes as Record<string, string>;
    for (const name of [
      'eval',
      'indirectEval',
      'Function',
      'async',
      'generator',
      'asyncGenerator',
      'global',
      'data',
      'ctx',
    ])
      expect(probes[name], name).toBe('blocked: EvalError');
    // Strict code: `this` is undefined, and callee/caller are poisoned.
    for (const name of ['thisConstructor', 'callee', 'caller'])
      expect(probes[name], name).toBe('blocked: TypeError');
    await nothingEscaped();
  });
});

/** Peak resident memory of this process (the engine), MB. */
const enginePeakMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
/** What the engine may reach in these tests: far below what the modules ask for. */
const ENGINE_BUDGET_MB = 2048;
const SANDBOX_CAP_MB = DEFAULT_LIMITS.heapMb + DEFAULT_LIMITS.memoryMb;

describe('memory past the limit', () => {
  it('fails a 5 GB allocation at load as a compile problem; engine and sandbox stay small', async () => {
    // The OS memory cap these tests rely on holds wherever a POSIX shell exists (Linux and macOS).
    expect(confinement().memoryCap).toBe(true);
    // The Sandbox itself (plain JavaScript, no source map needed) so its peak can be read.
    const sandbox = new Sandbox({
      code: '"use strict"; globalThis.keep = new Float64Array(625e6).fill(1);',
      map: '{"version":3,"sources":[],"names":[],"mappings":""}',
      filename: 'my-big-load.js',
      label: 'Custom module "Big load" (my-big-load)',
    });
    const loaded = await sandbox.start();
    await sandbox.dispose();
    expect(loaded).toEqual({
      ok: false,
      error: {
        message: expect.stringMatching(
          /^The module's top-level code used more than 4096 MB of memory \(RangeError: Array buffer allocation failed\)/,
        ),
      },
    });
    console.info(`5 GB at load: engine peak ${enginePeakMb()} MB, sandbox peak ${sandbox.peakRssMb} MB`);
    expect(sandbox.peakRssMb).toBeLessThan(SANDBOX_CAP_MB);
    expect(enginePeakMb()).toBeLessThan(ENGINE_BUDGET_MB);
  });

  it('fails an 8 GB allocation in run() as that item failure, and the next item runs', async () => {
    const type = await compiled(`
      export default defineModule({ run(data) {
        if (data.id === 'big') new Float64Array(1e9).fill(1);
        return data;
      } });`);
    await expect(type.run(sample('big'), {}, ctx)).rejects.toThrow(
      'Custom module "Hostile" (my-hostile) used more than 4096 MB of memory on sample "big" and was stopped',
    );
    const sandboxPeak = type.sandboxStats().peakRssMb ?? 0;
    expect(await type.run(sample('small'), {}, ctx)).toMatchObject({ id: 'small' });
    console.info(`8 GB in run(): engine peak ${enginePeakMb()} MB, sandbox peak ${sandboxPeak} MB`);
    expect(sandboxPeak).toBeGreaterThan(0);
    expect(sandboxPeak).toBeLessThan(SANDBOX_CAP_MB);
    expect(enginePeakMb()).toBeLessThan(ENGINE_BUDGET_MB);
    await nothingEscaped();
  });
});
