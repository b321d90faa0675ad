/**
 * External evaluation of a 3-D segmentation network on nibabel-made MSD phantoms: the network
 * (resampled to 1.5 mm and padded to its grid) is trained by the engine; `phi evaluate` on
 * another MSD folder stores per-volume rows and a Dice, HD95 and mean surface distance in mm
 * equal to `phi metrics` on `phi predict`'s NIfTI masks of that folder; a folder whose label
 * volume holds a class the network does not know is refused.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatValue, volumeClassKey } from '../api';
import { releaseTrained } from '../nn/predict';
import { ProjectStore } from '../store/project-store';
import { runPhi } from '../test-support/cli-io';
import { GraphBuilder } from '../test-support/pipeline';
import { createBuiltinRegistry } from './builtin-registry';
import { evaluatedOn, predictedSegmentationMetrics } from '../test-support/predicted-metrics';
import { MSD_PHANTOMS_PY } from '../test-support/msd-phantoms';
import { withOpenProject } from '../test-support/open-project';
import { pythonWith, runPython } from '../test-support/python';

const dir = mkdtempSync(join(tmpdir(), 'phi-external-volumes-'));
afterAll(() => {
  releaseTrained();
  rmSync(dir, { recursive: true, force: true });
});

const python = pythonWith(['nibabel', 'numpy'], 'python3-nibabel');
const MAKE = `${MSD_PHANTOMS_PY}
import sys
write_msd(sys.argv[1], int(sys.argv[2]), np.random.default_rng(int(sys.argv[3])), shape=(20, 20, 12), radius2=20)
`;

/** Sets one voxel of the label volume argv[1] to class 2. */
const MARK_CLASS_2 = `
import sys
import nibabel as nib, numpy as np
img = nib.load(sys.argv[1])
data = np.asarray(img.dataobj).copy()
data[0, 0, 0] = 2
nib.save(nib.Nifti1Image(data, img.affine), sys.argv[1])
`;

function project(path: string): void {
  const graph = new GraphBuilder(createBuiltinRegistry())
    .chain(
      ['data', 'dataset', { path: 'train', task: 'segmentation' }],
      ['resample', 'resample-spacing', { spacingX: 1.5, spacingY: 1.5, spacingZ: 1.5 }],
      ['pad', 'crop-or-pad', { depth: 8, height: 16, width: 16 }],
      [
        'net',
        'neural-network',
        {
          task: 'segmentation',
          architecture: 'unet3d',
          backend: 'wasm',
          baseFilters: 8,
          depth: 2,
          patchSize: '8x8x8',
          patchForeground: 0.75,
          batchSize: 4,
          epochs: 20,
          learningRate: 0.01,
        },
      ],
    )
    .build();
  ProjectStore.create(path, { graph }).close();
}

/** `c0` of `imagesTr/c0.nii.gz`, of `c0.nii.gz` and of `c0`. */
const caseName = (name: string): string => basename(name).replace(/\.nii(\.gz)?$/, '');

describe('external evaluation of a 3-D segmentation network', () => {
  it('stores per-volume rows and the HD95 phi metrics gives on phi predict masks of the folder', async () => {
    runPython(python, MAKE, [join(dir, 'train'), '14', '3']);
    const external = join(dir, 'external');
    runPython(python, MAKE, [external, '4', '41']);
    const path = join(dir, 'vol.phiproj');
    project(path);
    await withOpenProject(join(dir, 'cache'), path, async (engine) => {
      const result = await engine.run({ mode: 'all' });
      expect(result.errors).toEqual([]);
      expect(result.status).toBe('done');
    });

    const record = await evaluatedOn(dir, path, external);
    const report = await predictedSegmentationMetrics(
      dir,
      path,
      join(external, 'imagesTr'),
      join(external, 'labelsTr'),
      join(dir, 'masks'),
      ['--classes', '2'],
    );
    console.log(
      `3-D external folder, ${record.items} volumes in the source geometry: stored ${JSON.stringify(record.metrics)}; phi metrics ${JSON.stringify(report.perClass)}`,
    );

    expect(record).toMatchObject({ task: 'segmentation', geometry: 'source', items: 4 });
    expect(record.classes).toEqual(['background', 'lesion']);
    for (const metric of ['dice', 'iou', 'hd95', 'msd'] as const) {
      const stored = record.metrics[metric] as (number | null)[];
      expect(stored[0]).toBeNull();
      expect(stored.slice(1)).toEqual(report.perClass[metric]);
    }
    expect(record.metrics.macroHd95).toBe(report.macro.hd95);
    // The network finds the lesions, so the distances are measured, not undefined.
    expect(record.metrics.macroHd95).toEqual(expect.any(Number));
    expect(record.volumes).toHaveLength(4);
    expect(report.volumes).toHaveLength(4);
    for (const row of record.volumes ?? []) {
      const volume = report.volumes.find((v) => caseName(v.name) === caseName(row.id));
      expect(volume, row.id).toBeDefined();
      expect(row.figures[volumeClassKey('dice', 1)]).toBe(volume?.perClass.dice[0]);
      expect(row.figures[volumeClassKey('hd95', 1)]).toBe(volume?.perClass.hd95[0]);
    }

    // The text gives each volume's row under the folder's heading.
    const text = await runPhi(dir, ['evaluate', path, '--node', 'net', '--dataset', external]);
    expect(text.out).toContain(`4 volumes of ${external}, run `);
    expect(text.out).toContain(`External folder ${external} of run `);
    expect(text.out).toContain('4 volumes · each in its source geometry, worst');

    // The report gives each volume's row under the folder's name (never a volume's).
    expect((await runPhi(dir, ['report', path, join(dir, 'report.html')])).code).toBe(0);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain(
      `External folder external of run ${record.runId} · 4 volumes · each in its source geometry`,
    );
    expect(html).toContain('aria-label="External validation 1: figures per volume"');
    expect(html).toContain(
      `<td>HD95 mm, lesion</td><td class="num">${formatValue(report.perClass.hd95[0])}</td>`,
    );

    // A label volume holding a class the network does not know refuses the folder; nothing is stored.
    const unknown = join(dir, 'unknown-class');
    runPython(python, MAKE, [unknown, '2', '43']);
    runPython(python, MARK_CLASS_2, [join(unknown, 'labelsTr', 'c1.nii.gz')]);
    const refused = await runPhi(dir, ['evaluate', path, '--node', 'net', '--dataset', unknown]);
    expect(refused.code).not.toBe(0);
    expect(refused.err).toBe(
      `phi evaluate: ${unknown} is refused at imagesTr/c1.nii.gz: Mask labelsTr/c1.nii.gz holds the value 2, which the class map does not list; correct or remove that item\n`,
    );
    const history = await withOpenProject(join(dir, 'cache'), path, (engine) =>
      engine.getEvaluation({ node: 'net' }),
    );
    expect(history.measured?.map((m) => m.dataset)).toEqual([external, external]);
  }, 600_000);
});
