/**
 * Mapping a 3-D transformation's float output back to its source volume (imaging/geometry-steps.ts,
 * `resampleVolumeToSource`): linear across slices too (what `phi predict` and the source-geometry
 * test metrics do) against bilinear in-plane from the nearest slice (the baseline, the mapping
 * before slices were interpolated), on the same grid, source and slice map in the same run; CPU
 * milliseconds of each (median of the repeats) and their ratio.
 *
 * `node bin/run-ts.mjs bench/volume-back.ts [--source 120x256x256] [--grid 96x192x192] [--repeats 5]`
 */
import { parseArgs } from 'node:util';
import { resampleToSource, resampleVolumeToSource } from '../src/engine/imaging/geometry-steps';
import { seededValues } from '../src/engine/test-support/arrays';

const { values } = parseArgs({
  options: {
    source: { type: 'string', default: '120x256x256' },
    grid: { type: 'string', default: '96x192x192' },
    repeats: { type: 'string', default: '5' },
  },
});
const [sd, sh, sw] = values.source.split('x').map(Number);
const [gd, gh, gw] = values.grid.split('x').map(Number);
const repeats = Number(values.repeats);
const output = seededValues(gd * gh * gw, 3, -1000, 1000);
const grid = { depth: gd, height: gh, width: gw, channels: 1 };
// Source pixel centres scale onto the grid as Resample to Spacing records it.
const toGrid: [number, number, number, number, number, number] = [gw / sw, 0, 0, 0, gh / sh, 0];
const depthMap = { scale: gd / sd, offset: 0 };
const source = { depth: sd, height: sh, width: sw };

/** Bilinear in-plane from the slice each source slice's centre falls in. */
function nearestSlice(): Float32Array {
  const perGrid = gh * gw;
  const out = new Float32Array(sd * sh * sw);
  for (let z = 0; z < sd; z++) {
    const k = Math.min(Math.floor(depthMap.scale * (z + 0.5) + depthMap.offset), gd - 1);
    const slice = output.subarray(k * perGrid, (k + 1) * perGrid);
    out.set(resampleToSource(slice, grid, toGrid, source, 'bilinear'), z * sh * sw);
  }
  return out;
}

function medianMs(run: () => unknown): number {
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const start = process.cpuUsage();
    run();
    const used = process.cpuUsage(start);
    times.push((used.user + used.system) / 1000);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

const baseline = medianMs(nearestSlice);
const trilinear = medianMs(() => resampleVolumeToSource(output, grid, toGrid, depthMap, source, 'bilinear'));
console.log(
  `grid ${values.grid} -> source ${values.source}: nearest slice ${baseline.toFixed(0)} ms, trilinear ${trilinear.toFixed(0)} ms, ratio ${(trilinear / baseline).toFixed(2)}`,
);
