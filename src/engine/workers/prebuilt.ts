/**
 * Where the worker scripts come from. `npm run build` writes them, prebuilt,
 * into `workers/` beside the engine bundle (out/main/workers, see
 * workers/build.ts); a packaged app has no TypeScript sources to build them
 * from. Under tsx and vitest the calling module is a source file with no such
 * folder beside it, so the callers build the scripts from source instead.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Name of the folder of prebuilt worker scripts, beside the engine bundle. */
export const WORKERS_DIR = 'workers';

/** The prebuilt scripts' folder for the module at `moduleUrl` (its `import.meta.url`). */
export function prebuiltDir(moduleUrl: string): string {
  return join(dirname(fileURLToPath(moduleUrl)), WORKERS_DIR);
}

/** The text of a prebuilt script, or undefined when there is none (a source checkout). */
export async function readPrebuilt(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    // ENOTDIR: a missing folder inside an asar archive can read as a file.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

/** The error when a script is neither prebuilt in `dir` nor buildable from source (a build without the step). */
export function missingScript(what: string, dir: string, error: unknown): Error {
  return new Error(
    `The ${what} is missing from ${dir} and cannot be built from source (${(error as Error).message})`,
    { cause: error },
  );
}

/** `load` run once per process and its result kept; a failure is not kept, so the next call retries. */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let cached: Promise<T> | undefined;
  return () =>
    (cached ??= load().catch((error: unknown) => {
      cached = undefined;
      throw error;
    }));
}
