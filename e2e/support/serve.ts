/**
 * Test support for the browser tests and the UI benchmark: a temp copy of
 * the example project, `phi serve` as a real child process (its first stdout
 * line is the URL), and Debian's Chromium driven by playwright-core.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type Browser } from 'playwright-core';
import { repoRoot } from '../../src/engine/server/build-renderer';
import { Engine } from '../../src/engine/service/engine';

/** The bundled example (lesion phantoms). */
export const EXAMPLE_DIR = join(repoRoot, 'resources/examples/lesions');

/** The flags of docs/design.md section 11: headless, no sandbox (containers), nothing fetched. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/** Path of Debian's Chromium (`apt-get install chromium`); never a downloaded browser. */
export const CHROMIUM = process.env.PHI_CHROMIUM ?? '/usr/bin/chromium';

/** A fresh temp folder. */
export function tempFolder(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Copies the example project into `dir` and returns its `.phiproj`. Until the
 * bundled project file exists, one is created over the example's data folder.
 */
export async function copyExample(dir: string): Promise<string> {
  const bundled = join(EXAMPLE_DIR, 'lesions.phiproj');
  if (existsSync(bundled)) {
    cpSync(EXAMPLE_DIR, dir, { recursive: true });
    return join(dir, 'lesions.phiproj');
  }
  cpSync(join(EXAMPLE_DIR, 'data'), join(dir, 'data'), { recursive: true });
  const project = join(dir, 'lesions.phiproj');
  const engine = new Engine({ cacheDir: join(dir, '.cache-setup') });
  await engine.createProject({ path: project, dataset: join(dir, 'data') });
  engine.closeProject();
  return project;
}

/** A running `phi serve`. */
export interface ServeProcess {
  url: string;
  child: ChildProcess;
  /** Everything written to stderr so far (for failure messages). */
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts `phi serve [PROJECT]` and resolves with the URL from its first stdout line. */
export async function startServe(
  project: string | undefined,
  cacheHome: string,
  extra: string[] = [],
): Promise<ServeProcess> {
  mkdirSync(cacheHome, { recursive: true });
  const child = spawn(
    process.execPath,
    [join(repoRoot, 'bin/phi.mjs'), 'serve', ...(project ? [project] : []), '--no-build', ...extra],
    {
      cwd: repoRoot,
      env: { ...process.env, XDG_CACHE_HOME: cacheHome },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`phi serve printed no URL in 60 s:\n${err}`)), 60_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(line.trim());
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`phi serve exited with ${code}:\n${err}`));
    });
  });
  return {
    url,
    child,
    stderr: () => err,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Launches Debian's Chromium headless. */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, headless: true });
}
