/**
 * `runTuning`: a genetic search over a network node's params. Each candidate
 * is one training of the network (a trial) on the node's cached input, in a
 * fresh folder; its fitness is the chosen metric at its best epoch. Trials are
 * recorded in the project as they finish, so a cancelled or crashed search
 * keeps what it found. Trials train in this process, or a generation at a time
 * through a {@link TrialExecutor} (a cluster), which a resumed search re-attaches to.
 */
import { mkdirSync } from 'node:fs';
import type { EngineEvent, GraphNode, Trial, TuningRequest, TuningState } from '../api';
import { TuningRequestSchema } from '../api';
import type { NetworkNodeType, SampleCollection } from '../graph/node-type';
import type { NodeManifest } from '../run/cache';
import { stableStringify } from '../run/keys';
import { createRng, seedFrom } from '../run/rng';
import { APP_VERSION } from '../service/version';
import type { ProjectStore } from '../store/project-store';
import { bestEpochOutcome, parseMetricName, type EpochEvent } from './fitness';
import { evolve, genomeKey, type Genome, type SlotTally } from './genetic';
import {
  TUNING_RUN_MODE,
  TrialParamsRecordSchema,
  TrialResultRecordSchema,
  searchSettingKey,
  type SearchRecord,
  type TrialParamsRecord,
  type TrialResultRecord,
} from './records';
import { resolveSearchSpace } from './space';
import { latestSearch, tuningState } from './state';

/** What a search needs from the engine that starts it. */
export interface TuningHost {
  /** The open project: the search and its trials are recorded there. */
  store: ProjectStore;
  /** The network node; its params are the base that unticked parameters keep. */
  node: GraphNode;
  networkType: NetworkNodeType;
  /** The network's cached input. */
  collection: SampleCollection;
  /** A fresh folder per trial for its checkpoints. */
  trialDir(trialId: string): string;
  /** Receives the trials' epoch/progress/log events as the network emits them, and one `trial` event per trial. */
  emit(event: EngineEvent): void;
  /** Cancels: the running trial is stopped, finished trials are kept. */
  signal: AbortSignal;
  /** Seed of the trainings (the network's own `seed` param, if any, still applies). */
  seed: number;
  /** Told the search's run id once the request is checked and the search starts. */
  onStart?(runId: string): void;
  /** Trains each generation's trials elsewhere (a cluster) instead of one after another here. */
  executor?: TrialExecutor;
}

/** What an executor is made from: the engine's view of the node being tuned. */
export interface TrialExecutorContext {
  store: ProjectStore;
  node: GraphNode;
  networkType: NetworkNodeType;
  /** The manifest of the network's cached input, and the cache folder it lives in. */
  input: NodeManifest;
  cacheRoot: string;
  /** The saved network specs of the project, by id (custom networks). */
  savedSpec(id: string): unknown;
  seed: number;
  trialDir(trialId: string): string;
}

/** A trial of a generation handed to an executor: recorded in the project, not trained yet. */
export interface PlannedTrial {
  trialId: string;
  /** 0-based position among the run's trials. */
  index: number;
  generation: number;
  record: TrialParamsRecord;
  /** Its stored state when a resumed search finds it queued, running or cancelled. */
  previous?: TrialResultRecord;
}

/** What an executor is told while it trains one generation. */
export interface GenerationContext {
  runId: string;
  generation: number;
  request: TuningRequest;
  signal: AbortSignal;
  /**
   * Records a trial's state in the project and announces it: live (queued, running), or its
   * result as soon as it is known (the generation's other trials may still train).
   */
  report(trial: PlannedTrial, state: TrialResultRecord): void;
}

/** Trains a generation's trials outside this process. */
export interface TrialExecutor {
  /** The run id of an earlier search with the same request to carry on instead of starting one. */
  resume?: string;
  /** Whether the interrupted search `runId` can be carried on here (its jobs and files are this state's). */
  canResume?(runId: string): boolean;
  /** Trains `trials` and resolves with each one's result, in the same order. */
  runGeneration(trials: PlannedTrial[], context: GenerationContext): Promise<TrialResultRecord[]>;
}

/** A trial's training events, tagged with the trial: they are the trial's, not the node's own model. */
function ofTrial(event: EngineEvent, trialId: string): EngineEvent {
  return event.type === 'epoch' || event.type === 'evaluation' || event.type === 'progress'
    ? { ...event, trial: trialId }
    : event;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** One trial's training: the same code whether the search or a cluster job runs it. */
export interface TrialTraining {
  networkType: NetworkNodeType;
  nodeId: string;
  collection: SampleCollection;
  /** The node's params with the searched values. */
  params: Record<string, unknown>;
  artifactsDir: string;
  runId: string;
  trialId: string;
  seed: number;
  /** What scores the trial at its best epoch; none for a training that is not scored (a repeat with another seed). */
  score?: { metric: string; goal: 'max' | 'min' };
  signal: AbortSignal;
  /** Receives the training's events, tagged with the trial. */
  emit(event: EngineEvent): void;
}

/**
 * Trains one trial in its own folder and scores it at its best epoch. Never
 * throws: a refused param set or a failing training is a failed trial, an
 * abort a cancelled one.
 */
export async function trainTrial(training: TrialTraining): Promise<TrialResultRecord> {
  const { networkType, nodeId, trialId, signal } = training;
  const epochs: EpochEvent[] = [];
  try {
    const parsed = networkType.params.safeParse(training.params);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
      throw new Error(`The network refuses these params: ${where}${issue?.message ?? 'invalid'}`);
    }
    // A trial never resumes another's checkpoints: its own folder, made here so every host gets one.
    mkdirSync(training.artifactsDir, { recursive: true });
    const say =
      (level: 'info' | 'warn') =>
      (message: string): void =>
        training.emit({ type: 'log', level, node: nodeId, message: `Tuning trial ${trialId}: ${message}` });
    await networkType.run(training.collection, parsed.data, {
      nodeId,
      artifactsDir: training.artifactsDir,
      runId: training.runId,
      seed: training.seed,
      signal,
      emit: (event) => {
        if (event.type === 'epoch' && event.node === nodeId) epochs.push(event);
        training.emit(ofTrial(event, trialId));
      },
      // Said as the trial's, so the log never reads as the node's own training.
      log: { info: say('info'), warn: say('warn') },
    });
    if (signal.aborted) return { status: 'cancelled', score: null, metrics: {}, message: 'cancelled' };
    if (!training.score) return { status: 'done', score: null, metrics: {} };
    const outcome = bestEpochOutcome(epochs, training.score.metric, training.score.goal);
    return { status: 'done', score: outcome.score, metrics: outcome.metrics, bestEpoch: outcome.bestEpoch };
  } catch (error) {
    return signal.aborted
      ? { status: 'cancelled', score: null, metrics: {}, message: 'cancelled' }
      : { status: 'failed', score: null, metrics: {}, message: messageOf(error) };
  }
}

/** The parts of a request that make a search the same search (resuming needs them equal). */
function requestText(
  request: Pick<SearchRecord, 'metric' | 'goal' | 'search' | 'population' | 'generations' | 'seed'>,
): string {
  const { metric, goal, search, population, generations, seed } = request;
  return stableStringify({ metric, goal, search, population, generations, seed });
}

/**
 * Validates the request against the network's params schema (throws naming
 * the parameter or metric before anything runs), then runs the search and
 * returns the node's tuning state.
 */
export async function runTuning(request: TuningRequest, host: TuningHost): Promise<TuningState> {
  const req = TuningRequestSchema.parse(request);
  const { store, node, networkType, executor } = host;
  if (req.node !== node.id)
    throw new Error(`The search is for node "${req.node}" but was given node "${node.id}"`);
  parseMetricName(req.metric);
  const base = networkType.params.safeParse(node.params);
  if (!base.success) {
    throw new Error(
      `The params of node "${node.id}" are not valid (${base.error.issues[0]?.message ?? 'invalid'}): fix them before tuning`,
    );
  }
  const genes = resolveSearchSpace(req.search, networkType.params, networkType.title);

  // Asked for, or automatic: the node's latest search stopped with its process, same request, same state.
  const latest = executor ? latestSearch(store, node.id) : undefined;
  const interrupted =
    latest !== undefined &&
    store.runs().find((r) => r.id === latest.runId)?.status === 'interrupted' &&
    requestText(latest) === requestText(req) &&
    executor?.canResume?.(latest.runId) === true;
  const resumeId = executor?.resume ?? (interrupted ? latest.runId : undefined);
  const resumed = resumeId === undefined ? undefined : latest;
  if (resumeId !== undefined) {
    if (resumed?.runId !== resumeId)
      throw new Error(`Run ${resumeId} is not the latest search of node "${node.id}": it cannot be resumed`);
    if (requestText(resumed) !== requestText(req))
      throw new Error(
        `Run ${resumeId} searched ${resumed.search.map((s) => s.param).join(', ')} (population ${resumed.population} x ${resumed.generations}, seed ${resumed.seed}, ${resumed.goal} ${resumed.metric}): resume it with the same request`,
      );
    store.reopenRun(resumeId);
    host.emit({
      type: 'log',
      level: 'info',
      node: node.id,
      message: `Carrying on search ${resumeId}: finished trials are kept, trials still on the cluster are collected`,
    });
  }
  const runId =
    resumed?.runId ??
    store.startRun({
      mode: TUNING_RUN_MODE,
      seed: req.seed,
      appVersion: APP_VERSION,
      nodeVersions: { [node.id]: networkType.version },
    });
  const search: SearchRecord = {
    runId,
    node: node.id,
    metric: req.metric,
    goal: req.goal,
    search: req.search,
    population: req.population,
    generations: req.generations,
    seed: req.seed,
    startedAt: resumed?.startedAt ?? new Date().toISOString(),
  };
  store.setSetting(searchSettingKey(node.id), search);
  host.onStart?.(runId);

  const paramsRecord = (genome: Genome, generation: number): TrialParamsRecord => ({
    node: node.id,
    generation,
    key: genomeKey(genome),
    searched: genome,
    params: { ...node.params, ...genome },
  });

  const announce = (trialId: string, generation: number, genome: Genome, result: TrialResultRecord): void => {
    const trial: Trial = {
      id: trialId,
      generation,
      params: genome,
      metrics: result.metrics,
      score: result.score,
      status: result.status,
      ...(result.message === undefined ? {} : { message: result.message }),
    };
    host.emit({ type: 'trial', node: node.id, trial });
  };

  const conclude = (trialId: string, generation: number, genome: Genome, result: TrialResultRecord): void => {
    store.setTrialMetrics(trialId, result);
    if (result.status === 'failed')
      host.emit({
        type: 'log',
        level: 'warn',
        node: node.id,
        message: `Tuning trial ${trialId} (generation ${generation}) failed: ${result.message ?? 'no reason given'}`,
      });
    announce(trialId, generation, genome, result);
  };

  const evaluateTrial = async (genome: Genome, generation: number): Promise<number | null> => {
    const trialId = store.recordTrial(runId, paramsRecord(genome, generation));
    const result = await trainTrial({
      networkType,
      nodeId: node.id,
      collection: host.collection,
      params: { ...node.params, ...genome },
      artifactsDir: host.trialDir(trialId),
      runId,
      trialId,
      seed: host.seed,
      score: { metric: req.metric, goal: req.goal },
      signal: host.signal,
      emit: host.emit,
    });
    conclude(trialId, generation, genome, result);
    return result.score;
  };

  // A resumed search replays the same seeded generations: trials already recorded are found by their values.
  const earlier = new Map(
    resumed === undefined
      ? []
      : store.trials(runId).map((record) => {
          const params = TrialParamsRecordSchema.parse(record.params);
          const result =
            record.metrics === undefined ? undefined : TrialResultRecordSchema.parse(record.metrics);
          return [`${params.generation} ${params.key}`, { id: record.id, result }] as const;
        }),
  );

  const evaluateGeneration = async (
    cluster: TrialExecutor,
    genomes: Genome[],
    generation: number,
  ): Promise<(number | null)[]> => {
    const scores: (number | null)[] = [];
    const planned: { trial: PlannedTrial; genome: Genome; slot: number }[] = [];
    for (const [slot, genome] of genomes.entries()) {
      const record = paramsRecord(genome, generation);
      const prior = earlier.get(`${generation} ${record.key}`);
      const previous = prior?.result;
      if (prior && (previous?.status === 'done' || previous?.status === 'failed')) {
        scores[slot] = previous.score;
        announce(prior.id, generation, genome, previous);
        continue;
      }
      const trialId = prior?.id ?? store.recordTrial(runId, record);
      planned.push({
        trial: { trialId, index: -1, generation, record, ...(previous ? { previous } : {}) },
        genome,
        slot,
      });
    }
    const order = store.trials(runId).map((t) => t.id);
    for (const entry of planned) entry.trial.index = order.indexOf(entry.trial.trialId);
    if (planned.length === 0) return scores;
    const concluded = new Set<string>();
    const results = await cluster.runGeneration(
      planned.map((p) => p.trial),
      {
        runId,
        generation,
        request: req,
        signal: host.signal,
        report: (trial, state) => {
          if (state.status === 'queued' || state.status === 'running') {
            store.setTrialMetrics(trial.trialId, state);
            announce(trial.trialId, generation, trial.record.searched, state);
          } else {
            concluded.add(trial.trialId);
            conclude(trial.trialId, generation, trial.record.searched, state);
          }
        },
      },
    );
    for (const [i, entry] of planned.entries()) {
      if (!concluded.has(entry.trial.trialId))
        conclude(entry.trial.trialId, generation, entry.genome, results[i]);
      scores[entry.slot] = results[i].score;
    }
    return scores;
  };

  let status: 'done' | 'failed' | 'cancelled' = 'failed';
  const tally: SlotTally = { carried: 0, exhausted: 0, stopped: 0 };
  try {
    const evaluations = await evolve(
      {
        genes,
        population: req.population,
        generations: req.generations,
        goal: req.goal,
        rng: createRng(seedFrom('tuning', req.seed, node.id)),
        tally,
        ...(executor
          ? {
              evaluateGeneration: (genomes, context) =>
                evaluateGeneration(executor, genomes, context.generation),
            }
          : {}),
      },
      (genome, context) => evaluateTrial(genome, context.generation),
      () => host.signal.aborted,
    );
    status = host.signal.aborted
      ? 'cancelled'
      : evaluations.some((e) => e.score !== null)
        ? 'done'
        : 'failed';
  } finally {
    store.setSetting(searchSettingKey(node.id), { ...search, tally });
    store.finishRun(runId, status);
  }
  const state = tuningState(store, node.id);
  if (state.summary) host.emit({ type: 'log', level: 'info', node: node.id, message: state.summary });
  return state;
}
