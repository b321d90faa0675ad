/**
 * Pipeline templates for `phi new` and "New project": Dataset -> sensible
 * preprocessing for the task -> the task's default network (when the network
 * node type is registered).
 */
import type { Graph, GraphNode, Task } from '../api';
import { probeVolumeShapes } from '../data/volume-probe';
import type { NodeTypeRegistry } from '../graph/registry';

/** A node of `type` with its params completed from the type's defaults. */
export function makeNode(
  registry: NodeTypeRegistry,
  type: string,
  id: string,
  params: Record<string, unknown>,
  position: { x: number; y: number },
): GraphNode {
  const nodeType = registry.get(type);
  if (!nodeType) throw new Error(`Unknown module "${type}"`);
  const parsed = nodeType.params.safeParse(params);
  return {
    id,
    kind: nodeType.kind,
    type,
    version: nodeType.version,
    params: parsed.success ? (parsed.data as Record<string, unknown>) : params,
    position,
  };
}

/** Preprocessing chain per task: [module id, params]. */
const PREPROCESSING: Record<Task, [string, Record<string, unknown>][]> = {
  classification: [
    ['resize', { width: 64, height: 64, interpolation: 'area' }],
    ['color-to-grayscale', {}],
  ],
  segmentation: [['resize', { width: 128, height: 128, interpolation: 'bilinear' }]],
  detection: [['resize', { width: 128, height: 128, interpolation: 'bilinear' }]],
  transformation: [['resize', { width: 128, height: 128, interpolation: 'bilinear' }]],
};

/** Each side of a 3-D network's input divides by this (2^depth of the template's 3-D U-Net). */
const VOLUME_MULTIPLE = 4;
/** The largest grid the 3-D template centres volumes in (d, h, w): bigger volumes train on patches. */
const VOLUME_MAX = [64, 128, 128];

/**
 * The 3-D chain for volumes to segment or classify (no 2-D Resize): z-score intensities, then every
 * volume centred in one grid, the median size of the volumes rounded up to what the 3-D networks take
 * (at most {@link VOLUME_MAX}); volumes to segment larger than that are not cropped: their network
 * trains on patches.
 */
function volumeChain(shapes: number[][], task: Task): [string, Record<string, unknown>][] {
  // An image-to-image pair is scaled by the network, input and target alike: z-scores would scale the input only.
  const intensity: [string, Record<string, unknown>][] =
    task === 'transformation' ? [] : [['z-score-normalization', {}]];
  if (patchedTask(task) && patchSizeFor(shapes)) return intensity;
  const grid = medianGrid(shapes).map((n, axis) => Math.min(n, VOLUME_MAX[axis]));
  return [...intensity, ['crop-or-pad', { depth: grid[0], height: grid[1], width: grid[2], value: 0 }]];
}

/** Tasks whose 3-D networks train on patches of volumes too large for the template's grid. */
const patchedTask = (task: Task): boolean => task === 'segmentation' || task === 'transformation';

/** The median size of the volumes per axis (d, h, w), rounded up to what the 3-D U-Net takes. */
function medianGrid(shapes: number[][]): number[] {
  return [0, 1, 2].map((axis) => {
    const sorted = shapes.map((s) => s[axis]).sort((a, b) => a - b);
    return Math.ceil(sorted[Math.floor(sorted.length / 2)] / VOLUME_MULTIPLE) * VOLUME_MULTIPLE;
  });
}

/** The largest patch the 3-D template trains on (d, h, w). */
const PATCH_MAX = [32, 64, 64];

/**
 * Volumes larger than {@link VOLUME_MAX} (whose centre crop would throw data away) train on patches
 * (`DxHxW`, the median grid capped by {@link PATCH_MAX}) and are predicted whole by sliding windows;
 * undefined for volumes that fit.
 */
function patchSizeFor(shapes: number[][]): string | undefined {
  const grid = medianGrid(shapes);
  if (grid.every((n, axis) => n <= VOLUME_MAX[axis])) return undefined;
  return grid.map((n, axis) => Math.min(n, PATCH_MAX[axis])).join('x');
}

/**
 * A runnable pipeline for `task` reading the dataset folder `datasetPath` (relative to the project).
 * With `datasetRoot` (the folder itself) a segmentation, classification or transformation folder of NIfTI volumes
 * gets the 3-D chain and a small 3-D network instead of Resize and a 2-D one.
 */
export function templateGraph(
  registry: NodeTypeRegistry,
  datasetPath: string,
  task: Task,
  datasetRoot?: string,
): Graph {
  const nodes: GraphNode[] = [
    makeNode(registry, 'dataset', 'dataset', { path: datasetPath, task }, { x: 0, y: 0 }),
  ];
  const volumetric = task === 'segmentation' || task === 'classification' || task === 'transformation';
  const volumes = volumetric && datasetRoot ? probeVolumeShapes(datasetRoot) : [];
  const chain = volumes.length ? volumeChain(volumes, task) : PREPROCESSING[task];
  const steps = chain.filter(([type]) => registry.get(type));
  steps.forEach(([type, params], index) => {
    nodes.push(makeNode(registry, type, type, params, { x: 260 * (index + 1), y: 0 }));
  });
  if (registry.get('neural-network')) {
    // Volumes: already z-scored (a transformation pair is scaled by the network); a small 3-D network (auto picks unet3d, cnn3d or unet3d-regression for 3-D data) in small batches.
    const patchSize = volumes.length && patchedTask(task) ? patchSizeFor(volumes) : undefined;
    const network = volumes.length
      ? {
          task,
          baseFilters: 8,
          depth: 2,
          batchSize: 2,
          ...(task === 'transformation' ? {} : { normalization: 'none' }),
          ...(patchSize ? { patchSize } : {}),
        }
      : { task };
    nodes.push(
      makeNode(registry, 'neural-network', 'network', network, { x: 260 * (steps.length + 1), y: 0 }),
    );
  }
  const edges = nodes.slice(1).map((node, index) => ({
    id: `e-${nodes[index].id}-${node.id}`,
    source: nodes[index].id,
    target: node.id,
    targetPort: 'in',
  }));
  return { nodes, edges };
}
