import { afterAll, describe, expect, it } from 'vitest';
import type { Sample } from '../api';
import type { ModuleContext } from '../graph/node-type';
import { compileCustomModule, type CompileOptions, type CustomModuleNodeType } from './compile';

const made: CustomModuleNodeType[] = [];
afterAll(async () => {
  await Promise.all(made.map((t) => t.dispose()));
});

async function compiled(source: string, options: CompileOptions = {}): Promise<CustomModuleNodeType> {
  const result = await compileCustomModule(
    {
      id: 'my-sandboxed',
      title: 'Sandboxed',
      category: 'My modules',
      modality: 'any',
      dims: '2d',
      description: '',
      language: 'typescript',
      source,
    },
    options,
  );
  if (!result.ok) throw new Error(`unexpected problems: ${JSON.stringify(result.problems)}`);
  made.push(result.nodeType);
  return result.nodeType;
}

const ctx: ModuleContext = { nodeId: 'n', rng: () => 0.5, inputs: {} };

function sample(id: string, value = 1): Sample {
  return {
    id,
    image: { data: new Float32Array(4).fill(value), shape: [2, 2, 1], colorMode: 'grayscale' },
    meta: {},
  };
}

describe('the custom module sandbox', () => {
  it('has no require, process, timers, network, eval or WebAssembly, and no way back to the engine realm', async () => {
    const type = await compiled(`
      export default defineModule({
        run(data, params, ctx) {
          const probes: Record<string, string> = {};
          const probe = (name: string, f: () => unknown) => {
            try { probes[name] = String(f()); } catch (e) { probes[name] = 'threw ' + (e as Error).name; }
          };
          const g = globalThis as any;
          for (const name of ['require', 'process', 'module', 'Buffer', 'setTimeout', 'setInterval', 'setImmediate',
                              'queueMicrotask', 'fetch', 'WebSocket', 'XMLHttpRequest', 'structuredClone']) {
            probe(name, () => typeof g[name]);
          }
          // Every object the module gets must lead only to the sandbox's own Function, which cannot compile
          // strings (EvalError). An object of the engine's realm would lead to a Function that can, and to process.
          const esc = "return typeof process === 'undefined' ? 'no process' : process.pid";
          probe('global', () => g.constructor.constructor(esc)());
          probe('data', () => (data as any).constructor.constructor(esc)());
          probe('image array', () => (data.image.data as any).constructor.constructor(esc)());
          probe('array buffer', () => (data.image.data.buffer as any).constructor.constructor(esc)());
          probe('shape', () => (data.image.shape as any).constructor.constructor(esc)());
          probe('meta', () => (data.meta as any).constructor.constructor(esc)());
          probe('params', () => (params as any).constructor.constructor(esc)());
          probe('rng', () => (ctx.rng as any).constructor(esc)());
          probe('defineModule', () => (defineModule as any).constructor(esc)());
          probe('prototype of global', () => Object.getPrototypeOf(globalThis)?.constructor?.constructor(esc)());
          probe('eval', () => eval('1 + 1'));
          probe('wasm', () => new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])));
          probe('stack frames', () => {
            // Stack frames would be made by whichever realm reads a stack: the hook that
            // receives them is locked (a TypeError here), so no frame reaches the module.
            const E = Error as any;
            let seen: any[] = [];
            E.prepareStackTrace = (_e: unknown, frames: any[]) => {
              seen = frames.flatMap((f) => [f.getThis(), f.getFunction()]);
              return '';
            };
            void new Error('x').stack;
            E.prepareStackTrace = undefined;
            const reached = seen
              .filter((v) => v !== undefined && v !== null)
              .map((v) => {
                try {
                  return String(v.constructor.constructor(esc)());
                } catch (e) {
                  return (e as Error).name;
                }
              });
            return reached.every((r) => r === 'EvalError') ? 'only sandbox objects' : reached.join();
          });
          data.meta.probes = probes;
          return data;
        },
      });
    `);
    const out = await type.run({ ...sample('probe'), meta: { x: 1 } }, {}, ctx);
    const probes = out?.meta.probes as Record<string, string>;
    for (const name of [
      'require',
      'process',
      'module',
      'Buffer',
      'setTimeout',
      'setInterval',
      'setImmediate',
      'queueMicrotask',
      'fetch',
      'WebSocket',
      'XMLHttpRequest',
      'structuredClone',
    ])
      expect(probes[name], name).toBe('undefined');
    for (const name of [
      'global',
      'data',
      'image array',
      'array buffer',
      'shape',
      'meta',
      'params',
      'rng',
      'defineModule',
      'prototype of global',
      'eval',
    ])
      expect(probes[name], name).toBe('threw EvalError');
    expect(probes.wasm).toMatch(/^threw (CompileError|EvalError)/);
    expect(probes['stack frames']).toBe('threw TypeError');
  });

  it('reports require("fs") and process.exit() as unavailable, and the worker survives them', async () => {
    const type = await compiled(`
      export default defineModule({
        run(data) {
          if (data.id === 'fs') (0, eval)('0');
          if (data.id === 'require') (globalThis as any).require('fs').writeFileSync('/tmp/phi-escape', 'x');
          if (data.id === 'exit') (globalThis as any).process.exit(1);
          if (data.id === 'import') import('node:fs').then((fs) => fs.writeFileSync('/tmp/phi-escape', 'x'));
          return data;
        },
      });
    `);
    await expect(type.run(sample('require'), {}, ctx)).rejects.toThrow(
      /on sample "require": TypeError: .*require is not a function/,
    );
    await expect(type.run(sample('exit'), {}, ctx)).rejects.toThrow(
      /on sample "exit": TypeError: Cannot read properties of undefined \(reading 'exit'\)/,
    );
    const plainRequire = await compiled(
      "export default defineModule({ run(data) { require('fs'); return data; } });",
    );
    await expect(plainRequire.run(sample('a'), {}, ctx)).rejects.toThrow(
      /ReferenceError: require is not defined: custom modules cannot import modules or reach the system/,
    );
    const plainExit = await compiled(
      'export default defineModule({ run(data) { process.exit(3); return data; } });',
    );
    await expect(plainExit.run(sample('a'), {}, ctx)).rejects.toThrow(
      /ReferenceError: process is not defined/,
    );
    // A refused dynamic import leaves a rejected promise behind; the sample and the worker are fine.
    const started = type.sandboxStats().workersStarted;
    expect(await type.run(sample('import'), {}, ctx)).toMatchObject({ id: 'import' });
    expect(await type.run(sample('after'), {}, ctx)).toMatchObject({ id: 'after' });
    expect(type.sandboxStats().workersStarted).toBe(started);
  });

  it('stops an endless loop at the time limit with a clear error, and replaces the worker', async () => {
    const type = await compiled(
      "export default defineModule({ run(data) { if (data.id === 'stuck') { for (;;) {} } data.image.data[0] = 7; return data; } });",
      { limits: { timeoutMs: 300 } },
    );
    expect(await type.run(sample('fine'), {}, ctx)).toMatchObject({ id: 'fine' });
    const first = type.sandboxStats();
    expect(first.workersStarted).toBe(1);
    await expect(type.run(sample('stuck'), {}, ctx)).rejects.toThrow(
      'Custom module "Sandboxed" (my-sandboxed) took longer than 300 ms on sample "stuck" and was stopped (an endless loop?); it restarts for the next sample',
    );
    const next = await type.run(sample('next'), {}, ctx);
    expect(next?.image.data[0]).toBe(7);
    const second = type.sandboxStats();
    expect(second.workersStarted).toBe(2);
    expect(second.pid).not.toBe(first.pid);
  });

  it('refuses a module whose top-level code loops forever', async () => {
    const result = await compileCustomModule(
      {
        id: 'my-loop',
        title: 'Loop',
        category: 'My modules',
        modality: 'any',
        dims: '2d',
        description: '',
        language: 'typescript',
        source: 'while (true) {}\nexport default defineModule({ run(d) { return d; } });',
      },
      { limits: { loadTimeoutMs: 200 } },
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0].message).toMatch(/top-level code ran longer than 0.2 s/);
  });

  it('contains a JavaScript heap blow-up and goes on with the next sample', async () => {
    const type = await compiled(
      "export default defineModule({ run(data) { if (data.id === 'greedy') { const keep: number[][] = []; for (;;) keep.push(new Array(1e6).fill(1.5)); } return data; } });",
      { limits: { heapMb: 64 } },
    );
    await expect(type.run(sample('greedy'), {}, ctx)).rejects.toThrow(
      /Custom module "Sandboxed" \(my-sandboxed\) ran out of memory \(more than 64 MB of JavaScript heap\) on sample "greedy" and was stopped/,
    );
    expect(await type.run(sample('modest'), {}, ctx)).toMatchObject({ id: 'modest' });
  });

  it('contains a typed-array blow-up (memory outside the heap) and goes on with the next sample', async () => {
    const type = await compiled(
      "export default defineModule({ run(data) { if (data.id === 'greedy') { const keep: Float64Array[] = []; for (;;) { const f = new Float64Array(4e6); f.fill(1); keep.push(f); } } return data; } });",
      { limits: { memoryMb: 200 } },
    );
    await expect(type.run(sample('greedy'), {}, ctx)).rejects.toThrow(
      'Custom module "Sandboxed" (my-sandboxed) used more than 200 MB of memory on sample "greedy" and was stopped',
    );
    expect(await type.run(sample('modest'), {}, ctx)).toMatchObject({ id: 'modest' });
  });

  it('stops an idle worker to free its memory and starts a new one for the next sample', async () => {
    const type = await compiled('export default defineModule({ run(data) { return data; } });', {
      limits: { idleMs: 150 },
    });
    expect(await type.run(sample('a'), {}, ctx)).toMatchObject({ id: 'a' });
    expect(type.sandboxStats()).toMatchObject({ workersStarted: 1, pid: expect.any(Number) });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(type.sandboxStats().pid).toBeUndefined();
    expect(await type.run(sample('b'), {}, ctx)).toMatchObject({ id: 'b' });
    expect(type.sandboxStats().workersStarted).toBe(2);
  });

  it('stops its worker on dispose; later runs fail clearly', async () => {
    const type = await compiled('export default defineModule({ run(data) { return data; } });');
    expect(await type.run(sample('a'), {}, ctx)).toMatchObject({ id: 'a' });
    expect(type.sandboxStats().pid).toBeTypeOf('number');
    await type.dispose();
    expect(type.sandboxStats().pid).toBeUndefined();
    await expect(type.run(sample('b'), {}, ctx)).rejects.toThrow(
      /Sandboxed" \(my-sandboxed\) has been removed/,
    );
  });
});
