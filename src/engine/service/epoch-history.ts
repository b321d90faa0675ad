/**
 * The training curve of a network node as the Output tab shows it: the
 * latest run's epochs, preceded by the epochs of the runs it resumed (a
 * resumed run starts at the epoch after its checkpoint). Full runs and sample
 * runs train apart (their models live apart), so each curve is made of runs
 * of its own kind only.
 */
import type { EpochRecord } from '../store/records';
import type { ProjectStore } from '../store/project-store';

/** Epoch rows of `node` from sample runs (`sample`) or full runs, oldest first, stitched across resumed runs. */
export function epochHistory(store: ProjectStore, node: string, sample: boolean): EpochRecord[] {
  const ofKind = store
    .runs()
    .filter((run) => (run.mode === 'sample') === sample)
    .reverse();
  const latestRun = ofKind.find((run) => store.epochs(node, run.id).length > 0);
  if (!latestRun) return [];
  const latest = store.epochs(node, latestRun.id);
  const rows = [...latest];
  let first = Math.min(...latest.map((r) => r.epoch));
  const earlier = ofKind.slice(ofKind.indexOf(latestRun) + 1);
  for (const run of earlier) {
    if (first <= 1) break;
    const before = store.epochs(node, run.id).filter((r) => r.epoch < first);
    if (before.length === 0) continue;
    rows.unshift(...before);
    first = Math.min(...before.map((r) => r.epoch));
  }
  return rows;
}
