/**
 * How each engine event changes the stores: node states, the run going on, a
 * network's curves and scores, Auto Tuning trials, the log, another front
 * end's graph edit, PACS progress. Call it inside an action.
 */
import type { EngineEvent } from '../../engine/api';
import type { EvaluationsStore } from './evaluations';
import type { GraphMirror } from './graph-mirror';
import type { LogsStore } from './logs-store';
import type { MetricsStore } from './metrics-store';
import type { NodeStatesStore } from './node-states';
import type { PacsStore } from './pacs';
import { runModeLabel, type RunsStore } from './runs';
import type { Toast } from './toasts';
import type { TuningStore } from './tuning';

/** The stores events change. */
export interface EventTargets {
  runs: RunsStore;
  states: NodeStatesStore;
  mirror: GraphMirror;
  metrics: MetricsStore;
  evaluations: Pick<EvaluationsStore, 'load'>;
  logs: LogsStore;
  pacs: Pick<PacsStore, 'onProgress'>;
  tuningOf: (node: string) => TuningStore;
  toast: (kind: Toast['kind'], message: string) => void;
  setBackend: (name: string) => void;
}

/** Mirrors one engine event into the stores. */
export function applyEngineEvent(event: EngineEvent, to: EventTargets): void {
  const { runs, states, logs } = to;
  switch (event.type) {
    case 'run-started':
      runs.started(event);
      // A search or a repeat trains apart from the node: the node keeps its state and model.
      if (event.mode === 'tuning') to.tuningOf(event.nodes[0]).searchStarted(event.search);
      else if (event.mode !== 'repeat')
        for (const id of event.nodes)
          states.patch(id, { state: 'queued', done: undefined, total: undefined, message: undefined });
      logs.add(
        'info',
        `Run started (${runModeLabel(event.mode)}${event.sampleSize ? `, ${event.sampleSize} items per dataset` : ''}): ${event.nodes.length} node(s)`,
      );
      break;
    case 'node-state':
      states.patch(event.node, {
        state: event.state,
        message: event.message,
        ...(event.state === 'done' ? { sample: event.sample === true } : {}),
        ...(event.state === 'running' ? { done: 0, total: undefined } : {}),
      });
      // A failure's reason reaches the log once, from its `error` event.
      break;
    case 'progress':
      // A repeat's seeds and a tuning trial's training are theirs, never the node's own.
      if (event.trial && runs.run?.repeat) break;
      if (event.trial)
        to.tuningOf(event.node).trialProgress(event.trial, { done: event.done, total: event.total });
      else states.patch(event.node, { done: event.done, total: event.total });
      break;
    case 'shape':
      states.patch(event.node, {
        shape: event.shape,
        colorMode: event.colorMode,
        dtype: event.dtype,
        count: event.count,
      });
      break;
    case 'file-state':
      states.filesChanged(event.node);
      break;
    case 'epoch':
      if (event.trial && runs.run?.repeat) runs.repeatEpoch(event.epoch);
      else if (event.trial) to.tuningOf(event.node).trialProgress(event.trial, { epoch: event.epoch });
      else to.metrics.of(event.node).live(event.epoch, event.split, event.metrics);
      break;
    case 'evaluation':
      if (event.trial && runs.run?.repeat) runs.repeatTrained();
      if (!event.trial) {
        to.metrics.of(event.node).setTest({
          metrics: event.metrics,
          confusion: event.confusion,
          items: event.items,
          ...(event.geometry ? { geometry: event.geometry } : {}),
          ...(event.volumes ? { volumes: event.volumes } : {}),
          // The run that measured these figures, named with them.
          ...(runs.run?.runId ? { run: runs.run.runId } : {}),
        });
        // The engine stored the study of these scores before telling: read it back.
        void to.evaluations.load(event.node);
      }
      break;
    case 'trial':
      to.tuningOf(event.node).addTrial(event.trial);
      // A failed trial's reason comes as the engine's own warning.
      if (event.trial.status !== 'failed')
        logs.add(
          'info',
          `Tuning trial ${event.trial.id} (generation ${event.trial.generation}): ${event.trial.status}${event.trial.score !== null ? `, score ${event.trial.score.toFixed(4)}` : ''}`,
          event.node,
        );
      break;
    case 'log':
      logs.add(event.level, event.message, event.node);
      break;
    case 'error':
      logs.add('error', event.file ? `${event.file}: ${event.message}` : event.message, event.node);
      break;
    case 'run-finished':
      // A search's end (from here or elsewhere): its trials, counts and top table as the engine has them.
      if (runs.run?.mode === 'tuning' && runs.run.nodes[0]) void to.tuningOf(runs.run.nodes[0]).load();
      runs.finished();
      logs.add(
        event.status === 'failed' ? 'error' : 'info',
        `Run ${event.status} in ${event.seconds.toFixed(1)} s`,
      );
      if (event.status === 'cancelled') to.toast('info', 'Run cancelled');
      break;
    case 'graph-changed':
      // Another front end's edit (this one's own is already in the mirror; applying it again changes nothing).
      if (event.change && to.mirror.adoptChange(event.change)) states.forget(event.change.removedNodes);
      states.markStale(event.staleNodes);
      break;
    case 'backend':
      to.setBackend(event.name);
      break;
    case 'pacs-progress':
      to.pacs.onProgress(event);
      break;
    default:
      // A new event type in the contract must be handled here (compile-time check).
      event satisfies never;
  }
}
