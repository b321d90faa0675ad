/**
 * The engine side of the network (layer) builder: the layer palette from the
 * catalogue, the check of a spec being edited (per-layer shapes and parameter
 * counts with the node's real class count, problems in words), and
 * the built-in specs (ids and contents) that the builder lists and opens.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { LayerTypeDescriptor, SpecCheck, Task } from '../api';
import { LAYER_TYPES } from '../nn/spec/catalogue';
import { tf } from '../nn/tf';
import { SpecError, summarizeSpec } from '../nn/spec/compile';
import { parseSpec } from '../api/network-spec';
import { resourcesDir } from '../resources';

/** Values of `$placeholders` while checking a spec without data: two classes, one channel. */
const CHECK_VARS = { classes: 2, channels: 1 };
/** Input shape assumed for a spec whose Input layer takes its shape from the data. */
const CHECK_INPUT_SHAPE = [64, 64, 1];

/** What the data of the node a spec is checked for tell: known fields replace the assumptions. */
export interface SpecData {
  task?: Task;
  /** Class names of the node's input (the dataset's when the input was not run yet). */
  classes?: string[];
  /** One item's shape `[h, w, c]`, when the input was run. */
  inputShape?: number[];
}

/** The `$classes` a network trains with: the data's class count (at least 2 for masks), as the trainer does. */
export function classCount(task: Task | undefined, classes: string[]): number {
  return task === 'segmentation' ? Math.max(2, classes.length) : Math.max(1, classes.length);
}

/** Built-in network specs shipped in resources/networks. */
const NETWORKS_DIR = resourcesDir('networks');

/** The layer palette, one entry per catalogue layer type. */
export function layerCatalogue(): LayerTypeDescriptor[] {
  return Object.values(LAYER_TYPES).map((layer) => ({
    type: layer.type,
    title: layer.title,
    category: layer.category,
    description: layer.description,
    params: z.toJSONSchema(layer.params, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
    inputs: layer.inputs.max === 0 ? 0 : layer.inputs.max > 1 ? 'many' : 1,
  }));
}

/**
 * The engine's check of a spec being edited: it is compiled with the node's
 * data where known (class count, input shape), else with assumptions; every
 * layer that can be computed gets its shape and parameter count, every layer
 * that does not fit its problem in words, and a valid network its total.
 */
export async function checkSpec(spec: unknown, data: SpecData = {}): Promise<SpecCheck> {
  // Building layers needs an initialised tf.js backend (whichever is current).
  await tf.ready();
  try {
    const parsed = parseSpec(spec);
    const input = parsed.layers.find((l) => l.type === 'Input');
    const fromData = !input || input.params.shape === undefined;
    const inputShape = data.inputShape ?? (fromData ? CHECK_INPUT_SHAPE : undefined);
    const shapeChannels = (inputShape ?? (input?.params.shape as number[] | undefined))?.at(-1);
    const vars = {
      classes: data.classes ? classCount(data.task ?? parsed.task, data.classes) : CHECK_VARS.classes,
      channels: typeof shapeChannels === 'number' ? shapeChannels : CHECK_VARS.channels,
      fromData: data.classes !== undefined,
    };
    const summary = summarizeSpec(parsed, {
      vars: { classes: vars.classes, channels: vars.channels },
      inputShape,
    });
    const layers = Object.fromEntries(
      Object.entries(summary.layers).map(([id, l]) => [
        id,
        { shape: l.shape.slice(1), parameters: l.parameters },
      ]),
    );
    const shapes = Object.fromEntries(Object.entries(layers).map(([id, l]) => [id, l.shape]));
    const problems = summary.problems.map((p) => ({ layer: p.layer, message: p.reason }));
    return {
      ok: problems.length === 0,
      shapes,
      layers,
      vars,
      ...(summary.parameters !== undefined ? { parameters: summary.parameters } : {}),
      ...(problems.length > 0 ? { error: problems[0], problems } : {}),
    };
  } catch (error) {
    const layer = (error as { layer?: string }).layer;
    const message = error instanceof SpecError ? error.reason : (error as Error).message;
    return { ok: false, shapes: {}, error: { layer, message }, problems: [{ layer, message }] };
  }
}

/** Ids of the built-in specs. */
export function builtinSpecIds(): string[] {
  try {
    return readdirSync(NETWORKS_DIR)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -'.json'.length))
      .sort();
  } catch {
    return [];
  }
}

/** Path of a built-in spec file. */
export function builtinSpecPath(id: string): string {
  return join(NETWORKS_DIR, `${id}.json`);
}

/** A built-in spec's JSON, or undefined when no built-in has that id (only listed ids reach the disk). */
export function readBuiltinSpec(id: string): unknown {
  if (!builtinSpecIds().includes(id)) return undefined;
  return JSON.parse(readFileSync(builtinSpecPath(id), 'utf8')) as unknown;
}

/** The name people see for a spec: its `name` field, else its id. */
export function specTitle(spec: unknown, id: string): string {
  const name = (spec as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name.trim() ? name : id;
}

/** The spec as saved under `title`: the format's `name` field holds the name people gave it. */
export function withSpecTitle(spec: unknown, title: string): unknown {
  return spec && typeof spec === 'object' ? { ...spec, name: title } : spec;
}
