/**
 * Builds the gradient worker's script from its TypeScript source with
 * esbuild, once per process (as custom/sandbox/bundle.ts does), so the worker
 * starts alike under tsx, vitest and a bundled app. tf.js stays external: it
 * is required from node_modules through a `require` rooted at this file, so the
 * wasm backend finds its `.wasm` binaries beside its own code.
 */
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: Promise<string> | undefined;

/** The worker script as JavaScript text, for `new Worker(code, { eval: true })`. */
export function gradientWorkerSource(): Promise<string> {
  const here = fileURLToPath(import.meta.url);
  cached ??= build({
    entryPoints: [join(dirname(here), 'worker-entry.ts')],
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: ['@tensorflow/*', 'esbuild'],
    logLevel: 'silent',
  }).then(
    (result) =>
      // An eval'd worker resolves `require` from the working directory; root it here instead.
      `(function (require) {\n${result.outputFiles[0].text}\n})(require('node:module').createRequire(${JSON.stringify(here)}));`,
    (error: unknown) => {
      cached = undefined;
      throw error;
    },
  );
  return cached;
}
