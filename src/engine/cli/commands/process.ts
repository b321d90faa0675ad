/**
 * `phi process`: batch preprocessing outside a project. Applies one module or
 * a chain (repeat `--module`; each `--param` belongs to the module before it)
 * to one image file or every image in a folder, writing 8/16-bit PNG or
 * float32 `.npy` files with the same stems (and sub-folders) under the output folder.
 * The engine does the work (`processImages`, service/process-channel.ts); this
 * command parses the line and prints what became of each file.
 */
import { relative, resolve } from 'node:path';
import type { NodeTypeDescriptor, ProcessRequest, Split } from '../../api';
import { messageOf } from '../../errors';
import { EXIT, UsageError, type CliCommand, type CliIO } from '../command';
import { createCliEngine } from '../engine';
import type { Engine } from '../../service/engine';

/** Parsed command line: the engine's request, paths as given. */
interface ProcessArgs {
  steps: { module: string; params: Record<string, unknown> }[];
  input: string;
  output: string;
  format: 'png' | 'npy' | 'auto';
  split?: Split;
  seed: number;
}

/** `key=value` with the value read as JSON when it parses (numbers, booleans, arrays), else as text. */
function parseParam(text: string): [string, unknown] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`--param needs key=value, got "${text}"`);
  const key = text.slice(0, eq);
  const raw = text.slice(eq + 1);
  try {
    return [key, JSON.parse(raw)];
  } catch {
    return [key, raw];
  }
}

/** Parses the arguments; throws UsageError with a readable reason. */
export function parseProcessArgs(args: string[]): ProcessArgs {
  const steps: ProcessArgs['steps'] = [];
  const positional: string[] = [];
  let format: ProcessArgs['format'] = 'auto';
  let split: Split | undefined;
  let seed = 0;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const next = (): string => {
      const v = args[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--module' || a === '-m') steps.push({ module: next(), params: {} });
    else if (a === '--param' || a === '-p') {
      const step = steps.at(-1);
      if (!step) throw new UsageError('--param must follow the --module it belongs to');
      const [k, v] = parseParam(next());
      step.params[k] = v;
    } else if (a === '--format') {
      const f = next();
      if (f !== 'png' && f !== 'npy') throw new UsageError(`--format is png or npy, got "${f}"`);
      format = f;
    } else if (a === '--split') {
      const s = next();
      if (s !== 'train' && s !== 'validation' && s !== 'test')
        throw new UsageError(`--split is train, validation or test`);
      split = s;
    } else if (a === '--seed') {
      seed = Number(next());
      if (!Number.isInteger(seed)) throw new UsageError('--seed needs an integer');
    } else if (a === '--project') next();
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else positional.push(a);
  }
  if (!steps.length) throw new UsageError('give at least one --module');
  if (positional.length !== 2) throw new UsageError('give one input (file or folder) and one output folder');
  return { steps, input: positional[0], output: positional[1], format, ...(split ? { split } : {}), seed };
}

/** Lists the modules and their parameters. */
function listModules(modules: readonly NodeTypeDescriptor[]): string {
  const lines: string[] = [];
  for (const m of modules) {
    const keys = Object.keys((m.params.properties ?? {}) as Record<string, unknown>);
    lines.push(
      `${m.id.padEnd(28)} ${m.category.padEnd(12)} ${keys.length ? keys.join(', ') : '(no parameters)'}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** See the module comment. */
export const processCommand: CliCommand = {
  name: 'process',
  summary: 'apply image-processing modules to a file or folder (batch preprocessing)',
  usage: [
    'phi process --module ID [--param key=value ...] [--module ID ...] <input> <output-dir> [--format png|npy]',
    '            [--split train|validation|test] [--seed N]',
    '  --module ID      a module to apply; repeat for a chain, applied in order',
    '  --param k=v      a parameter of the module before it (JSON values: 256, true, [1,2]; else text)',
    '  --format         png (8/16-bit, 2-D) or npy (float32); default png where the result fits, else npy',
    '  --split          split given to the samples: augmentations act on train only (default none)',
    '  --seed N         seed of the random generator for augmentations (default 0)',
    '  --project FILE   also offer the custom ("My") modules of a .phiproj this computer trusts',
    'phi process --list [--project FILE]  lists the module ids and their parameters',
  ].join('\n'),
  async run(args, io) {
    const at = args.indexOf('--project');
    const projectPath = at >= 0 ? args[at + 1] : undefined;
    if (at >= 0 && !projectPath) throw new UsageError('--project needs a value');
    const engine = createCliEngine();
    try {
      // The project's custom modules this computer trusts are registered on opening it, as in the app.
      if (projectPath)
        await engine.openProject({ path: resolve(io.cwd, projectPath) }).catch((error: unknown) => {
          throw new UsageError(`cannot open project "${projectPath}": ${messageOf(error)}`);
        });
      if (args.includes('--list')) return await listCommand(engine, io, Boolean(projectPath));
      return await processFiles(engine, parseProcessArgs(args), io);
    } finally {
      engine.closeProject();
    }
  },
};

/** `--list`: the modules the engine offers, and the project's custom modules it may not run here. */
async function listCommand(engine: Engine, io: CliIO, withProject: boolean): Promise<number> {
  const { nodeTypes } = await engine.getInfo();
  io.stdout.write(listModules(nodeTypes.filter((t) => t.kind === 'module')));
  const untrusted = withProject ? (await engine.listCustomModules()).filter((m) => !m.trusted) : [];
  if (untrusted.length)
    io.stdout.write(`not trusted on this computer: ${untrusted.map((m) => m.id).join(', ')}\n`);
  return EXIT.ok;
}

/** Asks the engine to run the chain over every input file; the exit code says whether any failed. */
async function processFiles(engine: Engine, p: ProcessArgs, io: CliIO): Promise<number> {
  const request: ProcessRequest = {
    ...p,
    input: resolve(io.cwd, p.input),
    output: resolve(io.cwd, p.output),
  };
  // What the engine refuses before any file (a module, a parameter, the input) is a usage error.
  const { files } = await engine.processImages(request).catch((error: unknown) => {
    throw new UsageError(messageOf(error));
  });
  const count = { written: 0, dropped: 0, failed: 0 };
  for (const { file, state, target, shape, dtype, error } of files) {
    count[state]++;
    if (state === 'written' && target)
      io.stdout.write(`ok       ${file} -> ${relative(io.cwd, target)} [${shape?.join('x')} ${dtype}]\n`);
    else if (state === 'dropped') io.stdout.write(`dropped  ${file}\n`);
    else io.stderr.write(`failed   ${file}: ${error}\n`);
  }
  io.stdout.write(`${count.written} written, ${count.dropped} dropped, ${count.failed} failed\n`);
  return count.failed ? EXIT.failed : EXIT.ok;
}
