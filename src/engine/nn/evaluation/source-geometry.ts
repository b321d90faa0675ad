/**
 * Test metrics in the source geometry (docs/metrics.md, "Test metrics in the
 * source geometry"): each test item is read from the dataset as it is on disk,
 * run through the node's chain and trained network exactly as `phi predict`
 * runs it, and its prediction is mapped back through the geometry the chain's
 * modules recorded (a mask onto the source grid by nearest class, a
 * transformation's output by linear reading (across slices too), boxes into source pixels). It
 * is then compared with the dataset's own target, so a Resize (or crop) in
 * the chain does not change what the figures are measured on. A volume's mask
 * is measured on its own (volume-figures.ts), as `phi metrics` measures NIfTI
 * label volumes.
 */
import type { EpochMetrics, Sample, VolumeFigureRow } from '../../api';
import type { DatasetSource } from '../../graph/node-type';
import {
  boxesToSource,
  resampleToSource,
  resampleVolumeToSource,
  sourceDepthToSample,
  sourceToSample,
} from '../../imaging/geometry-steps';
import { geometry as sizeOf } from '../../imaging/image';
import { applyChain, type ChainStep } from '../../run/chain';
import { decodeOutput } from '../detection/centernet';
import { classMask, runSample, type Trained } from '../predict';
import { RegressionAccumulator } from '../metrics/regression';
import { EpochAccumulator } from '../train/epoch-metrics';
import { VolumeFigures } from './volume-figures';

/** The test split's figures measured against the dataset's own targets. */
export interface SourceGeometryResult {
  metrics: EpochMetrics;
  /** Segmentation: pixel (voxel) counts `[true][predicted]` over the source grids; empty otherwise. */
  confusion: number[][];
  /** Items the figures were computed on. */
  items: number;
  /** A 3-D segmentation's or transformation's figures of each volume on its own; empty otherwise. */
  volumes: VolumeFigureRow[];
  /** Test items the chain dropped, and those that failed (with the reason). */
  dropped: number;
  failed: { id: string; reason: string }[];
}

/** An item that could not be measured where every item must be. */
export class ItemRefused extends Error {
  constructor(
    readonly item: string,
    readonly reason: string,
  ) {
    super(`${item}: ${reason}`);
  }
}

/** The class-index mask of a sample's label on its own grid, or a sentence saying why there is none. */
function truthMask(sample: Sample): Uint8Array | Float32Array | Uint16Array | Int16Array {
  if (sample.label?.kind !== 'mask') throw new Error('the dataset gives no mask for this item');
  return sample.label.mask.data;
}

/**
 * Measures the trained network on the dataset items `ids` (the test split)
 * in their source geometry. Segmentation, transformation and detection only;
 * a classifier's figures do not depend on the grid.
 */
export async function sourceGeometryMetrics(
  trained: Trained,
  chain: ChainStep[],
  source: DatasetSource,
  ids: ReadonlySet<string>,
  signal?: AbortSignal,
  /** Throw, naming the item, when an item cannot be measured, rather than leave it out. */
  refuseFailures = false,
): Promise<SourceGeometryResult> {
  const { geometry, params } = trained.manifest;
  if (geometry.task === 'classification')
    throw new Error('a classifier has no source geometry to map its outputs to');
  const volumetric = geometry.inputShape.length === 4;
  if (volumetric && geometry.task === 'detection')
    throw new Error('the boxes of a 3-D network are not mapped back to source volumes');
  const detection =
    geometry.task === 'detection'
      ? {
          gh: geometry.grid!.h,
          gw: geometry.grid!.w,
          stride: geometry.grid!.stride,
          threshold: params.detectionThreshold,
        }
      : undefined;
  const acc = new EpochAccumulator(geometry.task, geometry.classes, detection);
  const volumes =
    volumetric && geometry.task === 'segmentation' ? new VolumeFigures(geometry.classes) : undefined;
  const transformedVolumes: VolumeFigureRow[] = [];
  const failed: SourceGeometryResult['failed'] = [];
  let dropped = 0;
  let items = 0;
  for (const item of source.items) {
    if (!ids.has(item.id)) continue;
    signal?.throwIfAborted();
    try {
      const original = await source.load(item);
      const sample = await applyChain(chain, original);
      if (!sample) {
        dropped++;
        continue;
      }
      const { out, offset, scale } = runSample(trained, sample);
      const at = sizeOf(original.image);
      const toGrid = sourceToSample(sample, at);
      const grid = sizeOf(sample.image);
      if (geometry.task === 'segmentation') {
        const pixels = grid.depth * grid.height * grid.width;
        const predicted = classMask(out, pixels, geometry.classes);
        const mask = volumetric
          ? resampleVolumeToSource(
              predicted,
              { ...grid, channels: 1 },
              toGrid,
              sourceDepthToSample(sample, at.depth),
              at,
              'nearest',
            )
          : resampleToSource(predicted, { ...grid, channels: 1 }, toGrid, at, 'nearest');
        const truth = truthMask(original);
        if (truth.length !== mask.length)
          throw new Error(`its mask has ${truth.length} values but the image ${mask.length} pixels`);
        const counts = new Array<number>(geometry.classes * geometry.classes).fill(0);
        for (let i = 0; i < truth.length; i++) {
          if (truth[i] >= geometry.classes)
            throw new Error(
              `its mask holds class ${truth[i]}, which the network does not know (it has ${geometry.classes} classes)`,
            );
          counts[truth[i] * geometry.classes + mask[i]]++;
        }
        volumes?.add(original, mask);
        acc.addConfusion(counts);
      } else if (geometry.task === 'transformation') {
        if (original.label?.kind !== 'target') throw new Error('the dataset gives no target for this item');
        const target = original.label.target;
        const channels = geometry.targetChannels ?? 1;
        const targetChannels = sizeOf(target).channels;
        if (targetChannels !== channels)
          throw new Error(
            `its target has ${targetChannels} channel(s) but the network predicts ${channels}: a module in the chain changed the target's channels`,
          );
        const inUnits = Float32Array.from(out, (v) => v * scale + offset);
        // As phi predict writes a 3-D network's output volume: linear in-plane and across slices.
        const predicted = volumetric
          ? resampleVolumeToSource(
              inUnits,
              { ...grid, channels },
              toGrid,
              sourceDepthToSample(sample, at.depth),
              at,
              'bilinear',
            )
          : resampleToSource(inUnits, { ...grid, channels }, toGrid, at, 'bilinear');
        if (target.data.length !== predicted.length)
          throw new Error(`its target is not the size of its image (${at.width}x${at.height})`);
        acc.addTarget(target.data, predicted);
        if (volumetric) {
          // PSNR with this volume's own target range, as the run log's per-volume lines give it.
          const own = new RegressionAccumulator();
          own.add(target.data, predicted);
          const { mae, mse, rmse, psnr } = own.metrics();
          transformedVolumes.push({ id: item.id, figures: { mae, mse, rmse, psnr } });
        }
      } else {
        const d = detection!;
        const found = decodeOutput(out, d.gh, d.gw, geometry.classes, d.stride, d.threshold);
        const truth = original.label?.kind === 'boxes' ? original.label.boxes : [];
        acc.addDetections({ truth, predictions: boxesToSource(found, toGrid, at) });
      }
      items++;
    } catch (error) {
      if (signal?.aborted) throw error;
      if (refuseFailures) throw new ItemRefused(item.id, (error as Error).message);
      failed.push({ id: item.id, reason: (error as Error).message });
    }
  }
  // The loss is the network's, on its own grid: it has no meaning in the source geometry.
  const { loss: _loss, ...metrics } = acc.metrics();
  return {
    metrics: volumes ? volumes.metrics() : metrics,
    confusion: geometry.task === 'segmentation' ? acc.confusionRows() : [],
    items,
    volumes: volumes ? volumes.rows() : transformedVolumes,
    dropped,
    failed,
  };
}
