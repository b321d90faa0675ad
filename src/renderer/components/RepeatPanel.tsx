/**
 * Repeatability in the Output tab: "Repeat with N seeds" trains the network
 * node N times apart from its model (the engine's `repeatTraining`), then each
 * test metric shows beside the node's own run as the mean, SD and range across
 * the seeds (docs/metrics.md, "Repeatability"). Training is not deterministic:
 * a reviewer asks how much a figure moves with the seed.
 */
import { useState } from 'react';
import { observer } from 'mobx-react-lite';
import type { RepeatResult } from '../../engine/api';
import { formatMetric, metricLabel } from '../stores/format';
import type { NodeMetrics } from '../stores/metrics-store';
import { useWorkbench } from './context';

function RepeatPanelView({ node, metrics }: { node: string; metrics: NodeMetrics }) {
  const wb = useWorkbench();
  const [seeds, setSeeds] = useState(5);
  const [state, setState] = useState<{ result?: RepeatResult; error?: string; busy: boolean }>({
    busy: false,
  });
  const start = (): void => {
    setState({ busy: true });
    wb.api.repeatTraining({ node, seeds }).then(
      (result) => setState({ result, busy: false }),
      (error: Error) => setState({ error: error.message, busy: false }),
    );
  };
  const result = state.result;
  const own = metrics.test?.metrics;
  const failed = result?.seeds.filter((s) => s.status !== 'done') ?? [];
  return (
    <section className="test-result repeat" aria-label="Repeatability" data-testid="repeat">
      <div className="tab-toolbar">
        <h4>Repeatability</h4>
        <label className="inline-field">
          Seeds
          <input
            type="number"
            min={2}
            max={20}
            value={seeds}
            onChange={(e) => setSeeds(Math.max(2, Math.min(20, Math.round(Number(e.target.value)) || 2)))}
            aria-label="Number of seeds"
          />
        </label>
        <button
          type="button"
          className="btn"
          disabled={state.busy || wb.running}
          title={
            wb.runBlockedReason ??
            'Train this network again with each seed, apart from its model, and show how much each test figure moves'
          }
          onClick={start}
        >
          Repeat with {seeds} seeds
        </button>
        {state.busy && <span className="muted">Training with {seeds} seeds…</span>}
        {state.error && (
          <span className="status-issues" role="alert">
            {state.error}
          </span>
        )}
      </div>
      {result && (
        <>
          <p className="muted" data-testid="repeat-summary">
            {result.seeds.length - failed.length} of {result.seeds.length} seeds trained (
            {result.seeds.map((s) => s.seed).join(', ')})
            {result.seeds[0]?.items !== undefined ? ` · test split of ${result.seeds[0].items} items` : ''}
          </p>
          {failed.map((s) => (
            <p key={s.seed} className="status-issues" role="alert">
              Seed {s.seed}: {s.status}
              {s.message ? `: ${s.message}` : ''}
            </p>
          ))}
          <table className="metrics-table" aria-label="Test metrics across seeds">
            <thead>
              <tr>
                <th scope="col">test metric</th>
                <th scope="col">this run</th>
                <th scope="col">mean ± SD</th>
                <th scope="col">range</th>
                <th scope="col">seeds</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(result.acrossSeeds).map(([key, a]) => (
                <tr key={key}>
                  <th scope="row">{metricLabel(key)}</th>
                  <td className="mono">
                    {formatMetric(typeof own?.[key] === 'number' ? (own[key] as number) : null)}
                  </td>
                  <td className="mono">
                    {formatMetric(a.mean)} ± {formatMetric(a.sd)}
                  </td>
                  <td className="mono">
                    {formatMetric(a.min)}–{formatMetric(a.max)}
                  </td>
                  <td className="mono">{a.n}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

/** See the module comment. */
export const RepeatPanel = observer(RepeatPanelView);
