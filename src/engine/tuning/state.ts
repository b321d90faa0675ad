/**
 * Reading searches back from the project file: the Auto Tuning tab's trials
 * and top-5 table (also after the project is reopened), and the full params
 * of a trial for Apply.
 */
import type { Trial, TrialTally, TuningState } from '../api';
import type { ProjectStore } from '../store/project-store';
import type { TuningTrialRecord } from '../store/records';
import { lowerIsBetter } from './fitness';
import {
  SearchRecordSchema,
  TrialParamsRecordSchema,
  TrialResultRecordSchema,
  TUNING_RUN_MODE,
  searchSettingKey,
  type SearchRecord,
  type TrialParamsRecord,
} from './records';

/** Entries of the per-metric table. */
export const TOP_COUNT = 5;

/** The latest search of a node, or undefined when it was never tuned. */
export function latestSearch(store: ProjectStore, node: string): SearchRecord | undefined {
  const raw = store.getSetting<unknown>(searchSettingKey(node));
  if (raw === undefined) return undefined;
  const parsed = SearchRecordSchema.safeParse(raw);
  if (!parsed.success)
    throw new Error(`${store.path}: the saved tuning search of node "${node}" is not valid`);
  return parsed.data;
}

function parseTrialParams(store: ProjectStore, record: TuningTrialRecord): TrialParamsRecord {
  const parsed = TrialParamsRecordSchema.safeParse(record.params);
  if (!parsed.success) throw new Error(`${store.path}: tuning trial "${record.id}" has invalid params`);
  return parsed.data;
}

/**
 * A stored trial as the contract shows it; one never finished reads as
 * cancelled, as does one left queued or running on a cluster by a search that
 * no longer runs (resuming the search collects it).
 */
function toTrial(store: ProjectStore, record: TuningTrialRecord, running = false): Trial {
  const params = parseTrialParams(store, record);
  if (record.metrics === undefined) {
    return {
      id: record.id,
      generation: params.generation,
      params: params.searched,
      metrics: {},
      score: null,
      status: 'cancelled',
      message: 'stopped before it finished',
    };
  }
  const result = TrialResultRecordSchema.safeParse(record.metrics);
  if (!result.success) throw new Error(`${store.path}: tuning trial "${record.id}" has invalid metrics`);
  const live = result.data.status === 'queued' || result.data.status === 'running';
  if (live && !running) {
    return {
      id: record.id,
      generation: params.generation,
      params: params.searched,
      metrics: {},
      score: null,
      status: 'cancelled',
      message: `stopped following Slurm job ${result.data.job ?? '?'} before it finished: resume the search to collect it`,
    };
  }
  return {
    id: record.id,
    generation: params.generation,
    params: params.searched,
    metrics: result.data.metrics,
    score: result.data.score,
    status: result.data.status,
    ...(result.data.message === undefined ? {} : { message: result.data.message }),
  };
}

/**
 * Per metric name, the ids of the five best finished trials, best first
 * (lower first for loss, MAE, MSE, RMSE, MSLE); ties keep trial order, null
 * values are left out.
 */
export function topTrials(trials: readonly Trial[], count = TOP_COUNT): Record<string, string[]> {
  const names = new Set<string>();
  for (const trial of trials)
    if (trial.status === 'done') Object.keys(trial.metrics).forEach((n) => names.add(n));
  const top: Record<string, string[]> = {};
  for (const name of [...names].sort()) {
    const lower = lowerIsBetter(name);
    const ranked = trials
      .map((trial, index) => ({ trial, index, value: trial.metrics[name] }))
      .filter(
        (entry): entry is typeof entry & { value: number } =>
          entry.trial.status === 'done' && typeof entry.value === 'number',
      )
      .sort((a, b) =>
        a.value !== b.value ? (lower ? a.value - b.value : b.value - a.value) : a.index - b.index,
      );
    top[name] = ranked.slice(0, count).map((entry) => entry.trial.id);
  }
  return top;
}

/**
 * The latest search of `node`: its finished trials in the order they ran (a
 * trial still training is left out while the search runs) and the top five
 * per metric. An empty state when the node was never tuned.
 */
export function tuningState(store: ProjectStore, node: string): TuningState {
  const search = latestSearch(store, node);
  if (search === undefined) return { node, running: false, trials: [], top: {} };
  const run = store.runs().find((r) => r.id === search.runId);
  const running = run?.status === 'running';
  const records = store.trials(search.runId);
  const trials = records
    .filter((record) => !(running && record.metrics === undefined))
    .map((record) => toTrial(store, record, running));
  const state: TuningState = {
    node,
    metric: search.metric,
    goal: search.goal,
    running,
    trials,
    top: topTrials(trials),
  };
  if (running || search.tally === undefined) return state;
  const count = (status: Trial['status']): number => trials.filter((t) => t.status === status).length;
  const tally: TrialTally = {
    asked: search.population * search.generations,
    done: count('done'),
    failed: count('failed'),
    cancelled: count('cancelled'),
    ...search.tally,
  };
  return { ...state, tally, summary: describeTally(tally, search.population, search.generations) };
}

/**
 * A search's tally in words; the parts add up to the trials asked, e.g. "12
 * trials asked (4 x 3): 8 trained (7 done, 1 failed); 3 kept from the
 * generation before (not trained again); 1 not tried: no values left that
 * were not tried already".
 */
export function describeTally(tally: TrialTally, population: number, generations: number): string {
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const trained = tally.done + tally.failed + tally.cancelled;
  const outcomes = [
    tally.done > 0 || trained === 0 ? `${tally.done} done` : '',
    tally.failed > 0 ? `${tally.failed} failed` : '',
    tally.cancelled > 0 ? `${tally.cancelled} cancelled` : '',
  ].filter(Boolean);
  const parts = [`${trained} trained (${outcomes.join(', ')})`];
  if (tally.carried > 0)
    parts.push(
      `${tally.carried} kept from the generation before (the best carry over unchanged and are not trained again)`,
    );
  if (tally.exhausted > 0)
    parts.push(`${tally.exhausted} not tried: no values were left that had not been tried already`);
  if (tally.stopped > 0) parts.push(`${tally.stopped} not run: the search was cancelled`);
  return `${plural(tally.asked, 'trial')} asked (population ${population} x ${generations} generation${generations === 1 ? '' : 's'}): ${parts.join('; ')}`;
}

/**
 * The full params to apply to `node` for one of its trials: the node's params
 * at the time of the search with the trial's searched values. Only finished
 * trials can be applied.
 */
export function trialParams(store: ProjectStore, node: string, trialId: string): Record<string, unknown> {
  // Trial ids are `<run id>-t<hex>`: look in the tuning run they belong to.
  const run = store.runs().find((r) => r.mode === TUNING_RUN_MODE && trialId.startsWith(`${r.id}-t`));
  const record = run === undefined ? undefined : store.trials(run.id).find((t) => t.id === trialId);
  if (record === undefined) throw new Error(`No tuning trial "${trialId}" in ${store.path}`);
  const params = parseTrialParams(store, record);
  if (params.node !== node) {
    throw new Error(`Tuning trial "${trialId}" belongs to node "${params.node}", not "${node}"`);
  }
  const trial = toTrial(store, record);
  if (trial.status !== 'done') {
    throw new Error(
      `Tuning trial "${trialId}" ${trial.status === 'failed' ? 'failed' : 'did not finish'}: apply a finished one`,
    );
  }
  return { ...params.params };
}
