/**
 * The training curve of a network node as the Output tab shows it: the
 * latest run's epochs, preceded by the epochs of the runs it resumed (a
 * resumed run starts at the epoch after its checkpoint).
 */
import type { EpochRecord } from '../store/records';
import type { ProjectStore } from '../store/project-store';

/** Epoch rows of `node`, oldest first, stitched across resumed runs. */
export function epochHistory(store: ProjectStore, node: string): EpochRecord[] {
  const latest = store.epochs(node);
  if (latest.length === 0) return latest;
  const rows = [...latest];
  let first = Math.min(...latest.map((r) => r.epoch));
  const earlier = store
    .runs()
    .filter((run) => run.id !== latest[0].runId)
    .reverse();
  for (const run of earlier) {
    if (first <= 1) break;
    const before = store.epochs(node, run.id).filter((r) => r.epoch < first);
    if (before.length === 0) continue;
    rows.unshift(...before);
    first = Math.min(...before.map((r) => r.epoch));
  }
  return rows;
}
