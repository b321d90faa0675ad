/**
 * `runTuning`: a genetic search over a network node's params. Each candidate
 * is one training of the network (a trial) on the node's cached input, in a
 * fresh folder; its fitness is the chosen metric at its best epoch. Trials are
 * recorded in the project as they finish, so a cancelled or crashed search
 * keeps what it found.
 */
import { mkdirSync } from 'node:fs';
import type { EngineEvent, GraphNode, Trial, TuningRequest, TuningState } from '../api';
import { TuningRequestSchema } from '../api';
import type { NetworkNodeType, SampleCollection } from '../graph/node-type';
import { createRng, seedFrom } from '../run/rng';
import { APP_VERSION } from '../service/version';
import type { ProjectStore } from '../store/project-store';
import { bestEpochOutcome, parseMetricName, type EpochEvent } from './fitness';
import { evolve, genomeKey, type Genome, type SlotTally } from './genetic';
import {
  TUNING_RUN_MODE,
  searchSettingKey,
  type SearchRecord,
  type TrialParamsRecord,
  type TrialResultRecord,
} from './records';
import { resolveSearchSpace } from './space';
import { tuningState } from './state';

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

/**
 * Validates the request against the network's params schema (throws naming
 * the parameter or metric before anything runs), then runs the search and
 * returns the node's tuning state.
 */
export async function runTuning(request: TuningRequest, host: TuningHost): Promise<TuningState> {
  const req = TuningRequestSchema.parse(request);
  const { store, node, networkType } = host;
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

  const runId = store.startRun({
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
    startedAt: new Date().toISOString(),
  };
  store.setSetting(searchSettingKey(node.id), search);
  host.onStart?.(runId);

  const evaluateTrial = async (genome: Genome, generation: number): Promise<number | null> => {
    const merged = { ...node.params, ...genome };
    const record: TrialParamsRecord = {
      node: node.id,
      generation,
      key: genomeKey(genome),
      searched: genome,
      params: merged,
    };
    const trialId = store.recordTrial(runId, record);
    const epochs: EpochEvent[] = [];
    let result: TrialResultRecord;
    try {
      const parsed = networkType.params.safeParse(merged);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
        throw new Error(`The network refuses these params: ${where}${issue?.message ?? 'invalid'}`);
      }
      // A trial never resumes another's checkpoints: its own folder, made here so every host gets one.
      const artifactsDir = host.trialDir(trialId);
      mkdirSync(artifactsDir, { recursive: true });
      await networkType.run(host.collection, parsed.data, {
        nodeId: node.id,
        artifactsDir,
        runId,
        seed: host.seed,
        signal: host.signal,
        emit: (event) => {
          if (event.type === 'epoch' && event.node === node.id) epochs.push(event);
          host.emit(ofTrial(event, trialId));
        },
        // Said as the trial's, so the log never reads as the node's own training.
        log: {
          info: (message) =>
            host.emit({
              type: 'log',
              level: 'info',
              node: node.id,
              message: `Tuning trial ${trialId}: ${message}`,
            }),
          warn: (message) =>
            host.emit({
              type: 'log',
              level: 'warn',
              node: node.id,
              message: `Tuning trial ${trialId}: ${message}`,
            }),
        },
      });
      if (host.signal.aborted) {
        result = { status: 'cancelled', score: null, metrics: {}, message: 'cancelled' };
      } else {
        const outcome = bestEpochOutcome(epochs, req.metric, req.goal);
        result = {
          status: 'done',
          score: outcome.score,
          metrics: outcome.metrics,
          bestEpoch: outcome.bestEpoch,
        };
      }
    } catch (error) {
      result = host.signal.aborted
        ? { status: 'cancelled', score: null, metrics: {}, message: 'cancelled' }
        : { status: 'failed', score: null, metrics: {}, message: messageOf(error) };
    }
    store.setTrialMetrics(trialId, result);
    if (result.status === 'failed')
      host.emit({
        type: 'log',
        level: 'warn',
        node: node.id,
        message: `Tuning trial ${trialId} (generation ${generation}) failed: ${result.message ?? 'no reason given'}`,
      });
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
    return result.score;
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
