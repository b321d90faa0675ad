/**
 * The `volume_figures` table: a 3-D network's test figures per volume (docs/metrics.md,
 * "Per-volume figures"), one row per run, node, item and figure. The rows of a run and node
 * are written together, in the order the evaluation listed them, and read back in that order.
 */
import type Database from 'better-sqlite3';
import type { VolumeFigureRow } from '../api/volume-figures';

/** Replaces the rows of `runId` and `node` by `volumes` (the caller holds the transaction). */
export function writeVolumeFigures(
  db: Database.Database,
  runId: string,
  node: string,
  volumes: readonly VolumeFigureRow[],
): void {
  db.prepare('DELETE FROM volume_figures WHERE run_id = ? AND node = ?').run(runId, node);
  const insert = db.prepare(
    'INSERT INTO volume_figures (run_id, node, item, figure, value) VALUES (?, ?, ?, ?, ?)',
  );
  for (const volume of volumes)
    for (const [figure, value] of Object.entries(volume.figures))
      // As in the epochs' JSON: a figure that is not a finite number is undefined ("—").
      insert.run(runId, node, volume.id, figure, value !== null && Number.isFinite(value) ? value : null);
}

/** The rows of `runId` and `node`, one per volume, volumes and figures in the order written. */
export function readVolumeFigures(db: Database.Database, runId: string, node: string): VolumeFigureRow[] {
  const rows = db
    .prepare('SELECT item, figure, value FROM volume_figures WHERE run_id = ? AND node = ? ORDER BY rowid')
    .all(runId, node) as { item: string; figure: string; value: number | null }[];
  const volumes = new Map<string, VolumeFigureRow>();
  for (const row of rows) {
    const volume = volumes.get(row.item) ?? { id: row.item, figures: {} };
    volume.figures[row.figure] = row.value;
    volumes.set(row.item, volume);
  }
  return [...volumes.values()];
}
