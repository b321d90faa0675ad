/**
 * The Python 3 that reference tests run: the first on PATH (or Debian's own,
 * where a pyenv python3 shadows it) that imports the reference libraries.
 */
import { spawnSync } from 'node:child_process';

/** A python3 that can `import` every one of `modules`; throws naming the Debian packages otherwise. */
export function pythonWith(modules: readonly string[], packages: string): string {
  for (const candidate of ['python3', '/usr/bin/python3']) {
    const probe = spawnSync(candidate, ['-c', `import ${modules.join(', ')}`], { encoding: 'utf8' });
    if (probe.status === 0) return candidate;
  }
  throw new Error(`no python3 with ${modules.join(', ')}: apt-get install ${packages}`);
}

/**
 * Runs the Python `code` with `python`, `args` as sys.argv[1:] and `input` (as JSON) on stdin;
 * returns what it prints, or throws with what it wrote to stderr.
 */
export function runPython(python: string, code: string, args: string[] = [], input?: unknown): string {
  const run = spawnSync(python, ['-c', code, ...args], {
    encoding: 'utf8',
    ...(input === undefined ? {} : { input: JSON.stringify(input) }),
  });
  if (run.status !== 0) throw new Error(run.stderr);
  return run.stdout;
}
