/**
 * Makes sure `out/renderer` holds a build of the current renderer sources:
 * `phi serve` and the browser tests call it before serving. Only the renderer
 * is built (with Vite and `vite.renderer.config.ts`), so no Electron is needed.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of the source checkout (three levels above this file). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Where the built renderer lives. */
export const rendererOutDir = join(repoRoot, 'out/renderer');

/** Newest modification time under `dir` (recursively), 0 when absent. */
async function newestMtime(dir: string): Promise<number> {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const info = await stat(join(entry.parentPath, entry.name));
    newest = Math.max(newest, info.mtimeMs);
  }
  return newest;
}

/** True when the build is missing or older than a renderer or API source file. */
export async function rendererNeedsBuild(outDir = rendererOutDir): Promise<boolean> {
  const index = join(outDir, 'index.html');
  if (!existsSync(index)) return true;
  const built = (await stat(index)).mtimeMs;
  const sources = Math.max(
    await newestMtime(join(repoRoot, 'src/renderer')),
    await newestMtime(join(repoRoot, 'src/engine/api')),
    (await stat(join(repoRoot, 'vite.renderer.config.ts'))).mtimeMs,
  );
  return sources > built;
}

/** Held while one process builds, so parallel test files do not build over each other. */
const LOCK = join(repoRoot, 'out/.renderer-build.lock');

/** Takes the build lock (an atomic mkdir); waits for another holder, breaks a lock older than 5 minutes. */
async function withBuildLock<T>(work: () => Promise<T>): Promise<T> {
  mkdirSync(dirname(LOCK), { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      const age = Date.now() - (statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 5 * 60_000) rmSync(LOCK, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** Builds the renderer when needed; resolves with the output folder. */
export async function ensureRendererBuilt(log: (line: string) => void = () => {}): Promise<string> {
  if (!(await rendererNeedsBuild())) return rendererOutDir;
  return withBuildLock(async () => {
    // Another process may have built it while we waited for the lock.
    if (!(await rendererNeedsBuild())) return rendererOutDir;
    await buildRenderer(log);
    return rendererOutDir;
  });
}

async function buildRenderer(log: (line: string) => void): Promise<void> {
  if (!existsSync(join(repoRoot, 'node_modules/vite/bin/vite.js'))) {
    throw new Error(`The renderer is not built (${rendererOutDir}) and Vite is not installed to build it`);
  }
  log('Building the renderer (out/renderer)...');
  await new Promise<void>((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      [
        join(repoRoot, 'node_modules/vite/bin/vite.js'),
        'build',
        '--config',
        'vite.renderer.config.ts',
        '--logLevel',
        'error',
      ],
      // Test runners set NODE_ENV=test, which would give React's development build.
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolvePromise()
        : reject(new Error(`Renderer build failed (exit ${code}):\n${output.trim()}`)),
    );
  });
}
