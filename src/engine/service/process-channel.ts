/**
 * The engine's process channel (`phi process`): a chain of modules applied to
 * image files outside a pipeline, each file through the same step runner as
 * RUN (run/chain.ts), its result written beside the others with the same stem.
 * A file that fails is said and the rest go on; cancel stops between files.
 */
import { mkdir, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import {
  dtypeOf,
  EngineRequests,
  type EngineParams,
  type ProcessedFile,
  type ProcessResult,
  type RequestOptions,
  type Sample,
} from '../api';
import { decodeImage, extensionOf, messageOf, readerForExtension } from '../data/readers';
import type { ModuleNodeType } from '../graph/node-type';
import { unknownParamName } from '../graph/param-names';
import { pngProblem, writeImage } from '../imaging/export';
import { runStep } from '../run/chain';
import type { ProjectSession } from './session';

/** One step of the chain, its params checked and completed with defaults. */
interface Step {
  module: ModuleNodeType;
  params: Record<string, unknown>;
}

/** Applies module chains to image files. */
export class ProcessChannel {
  constructor(private readonly session: ProjectSession) {}

  async processImages(
    params: EngineParams<'processImages'>,
    options: RequestOptions = {},
  ): Promise<ProcessResult> {
    const request = EngineRequests.processImages.parse(params);
    const steps = request.steps.map(({ module, params: given }) => this.step(module, given));
    const input = resolve(request.input);
    const output = resolve(request.output);
    const info = await stat(input).catch(() => undefined);
    if (!info) throw new Error(`Input "${request.input}" does not exist`);
    const files = info.isDirectory() ? await listImages(input) : [input];
    if (!files.length) throw new Error(`No image files in "${request.input}"`);
    const root = info.isDirectory() ? input : dirname(input);
    const results: ProcessedFile[] = [];
    for (const path of files) {
      options.signal?.throwIfAborted();
      const file = relative(root, path);
      try {
        const { meta, ...pixels } = await decodeImage(path);
        let sample: Sample | null = { id: file, image: pixels, meta, split: request.split };
        for (const [i, step] of steps.entries()) {
          if (!sample) break;
          sample = await runStep(step.module, step.params, sample, {
            nodeId: `step${i + 1}`,
            seed: request.seed,
            split: sample.split,
          });
        }
        if (!sample) {
          results.push({ file, state: 'dropped' });
          continue;
        }
        const format =
          request.format === 'auto' ? (pngProblem(sample.image) ? 'npy' : 'png') : request.format;
        const target = join(output, dirname(file), `${stem(file)}.${format}`);
        await mkdir(dirname(target), { recursive: true });
        await writeImage(target, sample.image, format);
        results.push({
          file,
          state: 'written',
          target,
          shape: sample.image.shape,
          dtype: dtypeOf(sample.image.data),
        });
      } catch (error) {
        results.push({ file, state: 'failed', error: messageOf(error) });
      }
    }
    return { files: results };
  }

  /** A module of the chain with its params checked: unknown names with the valid ones, bad values with why. */
  private step(id: string, given: Record<string, unknown>): Step {
    const module = this.session.registry.get(id);
    if (!module) throw new Error(this.session.explainMissing(`Unknown module "${id}"`));
    if (module.kind !== 'module') throw new Error(`"${id}" is not an image-processing module`);
    if ((module.inputs ?? ['in']).length > 1)
      throw new Error(`Module "${id}" needs ${module.inputs?.length} inputs: use it in a project`);
    const unknown = unknownParamName(module.params, given);
    if (unknown)
      throw new Error(
        `${id} has no parameter "${unknown.name}"; its parameters are ${unknown.valid.join(', ') || 'none'}`,
      );
    const parsed = module.params.safeParse(given);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${id}: parameter "${issue.path.join('.') || '?'}": ${issue.message}`);
    }
    return { module, params: parsed.data as Record<string, unknown> };
  }
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
