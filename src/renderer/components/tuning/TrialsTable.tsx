/**
 * Every trial of the node's latest search in the order it ran: its searched
 * values, score and outcome; a failed trial says why (the engine's reason).
 */
import { observer } from 'mobx-react-lite';
import { formatMetric } from '../../stores/format';
import type { TuningStore } from '../../stores/tuning';

function valueText(value: unknown): string {
  return typeof value === 'number' ? formatMetric(value) : JSON.stringify(value);
}

function TrialsTableView({ store }: { store: TuningStore }) {
  const trials = store.trials;
  if (trials.length === 0) return null;
  const params = [...new Set(trials.flatMap((t) => Object.keys(t.params)))];
  return (
    <table className="simple-table trials-table" aria-label="Every trial">
      <thead>
        <tr>
          <th>Trial</th>
          {params.map((p) => (
            <th key={p}>{p}</th>
          ))}
          <th>{store.metric}</th>
          <th>Outcome</th>
        </tr>
      </thead>
      <tbody>
        {trials.map((trial, i) => (
          <tr key={trial.id} data-testid="trial-row" data-status={trial.status}>
            <td className="mono" title={trial.id}>
              {i + 1} · gen {trial.generation}
            </td>
            {params.map((p) => (
              <td key={p} className="mono">
                {trial.params[p] === undefined ? '—' : valueText(trial.params[p])}
              </td>
            ))}
            <td className="mono">{trial.status === 'done' ? formatMetric(trial.score) : '—'}</td>
            <td className={trial.status === 'failed' ? 'trial-failed' : undefined}>
              {trial.status === 'done'
                ? 'done'
                : `${trial.status}${trial.message ? `: ${trial.message}` : ''}`}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** See the module comment. */
export const TrialsTable = observer(TrialsTableView);
