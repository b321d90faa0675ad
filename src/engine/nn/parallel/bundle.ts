/**
 * The gradient worker's script: prebuilt by `npm run build` into the engine
 * bundle's `workers/` folder (workers/prebuilt.ts), else bundled from its
 * TypeScript source with esbuild once per process (tsx, vitest). tf.js stays
 * external: it is required from node_modules through a `require` rooted at the
 * script's own location, so the wasm backend finds its `.wasm` binaries beside
 * its own code (in a packaged app, the asar-unpacked ones).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadOnce, missingScript, prebuiltDir, readPrebuilt } from '../../workers/prebuilt';

/** File name of the prebuilt gradient worker. */
export const GRADIENT_WORKER_FILE = 'gradient-worker.cjs';

const here = fileURLToPath(import.meta.url);

/** Bundles parallel/worker-entry.ts into one CommonJS script (what the build step writes). */
export async function buildGradientWorker(): Promise<string> {
  // Loaded on demand: a packaged app runs the prebuilt script and never needs esbuild here.
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [join(dirname(here), 'worker-entry.ts')],
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: ['@tensorflow/*', 'esbuild'],
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

/** An eval'd worker resolves `require` from the working directory; root it at `file` instead. */
function rootRequire(code: string, file: string): string {
  return `(function (require) {\n${code}\n})(require('node:module').createRequire(${JSON.stringify(file)}));`;
}

/**
 * The worker script for `new Worker(code, { eval: true })`: the prebuilt one in
 * `dir` when there is one, else built from source.
 */
export async function loadGradientWorkerSource(dir: string = prebuiltDir(import.meta.url)): Promise<string> {
  const file = join(dir, GRADIENT_WORKER_FILE);
  const prebuilt = await readPrebuilt(file);
  if (prebuilt !== undefined) return rootRequire(prebuilt, file);
  const built = await buildGradientWorker().catch((error: unknown) => {
    throw missingScript('training worker script', dir, error);
  });
  return rootRequire(built, here);
}

/** The worker script, loaded once per process (a failure is retried on the next call). */
export const gradientWorkerSource = loadOnce(() => loadGradientWorkerSource());
