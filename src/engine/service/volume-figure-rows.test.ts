/**
 * Per-volume test figures: stored in their own table of a real project file with the test row
 * and read back unchanged (ids with quotes, spaces, unicode), and listed worst first by the rules every front end shares.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sortVolumeRows, volumeFigureColumns, volumeFigureLines, type VolumeFigureRow } from '../api';
import { ProjectStore } from '../store/project-store';

const dir = mkdtempSync(join(tmpdir(), 'phi-volume-rows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ROWS: VolumeFigureRow[] = [
  { id: 'a.nii.gz', figures: { mae: 2, mse: 5, rmse: Math.sqrt(5), psnr: 31.5 } },
  { id: 'sub "dir"/b c.nii.gz', figures: { mae: 7.25, mse: 60, rmse: Math.sqrt(60), psnr: 22 } },
  { id: 'c ü 脳.nii.gz', figures: { mae: 4, mse: 20, rmse: Math.sqrt(20), psnr: null } },
];

describe('per-volume test figures', () => {
  it('are stored in their own table with the test row and read back by run and node, in order', () => {
    const path = join(dir, 'p.phiproj');
    const store = ProjectStore.create(path, { graph: { nodes: [], edges: [] } });
    const run = store.startRun({ mode: 'all', seed: 1, appVersion: '0.1.0', nodeVersions: {} });
    const other = store.startRun({ mode: 'sample', seed: 2, appVersion: '0.1.0', nodeVersions: {} });
    store.recordTest(run, 'net', { mae: 4.4, psnr: 25.1, items: 3 }, ROWS);
    store.recordTest(other, 'net', { mae: 1, items: 1 }, [{ id: 'a.nii.gz', figures: { mae: Number.NaN } }]);
    store.recordTest(run, '2d', { accuracy: 0.5, items: 4 }, []);
    store.close();

    const reopened = ProjectStore.open(path);
    expect(reopened.epochs('net', run)).toEqual([
      { runId: run, epoch: 0, split: 'test', metrics: { mae: 4.4, psnr: 25.1, items: 3 } },
    ]);
    expect(reopened.volumeFigures(run, 'net')).toEqual(ROWS);
    // A figure that is not a number is undefined, as in the epochs' JSON.
    expect(reopened.volumeFigures(other, 'net')).toEqual([{ id: 'a.nii.gz', figures: { mae: null } }]);
    expect(reopened.volumeFigures(run, '2d')).toEqual([]);

    // Recorded again (a resumed test), the rows are replaced, not added to.
    reopened.recordTest(run, 'net', { mae: 2, items: 1 }, ROWS.slice(2));
    expect(reopened.volumeFigures(run, 'net')).toEqual(ROWS.slice(2));
    // A run that is not in the project keeps neither the row nor its volumes.
    expect(() => reopened.recordTest('no-such-run', 'net', { mae: 1 }, ROWS)).toThrow(
      /has no run "no-such-run"/,
    );
    expect(reopened.volumeFigures('no-such-run', 'net')).toEqual([]);
    reopened.close();

    // The rows go with their run.
    const db = new Database(path);
    db.pragma('foreign_keys = ON');
    db.prepare('DELETE FROM runs WHERE id = ?').run(run);
    expect(db.prepare('SELECT DISTINCT run_id FROM volume_figures').all()).toEqual([{ run_id: other }]);
    db.close();
  });

  it('list worst first by the first column, undefined values last, and print with run and count', () => {
    const columns = volumeFigureColumns(ROWS, []);
    expect(columns.map((c) => c.label)).toEqual(['MAE', 'RMSE', 'PSNR dB']);
    expect(sortVolumeRows(ROWS, columns[0]).map((r) => r.figures.mae)).toEqual([7.25, 4, 2]);
    expect(sortVolumeRows(ROWS, columns[0], false).map((r) => r.figures.mae)).toEqual([2, 4, 7.25]);
    // PSNR: higher is better, so the lowest comes first; a volume without one comes last either way.
    expect(sortVolumeRows(ROWS, columns[2]).map((r) => r.figures.psnr)).toEqual([22, 31.5, null]);
    expect(sortVolumeRows(ROWS, columns[2], false).map((r) => r.figures.psnr)).toEqual([31.5, 22, null]);
    expect(volumeFigureLines(ROWS, [], 'R1')).toEqual([
      'Test split of run R1 · 3 volumes · each in its source geometry, worst MAE first:',
      '  sub "dir"/b c.nii.gz: MAE 7.250, RMSE 7.746, PSNR dB 22.00',
      '  c ü 脳.nii.gz: MAE 4.000, RMSE 4.472, PSNR dB —',
      '  a.nii.gz: MAE 2.000, RMSE 2.236, PSNR dB 31.50',
    ]);
  });

  it('of a segmentation: mean Dice worst first, then Dice and HD95 of each foreground class by name', () => {
    const rows: VolumeFigureRow[] = [
      { id: 'x', figures: { macroDice: 0.9, 'dice:1': 0.95, 'hd95:1': 1.5, 'dice:2': 0.85, 'hd95:2': 3 } },
      { id: 'y', figures: { macroDice: 0.4, 'dice:1': 0.8, 'hd95:1': 2, 'dice:2': 0, 'hd95:2': null } },
    ];
    const columns = volumeFigureColumns(rows, ['background', 'liver', 'tumour']);
    expect(columns.map((c) => c.label)).toEqual([
      'Dice (mean over foreground classes)',
      'Dice liver',
      'HD95 mm liver',
      'Dice tumour',
      'HD95 mm tumour',
    ]);
    expect(sortVolumeRows(rows, columns[0]).map((r) => r.id)).toEqual(['y', 'x']);
    expect(sortVolumeRows(rows, columns[2]).map((r) => r.id)).toEqual(['y', 'x']);
  });
});
