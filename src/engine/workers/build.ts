/**
 * The build step of the worker scripts: bundles the gradient worker and the
 * sandbox's worker and prelude from source and writes them into `outDir`,
 * where the engine bundle looks for them (workers/prebuilt.ts). Called by
 * electron.vite.config.ts after the main bundle is written.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildSandboxScripts, SANDBOX_PRELUDE_FILE, SANDBOX_WORKER_FILE } from '../custom/sandbox/bundle';
import { buildGradientWorker, GRADIENT_WORKER_FILE } from '../nn/parallel/bundle';

/** Writes the worker scripts into `outDir`; resolves to the file names written. */
export async function buildWorkerScripts(outDir: string): Promise<string[]> {
  const [gradient, sandbox] = await Promise.all([buildGradientWorker(), buildSandboxScripts()]);
  const files: Record<string, string> = {
    [GRADIENT_WORKER_FILE]: gradient,
    [SANDBOX_WORKER_FILE]: sandbox.worker,
    [SANDBOX_PRELUDE_FILE]: sandbox.prelude,
  };
  await mkdir(outDir, { recursive: true });
  await Promise.all(Object.entries(files).map(([name, text]) => writeFile(join(outDir, name), text)));
  return Object.keys(files);
}
