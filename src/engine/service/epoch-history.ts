/**
 * The training curve of a network node as the Output tab shows it: the
 * latest training's epochs, preceded by the epochs of the runs it resumed (a
 * resumed run starts at the epoch after its checkpoint). A run that trained no
 * epoch (the model already had them: only the test split was evaluated) keeps
 * the curves of the training before it. The test row is the latest one of
 * that model: never older than its curves. Full runs and sample runs train
 * apart (their models live apart), so each curve is made of runs of its own
 * kind only; tuning trials are never the node's own curves.
 */
import type { EpochRecord } from '../store/records';
import type { ProjectStore } from '../store/project-store';

/**
 * Epoch rows of `node` from sample runs (`sample`) or full runs, oldest first,
 * stitched across resumed runs; the test row last. With `asOf`, the history as
 * it stood after that run (the Output tab's run picker).
 */
export function epochHistory(
  store: ProjectStore,
  node: string,
  sample: boolean,
  asOf?: string,
): EpochRecord[] {
  const all = store
    .runs()
    .filter((run) => run.mode !== 'tuning' && (run.mode === 'sample') === sample)
    .reverse();
  const from = asOf ? all.findIndex((run) => run.id === asOf) : 0;
  const ofKind = all.slice(Math.max(0, from));
  const byRun = new Map(ofKind.map((run) => [run.id, store.epochs(node, run.id)]));
  const curve = (run: { id: string }): EpochRecord[] =>
    (byRun.get(run.id) ?? []).filter((r) => r.split === 'train' || r.split === 'validation');
  const testOf = (run: { id: string }): EpochRecord | undefined =>
    (byRun.get(run.id) ?? []).find((r) => r.split === 'test');
  const latestIndex = ofKind.findIndex((run) => curve(run).length > 0);
  // The latest test evaluation, unless a training after it has not been evaluated yet.
  const testIndex = ofKind.findIndex((run) => testOf(run) !== undefined);
  const test =
    testIndex >= 0 && (latestIndex < 0 || testIndex <= latestIndex) ? testOf(ofKind[testIndex]) : undefined;
  if (latestIndex < 0) return test ? [test] : [];
  const rows = [...curve(ofKind[latestIndex])];
  let first = Math.min(...rows.map((r) => r.epoch));
  for (const run of ofKind.slice(latestIndex + 1)) {
    if (first <= 1) break;
    const before = curve(run).filter((r) => r.epoch < first);
    if (before.length === 0) continue;
    rows.unshift(...before);
    first = Math.min(...before.map((r) => r.epoch));
  }
  return test ? [...rows, test] : rows;
}
