/**
 * `phi process`: batch preprocessing outside a project. Applies one module or
 * a chain (repeat `--module`; each `--param` belongs to the module before it)
 * to one image file or every image in a folder, writing 8/16-bit PNG or
 * float32 `.npy` files with the same stems (and sub-folders) under the output folder.
 */
import { mkdir, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { ModuleNodeType } from '../../graph/node-type';
import { unknownParamName } from '../../graph/param-names';
import type { Sample, Split } from '../../api';
import { dtypeOf } from '../../api';
import { decodeImage, extensionOf, messageOf, readerForExtension } from '../../data/readers';
import { pngProblem, writeImage } from '../../imaging/export';
import { builtinModules } from '../../modules';
import { runStep } from '../../run/chain';
import { EXIT, UsageError, type CliCommand, type CliIO } from '../command';
import { loadProjectModules } from '../project-modules';

/** One step of the chain, params already validated. */
interface Step {
  module: ModuleNodeType;
  params: Record<string, unknown>;
}

/** Parsed command line. */
interface ProcessArgs {
  steps: Step[];
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

/** Modules `--module` may name: the built-ins, plus a project's custom modules with `--project`. */
export interface ModuleCatalogue {
  modules: readonly ModuleNodeType[];
  /** Custom modules of the project that this computer has not trusted. */
  untrusted?: readonly string[];
}

function findModule(id: string, catalogue: ModuleCatalogue): ModuleNodeType {
  const m = catalogue.modules.find((x) => x.id === id);
  if (!m && catalogue.untrusted?.includes(id))
    throw new UsageError(
      `custom module "${id}" is not trusted on this computer: open the project in Phi Studio and trust its code first`,
    );
  if (!m) throw new UsageError(`unknown module "${id}" (phi process --list shows them)`);
  if ((m.inputs ?? ['in']).length > 1)
    throw new UsageError(`module "${id}" needs ${m.inputs?.length} inputs; use it in a project`);
  return m;
}

/** Parses the arguments; throws UsageError with a readable reason. */
export function parseProcessArgs(
  args: string[],
  catalogue: ModuleCatalogue = { modules: builtinModules },
): ProcessArgs {
  const raw: { id: string; params: Record<string, unknown> }[] = [];
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
    if (a === '--module' || a === '-m') raw.push({ id: next(), params: {} });
    else if (a === '--param' || a === '-p') {
      if (!raw.length) throw new UsageError('--param must follow the --module it belongs to');
      const [k, v] = parseParam(next());
      raw[raw.length - 1].params[k] = v;
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
  if (!raw.length) throw new UsageError('give at least one --module');
  if (positional.length !== 2) throw new UsageError('give one input (file or folder) and one output folder');
  const steps = raw.map(({ id, params }) => {
    const module = findModule(id, catalogue);
    const unknown = unknownParamName(module.params, params);
    if (unknown)
      throw new UsageError(
        `${id} has no parameter "${unknown.name}"; its parameters are ${unknown.valid.join(', ') || 'none'}`,
      );
    const parsed = module.params.safeParse(params);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UsageError(`${id}: parameter "${issue.path.join('.') || '?'}": ${issue.message}`);
    }
    return { module, params: parsed.data as Record<string, unknown> };
  });
  return { steps, input: positional[0], output: positional[1], format, split, seed };
}

/** Image files under a folder (recursively, sorted); files without an extension are tried too (DICOM). */
async function listImages(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && (readerForExtension(p) || extensionOf(p) === '')) out.push(p);
    }
  };
  await walk(dir);
  return out;
}

function stem(file: string): string {
  const name = basename(file);
  const ext = extensionOf(file);
  return ext ? name.slice(0, name.length - ext.length) : name;
}

/** Lists the modules and their parameters. */
function listModules(modules: readonly ModuleNodeType[]): string {
  const lines: string[] = [];
  for (const m of modules) {
    const keys = Object.keys(m.params.shape);
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
    const project = projectPath ? await loadProjectModules(resolve(io.cwd, projectPath)) : undefined;
    try {
      const catalogue = {
        modules: [...builtinModules, ...(project?.modules ?? [])],
        untrusted: project?.untrusted,
      };
      if (args.includes('--list')) {
        io.stdout.write(listModules(catalogue.modules));
        if (project?.untrusted.length)
          io.stdout.write(`not trusted on this computer: ${project.untrusted.join(', ')}\n`);
        return EXIT.ok;
      }
      return await processFiles(parseProcessArgs(args, catalogue), io);
    } finally {
      await project?.dispose();
    }
  },
};

/** Runs the chain over every input file; the exit code says whether any failed. */
async function processFiles(p: ProcessArgs, io: CliIO): Promise<number> {
  const input = resolve(io.cwd, p.input);
  const output = resolve(io.cwd, p.output);
  let info;
  try {
    info = await stat(input);
  } catch {
    throw new UsageError(`input "${p.input}" does not exist`);
  }
  const files = info.isDirectory() ? await listImages(input) : [input];
  const root = info.isDirectory() ? input : dirname(input);
  if (!files.length) throw new UsageError(`no image files in "${p.input}"`);
  let done = 0;
  let dropped = 0;
  let failed = 0;
  for (const file of files) {
    const rel = relative(root, file);
    try {
      const image = await decodeImage(file);
      const { meta, ...pixels } = image;
      let sample: Sample | null = { id: rel, image: pixels, meta, split: p.split };
      for (const [i, step] of p.steps.entries()) {
        if (!sample) break;
        sample = await runStep(step.module, step.params, sample, {
          nodeId: `step${i + 1}`,
          seed: p.seed,
          split: sample.split,
        });
      }
      if (!sample) {
        dropped++;
        io.stdout.write(`dropped  ${rel}\n`);
        continue;
      }
      const format = p.format === 'auto' ? (pngProblem(sample.image) ? 'npy' : 'png') : p.format;
      const target = join(output, dirname(rel), `${stem(rel)}.${format}`);
      await mkdir(dirname(target), { recursive: true });
      await writeImage(target, sample.image, format);
      done++;
      io.stdout.write(
        `ok       ${rel} -> ${relative(io.cwd, target)} [${sample.image.shape.join('x')} ${dtypeOf(sample.image.data)}]\n`,
      );
    } catch (error) {
      failed++;
      io.stderr.write(`failed   ${rel}: ${messageOf(error)}\n`);
    }
  }
  io.stdout.write(`${done} written, ${dropped} dropped, ${failed} failed\n`);
  return failed ? EXIT.failed : EXIT.ok;
}
