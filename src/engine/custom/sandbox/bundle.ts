/**
 * The two scripts of the sandbox: the worker (CommonJS, started with
 * `new Worker(code, { eval: true })`) and the prelude (an IIFE evaluated
 * inside the vm context). Prebuilt by `npm run build` into the engine bundle's
 * `workers/` folder (workers/prebuilt.ts), else bundled from their TypeScript
 * sources with esbuild once per process (tsx, vitest).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadOnce, missingScript, prebuiltDir, readPrebuilt } from '../../workers/prebuilt';

/** The sandbox's scripts as JavaScript text. */
export interface SandboxSources {
  worker: string;
  prelude: string;
}

/** File names of the prebuilt scripts. */
export const SANDBOX_WORKER_FILE = 'sandbox-worker.cjs';
export const SANDBOX_PRELUDE_FILE = 'sandbox-prelude.js';

async function bundle(entry: string, format: 'cjs' | 'iife'): Promise<string> {
  // Loaded on demand: a packaged app runs the prebuilt scripts.
  const { build } = await import('esbuild');
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

/** Bundles the worker and the prelude from source (what the build step writes). */
export async function buildSandboxScripts(): Promise<SandboxSources> {
  const [worker, prelude] = await Promise.all([
    bundle('worker-entry.ts', 'cjs'),
    bundle('prelude.ts', 'iife'),
  ]);
  return { worker, prelude };
}

/** The scripts prebuilt in `dir` when both are there, else built from source. */
export async function loadSandboxSources(
  dir: string = prebuiltDir(import.meta.url),
): Promise<SandboxSources> {
  const [worker, prelude] = await Promise.all([
    readPrebuilt(join(dir, SANDBOX_WORKER_FILE)),
    readPrebuilt(join(dir, SANDBOX_PRELUDE_FILE)),
  ]);
  if (worker !== undefined && prelude !== undefined) return { worker, prelude };
  return buildSandboxScripts().catch((error: unknown) => {
    throw missingScript('sandbox script', dir, error);
  });
}

/** The worker and prelude scripts, loaded on first use (a failure is retried on the next call). */
export const sandboxSources = loadOnce(() => loadSandboxSources());
