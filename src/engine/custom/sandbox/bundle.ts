/**
 * Builds the two scripts of the sandbox from their TypeScript sources with
 * esbuild, once per process: the worker (CommonJS, started with
 * `new Worker(code, { eval: true })`, which works alike under tsx, vitest and a
 * bundled app) and the prelude (an IIFE evaluated inside the vm context).
 */
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The sandbox's scripts as JavaScript text. */
export interface SandboxSources {
  worker: string;
  prelude: string;
}

let cached: Promise<SandboxSources> | undefined;

async function bundle(entry: string, format: 'cjs' | 'iife'): Promise<string> {
  const result = await build({
    entryPoints: [join(dirname(fileURLToPath(import.meta.url)), entry)],
    bundle: true,
    write: false,
    format,
    platform: format === 'cjs' ? 'node' : 'neutral',
    target: 'node20',
    // Strict mode in the worker: a sloppy host function would expose itself through `fn.caller`.
    banner: { js: '"use strict";' },
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

/** The worker and prelude scripts, built on first use. */
export function sandboxSources(): Promise<SandboxSources> {
  cached ??= Promise.all([bundle('worker-entry.ts', 'cjs'), bundle('prelude.ts', 'iife')]).then(
    ([worker, prelude]) => ({ worker, prelude }),
    (error: unknown) => {
      cached = undefined;
      throw error;
    },
  );
  return cached;
}
