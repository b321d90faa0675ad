/**
 * Everything a training or prediction needs before the first batch: resolved
 * params, splits, input geometry, the compiled network and the manifest that
 * `predict` reads back from the artifacts folder.
 */
import { createHash } from 'node:crypto';
import type { Task } from '../../api';
import type { CollectionItem, SampleCollection } from '../../graph/node-type';
import { ARCHITECTURES } from '../networks/builtin';
import { architectureDimsProblem, resolveParams, type NetworkParams, type ResolvedParams } from '../params';
import { compileSpec, type Compiled } from '../spec/compile';
import { parseSpec, trainedContent, type NetworkSpec } from '../../api/network-spec';
import { shuffled } from './batches';
import { patchInputShape, patchSettings } from './patches';
import type { DataGeometry } from './prepare';

/** Saved as `model.json` beside the checkpoints: what predict needs to rebuild the network. */
export interface ModelManifest {
  spec: NetworkSpec;
  params: ResolvedParams;
  geometry: DataGeometry;
  classes: string[];
  trainingKey: string;
  backend: string;
}

/** The three item lists; validation is carved from train when the data has none. */
export interface Splits {
  train: CollectionItem[];
  validation: CollectionItem[];
  test: CollectionItem[];
}

/**
 * Splits the collection. Without validation items, a seeded 20% of the
 * training items (at least one, when there are two or more) validates.
 */
export function splitItems(items: CollectionItem[], seed: number): Splits {
  const train = items.filter((i) => (i.split ?? 'train') === 'train');
  let validation = items.filter((i) => i.split === 'validation');
  const test = items.filter((i) => i.split === 'test');
  if (!validation.length && train.length >= 2) {
    const order = shuffled(train, seed ^ 0x5eed);
    const n = Math.max(1, Math.round(train.length * 0.2));
    validation = order.slice(0, n);
    const held = new Set(validation.map((i) => i.id));
    return { train: train.filter((i) => !held.has(i.id)), validation, test };
  }
  return { train, validation, test };
}

/** Looks up a network spec saved in the project (layer builder) by id: its JSON, or undefined. */
export type SavedSpecLookup = (id: string) => unknown;

/** The saved spec `id`, parsed; throws naming the id when it is missing or invalid. */
export function savedSpec(id: string, lookup: SavedSpecLookup | undefined): NetworkSpec {
  const json = lookup?.(id);
  if (json === undefined)
    throw new Error(
      `Network "${id}" is not saved in this project: save it with the layer builder or fix Custom spec`,
    );
  try {
    return parseSpec(json);
  } catch (error) {
    throw new Error(`Network "${id}": ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The network spec of the params: the saved spec for `custom`, else the
 * built-in architecture with its structural options.
 */
export function specFor(p: ResolvedParams, lookup?: SavedSpecLookup): NetworkSpec {
  if (p.architecture === 'custom') return savedSpec(p.customSpec ?? '', lookup);
  const depthCap: Record<string, number> = { vgg16: 5, resnet18: 4, densenet121: 4 };
  return ARCHITECTURES[p.architecture]({
    baseFilters: p.baseFilters,
    depth: Math.min(p.depth, depthCap[p.architecture] ?? p.depth),
    width: p.width,
    dropout: p.dropout,
  });
}

/** Compiles the spec for the data and fills in the detection grid. */
export function buildNetwork(
  spec: NetworkSpec,
  geo: DataGeometry,
  seed: number,
): { compiled: Compiled; geometry: DataGeometry } {
  const compiled = compileSpec(spec, {
    inputShape: geo.inputShape,
    vars: { classes: geo.classes, channels: geo.targetChannels ?? geo.inputShape[geo.inputShape.length - 1] },
    seed,
  });
  const out = compiled.shapes[spec.output];
  const geometry = { ...geo };
  if (geo.task === 'detection') {
    const [, gh, gw] = out as number[];
    geometry.grid = { h: gh, w: gw, stride: geo.inputShape[0] / gh };
  }
  return { compiled, geometry };
}

/** Hash that decides whether a checkpoint belongs to this training (epochs excluded, so "train longer" resumes; backend and Grad-CAM layer excluded too). */
export function trainingKeyOf(
  p: ResolvedParams,
  spec: NetworkSpec,
  geo: DataGeometry,
  splits: Splits,
): string {
  // Display-only and study params do not invalidate a training.
  const { epochs: _e, backend: _b, gradCamLayer: _g, operatingPoint: _o, subgroupFile: _s, ...rest } = p;
  const h = createHash('sha256');
  h.update(JSON.stringify({ rest, spec: trainedContent(spec), geo }));
  for (const s of ['train', 'validation', 'test'] as const)
    for (const i of splits[s]) h.update(`${s}:${i.id}\n`);
  return h.digest('hex').slice(0, 32);
}

/** Checks the task and the input shapes; returns the common input shape. */
export function checkInput(
  collection: SampleCollection,
  params: NetworkParams,
): { task: Task; inputShape: number[] } {
  if (params.task !== collection.task)
    throw new Error(
      `The network is set to ${params.task} but its input is ${collection.task} data: change the task`,
    );
  if (!collection.items.length) throw new Error('The network has no input items: run the modules before it');
  const inputShape = collection.items[0].shape;
  const patch = patchSettings(params);
  if (patch) return { task: collection.task, inputShape: patchInputShape(collection, params.task, patch) };
  const other = collection.items.find((i) => i.shape.join('x') !== inputShape.join('x'));
  if (other)
    throw new Error(
      `Input sizes differ (${collection.items[0].id} is ${inputShape.join('x')}, ${other.id} is ${other.shape.join('x')}): add a ${inputShape.length === 4 ? 'Crop or Pad to Size' : 'Resize'} module before the network`,
    );
  if (inputShape.length !== 3 && inputShape.length !== 4)
    throw new Error(
      `Networks take 2-D images (h, w, c) or 3-D volumes (d, h, w, c); got ${inputShape.join('x')}`,
    );
  return { task: collection.task, inputShape };
}

/** Resolves params for the collection's task; a custom network's saved spec must exist and fit the task. */
export function resolveFor(
  collection: SampleCollection,
  params: NetworkParams,
  lookup?: SavedSpecLookup,
): ResolvedParams {
  const custom =
    params.architecture === 'custom' && params.customSpec ? savedSpec(params.customSpec, lookup) : undefined;
  const dims = collection.items[0]?.shape.length === 4 ? 3 : 2;
  const p = resolveParams(params, collection.task, custom?.task, dims);
  const misfit = architectureDimsProblem(p.architecture, dims);
  if (misfit) throw new Error(misfit);
  return p;
}
