/**
 * The engine side of the network (layer) builder: the layer palette from the
 * catalogue, shape inference for a spec being edited (shown on its edges), and
 * the built-in specs (ids and contents) that the builder lists and opens.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { LayerTypeDescriptor, SpecCheck } from '../api';
import { LAYER_TYPES } from '../nn/spec/catalogue';
import { tf } from '../nn/tf';
import { compileSpec } from '../nn/spec/compile';
import { parseSpec } from '../nn/spec/spec';
import { resourcesDir } from '../resources';

/** Values of `$placeholders` while checking a spec without data: two classes, one channel. */
const CHECK_VARS = { classes: 2, channels: 1 };
/** Input shape assumed for a spec whose Input layer takes its shape from the data. */
const CHECK_INPUT_SHAPE = [64, 64, 1];

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

/** Output shape of every layer of `spec`, its parameter count, or the error naming the layer. */
export async function checkSpec(spec: unknown): Promise<SpecCheck> {
  // Building layers needs an initialised tf.js backend (whichever is current).
  await tf.ready();
  let model: ReturnType<typeof compileSpec>['model'] | undefined;
  try {
    const parsed = parseSpec(spec);
    const input = parsed.layers.find((l) => l.type === 'Input');
    const fromData = !input || input.params.shape === undefined;
    const compiled = compileSpec(parsed, {
      vars: CHECK_VARS,
      inputShape: fromData ? CHECK_INPUT_SHAPE : undefined,
    });
    model = compiled.model;
    const shapes = Object.fromEntries(
      Object.entries(compiled.shapes).map(([id, shape]) => [id, shape.slice(1)]),
    );
    return { ok: true, shapes, parameters: model.countParams() };
  } catch (error) {
    const layer = (error as { layer?: string }).layer;
    return { ok: false, shapes: {}, error: { layer, message: (error as Error).message } };
  } finally {
    model?.dispose();
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
