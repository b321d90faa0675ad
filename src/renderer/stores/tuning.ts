/**
 * The Auto Tuning tab's state for one network node: which params are ticked
 * for the search (with ranges or choices), the metric and goal, population
 * and generations; the trials as they arrive; the score curve and the top
 * five per metric. Pure helpers are exported for the tests.
 */
import { action, computed, makeObservable, observable, observableRef, runInAction } from 'mobx';
import type { SearchDimension, Trial, TrialTally, TuningState } from '../../engine/api';
import type { ParamField } from './param-form';
import { errorMessage } from './format';

/** One row of the search form: a param, ticked or not, and what to try. */
export interface SearchChoice {
  param: string;
  ticked: boolean;
  /** Numbers: the range. */
  min?: number;
  max?: number;
  log?: boolean;
  integer?: boolean;
  /** Enums and booleans: the values tried. */
  values?: unknown[];
}

/** Params a search never varies: they change what is learnt, not how well. */
const NOT_SEARCHABLE = new Set(['task', 'seed', 'backend', 'classWeights', 'earlyStoppingClass']);

/** Fields of the network's schema that the tuner may vary (numbers, enums, booleans). */
export function searchableFields(fields: ParamField[]): ParamField[] {
  return fields.filter(
    (f) => !NOT_SEARCHABLE.has(f.name) && (f.kind === 'number' || f.kind === 'enum' || f.kind === 'boolean'),
  );
}

/** True for rate-like params, searched on a log scale by default. */
export function isRateLike(name: string): boolean {
  return /rate|^lr$/i.test(name);
}

/**
 * The starting row of a field: numbers get a range around the current value
 * within the bounds (a decade either way, log scale, for rates); enums and
 * booleans offer every value.
 */
export function defaultChoice(field: ParamField, current: unknown): SearchChoice {
  if (field.kind === 'boolean') return { param: field.name, ticked: false, values: [true, false] };
  if (field.kind === 'enum') return { param: field.name, ticked: false, values: [...field.options] };
  if (field.kind !== 'number') return { param: field.name, ticked: false };
  const lo = field.minimum ?? field.exclusiveMinimum;
  const hi = field.maximum ?? field.exclusiveMaximum;
  const value = typeof current === 'number' ? current : (field.default ?? lo ?? 0);
  const log = isRateLike(field.name) && value > 0;
  let min = log ? value / 10 : value === 0 ? 0 : value / 2;
  let max = log ? value * 10 : value === 0 ? 1 : value * 2;
  if (lo !== undefined) min = Math.max(min, field.minimum ?? lo + (field.integer ? 1 : Number.EPSILON));
  if (hi !== undefined) max = Math.min(max, field.maximum ?? hi - (field.integer ? 1 : Number.EPSILON));
  if (field.integer) {
    min = Math.ceil(min);
    max = Math.floor(max);
  }
  return { param: field.name, ticked: false, min: round(min), max: round(max), log, integer: field.integer };
}

function round(value: number): number {
  return Number(value.toPrecision(6));
}

/** What the ticked rows ask for, or the reason a row cannot be searched. */
export function searchDimensions(
  fields: ParamField[],
  choices: SearchChoice[],
): { dimensions: SearchDimension[]; errors: string[] } {
  const dimensions: SearchDimension[] = [];
  const errors: string[] = [];
  for (const choice of choices) {
    if (!choice.ticked) continue;
    const field = fields.find((f) => f.name === choice.param);
    if (!field) {
      errors.push(`${choice.param}: not a parameter of this network`);
      continue;
    }
    if (field.kind === 'number') {
      const { min, max } = choice;
      if (min === undefined || max === undefined || !Number.isFinite(min) || !Number.isFinite(max)) {
        errors.push(`${field.label}: enter a minimum and a maximum`);
      } else if (min > max) {
        errors.push(`${field.label}: the minimum is above the maximum`);
      } else if (choice.log && min <= 0) {
        errors.push(`${field.label}: a log scale needs a minimum above 0`);
      } else if (
        (field.minimum !== undefined && min < field.minimum) ||
        (field.exclusiveMinimum !== undefined && min <= field.exclusiveMinimum) ||
        (field.maximum !== undefined && max > field.maximum) ||
        (field.exclusiveMaximum !== undefined && max >= field.exclusiveMaximum)
      ) {
        errors.push(`${field.label}: the range leaves the allowed bounds`);
      } else {
        dimensions.push({
          param: field.name,
          min,
          max,
          ...(choice.log ? { log: true } : {}),
          ...(field.integer ? { integer: true } : {}),
        });
      }
    } else {
      const values = choice.values ?? [];
      if (values.length === 0) errors.push(`${field.label}: choose at least one value`);
      else dimensions.push({ param: field.name, values });
    }
  }
  if (dimensions.length === 0 && errors.length === 0) errors.push('Tick at least one parameter to search');
  return { dimensions, errors };
}

/** One point of the score chart: a trial's score and the best score so far. */
export interface ScorePoint {
  trial: number;
  id: string;
  generation: number;
  score: number | null;
  best: number | null;
  status: Trial['status'];
  /** Why the trial failed (or was cancelled). */
  message?: string;
}

/**
 * Trials a search trains at most: the first generation, then per later
 * generation the population less the elite carried over (genetic.ts).
 */
export function maxTrials(population: number, generations: number): number {
  const elite = Math.min(population - 1, Math.max(1, Math.round(population * 0.2)));
  return population + Math.max(0, generations - 1) * (population - elite);
}

/** Scores in trial order with the running best (failed trials score null and keep the best). */
export function scoreSeries(trials: readonly Trial[], goal: 'max' | 'min'): ScorePoint[] {
  let best: number | null = null;
  return trials.map((trial, index) => {
    const score = trial.status === 'done' ? trial.score : null;
    if (score !== null && (best === null || (goal === 'max' ? score > best : score < best))) best = score;
    return {
      trial: index + 1,
      id: trial.id,
      generation: trial.generation,
      score,
      best,
      status: trial.status,
      ...(trial.message !== undefined ? { message: trial.message } : {}),
    };
  });
}

/** The trials of the top table for a metric, best first (ids from the engine's `top`). */
export function topTrialsOf(state: Pick<TuningState, 'trials' | 'top'>, metric: string): Trial[] {
  const byId = new Map(state.trials.map((t) => [t.id, t]));
  return (state.top[metric] ?? []).map((id) => byId.get(id)).filter((t): t is Trial => t !== undefined);
}

/** The goal that fits a metric: lower is better for losses and errors. */
export function goalOf(metric: string): 'max' | 'min' {
  return /\.(loss|mae|mse|rmse|msle)$/.test(metric) ? 'min' : 'max';
}

/** What the tab needs of the engine. */
export interface TuningApi {
  startTuning(params: {
    node: string;
    search: SearchDimension[];
    metric: string;
    goal: 'max' | 'min';
    population: number;
    generations: number;
  }): Promise<TuningState>;
  getTuning(params: { node: string }): Promise<TuningState>;
  cancel(params: { runId?: string }): Promise<{ cancelled: boolean }>;
}

/** The Auto Tuning tab's store for one network node. */
export class TuningStore {
  choices: SearchChoice[] = [];
  metric = 'validation.accuracy';
  goal: 'max' | 'min' = 'max';
  population = 4;
  generations = 2;
  trials: Trial[] = [];
  top: Record<string, string[]> = {};
  running = false;
  error: string | null = null;
  /** How the trials asked were spent, once the search ended (engine's tally and its words). */
  tally: TrialTally | null = null;
  summary: string | null = null;
  /** The trial training now: its id, epoch and batch progress (from trial-tagged events). */
  live: { trial: string; epoch?: number; done?: number; total?: number } | null = null;

  constructor(
    readonly node: string,
    private readonly api: TuningApi,
  ) {
    makeObservable(this, {
      choices: observableRef,
      metric: observable,
      goal: observable,
      population: observable,
      generations: observable,
      trials: observableRef,
      top: observableRef,
      running: observable,
      error: observable,
      tally: observableRef,
      summary: observable,
      live: observableRef,
      series: computed,
      progress: computed,
      searchStarted: action,
      trialProgress: action,
      setChoices: action,
      setChoice: action,
      setMetric: action,
      setGoal: action,
      setPopulation: action,
      setGenerations: action,
      addTrial: action,
      adopt: action,
    });
  }

  /** Builds the rows from the network's fields and current params (once; later calls keep the user's rows). */
  setChoices(fields: ParamField[], params: Record<string, unknown>): void {
    const known = new Map(this.choices.map((c) => [c.param, c]));
    this.choices = searchableFields(fields).map(
      (f) => known.get(f.name) ?? defaultChoice(f, params[f.name] ?? f.default),
    );
  }

  /** Changes one row. */
  setChoice(param: string, patch: Partial<SearchChoice>): void {
    this.choices = this.choices.map((c) => (c.param === param ? { ...c, ...patch } : c));
  }

  setMetric(metric: string): void {
    this.metric = metric;
    this.goal = goalOf(metric);
  }

  setGoal(goal: 'max' | 'min'): void {
    this.goal = goal;
  }

  setPopulation(n: number): void {
    this.population = n;
  }

  setGenerations(n: number): void {
    this.generations = n;
  }

  /** Score and best-so-far per trial. */
  get series(): ScorePoint[] {
    return scoreSeries(this.trials, this.goal);
  }

  /** Share of the search done, for the status bar: trials finished over the most it may train. */
  get progress(): number {
    return Math.min(1, this.trials.length / Math.max(1, maxTrials(this.population, this.generations)));
  }

  /**
   * A search of this node started (here or from another window): the tab shows
   * it running, with its size, and only its own trials.
   */
  searchStarted(search?: { population: number; generations: number }): void {
    this.running = true;
    if (search) {
      this.population = search.population;
      this.generations = search.generations;
    }
    this.trials = [];
    this.top = {};
    this.tally = null;
    this.summary = null;
    this.live = null;
  }

  /** A trial's training reported (epoch or batches): what the status bar says of the trial now. */
  trialProgress(trial: string, patch: { epoch?: number; done?: number; total?: number }): void {
    this.live = { ...(this.live?.trial === trial ? this.live : {}), trial, ...patch };
  }

  /** A trial from a `trial` event: finished, or queued / running on a cluster (the top table is refreshed at the end). */
  addTrial(trial: Trial): void {
    // A cluster trial is told queued, running, then done: it keeps its row.
    const at = this.trials.findIndex((t) => t.id === trial.id);
    this.trials = at < 0 ? [...this.trials, trial] : this.trials.map((t, i) => (i === at ? trial : t));
    if (this.live?.trial === trial.id) this.live = null;
  }

  /** Takes the engine's state of the node's latest search. */
  adopt(state: TuningState): void {
    this.trials = state.trials;
    this.top = state.top;
    this.running = state.running;
    this.tally = state.tally ?? null;
    this.summary = state.summary ?? null;
    if (!state.running) this.live = null;
    if (state.metric) this.metric = state.metric;
    if (state.goal) this.goal = state.goal;
  }

  /** Loads the latest search (also after a reopen). */
  async load(): Promise<void> {
    try {
      this.adopt(await this.api.getTuning({ node: this.node }));
    } catch {
      // The node was never tuned or the project is gone: the tab shows nothing yet.
    }
  }

  /** Starts the search; resolves when it ends. Returns the reason when refused. */
  async start(fields: ParamField[]): Promise<string | null> {
    const { dimensions, errors } = searchDimensions(fields, this.choices);
    if (errors.length > 0) {
      runInAction(() => (this.error = errors.join('; ')));
      return this.error;
    }
    runInAction(() => {
      this.error = null;
      this.running = true;
      this.trials = [];
      this.top = {};
      this.tally = null;
      this.summary = null;
    });
    try {
      const state = await this.api.startTuning({
        node: this.node,
        search: dimensions,
        metric: this.metric,
        goal: this.goal,
        population: this.population,
        generations: this.generations,
      });
      this.adopt(state);
      return null;
    } catch (error) {
      const message = errorMessage(error);
      runInAction(() => (this.error = message));
      await this.load();
      return message;
    } finally {
      runInAction(() => (this.running = false));
    }
  }

  /** Stops the search; finished trials are kept. */
  async cancel(): Promise<void> {
    await this.api.cancel({});
  }
}
