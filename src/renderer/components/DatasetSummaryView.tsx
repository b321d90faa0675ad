/**
 * Under a Dataset node's parameters: what the engine made of the folder, so
 * that a person can check it reads the data as its makers meant. Where the
 * labels and the split come from (and what was not used, and why), classes per
 * split with counts, what training would refuse (errors) and what deserves a
 * look (warnings: skipped files by reason, imbalance, leakage...).
 */
import { useEffect, useState } from 'react';
import { observer } from 'mobx-react-lite';
import type { DatasetSummary, GraphNode } from '../../engine/api';
import { useWorkbench } from './context';

const SPLITS = ['train', 'validation', 'test'] as const;

/** The summary itself, also shown by New project before the project exists. */
export function SummaryBody({ summary }: { summary: DatasetSummary }) {
  const errors = summary.warnings.filter((w) => w.severity === 'error');
  const warnings = summary.warnings.filter((w) => w.severity === 'warning');
  const photometric = Object.entries(summary.photometric);
  return (
    <>
      <dl className="dataset-facts">
        <dt>Labels</dt>
        <dd data-testid="dataset-label-source">{summary.labelSource}</dd>
        <dt>Split</dt>
        <dd>{summary.splitSource ?? 'computed from the split percentages'}</dd>
        <dt>Items</dt>
        <dd>
          {SPLITS.map((s) => `${s} ${summary.splits[s]}`).join(' · ')}
          {summary.patients !== null ? ` · ${summary.patients} patients` : ''}
        </dd>
        {photometric.length > 0 && (
          <>
            <dt>Photometric</dt>
            <dd>{photometric.map(([k, n]) => `${k} ${n}`).join(' · ')}</dd>
          </>
        )}
        {summary.emptyItems !== null && (
          <>
            <dt>Empty labels</dt>
            <dd>{summary.emptyItems} items are background only</dd>
          </>
        )}
      </dl>
      {summary.rejected.length > 0 && (
        <ul className="dataset-rejected" aria-label="Not used">
          {summary.rejected.map((r) => (
            <li key={r.what}>
              Not used: <span className="mono">{r.what}</span>: {r.reason}
            </li>
          ))}
        </ul>
      )}
      {summary.perClass.length > 0 && (
        <table className="metrics-table" aria-label="Classes per split">
          <thead>
            <tr>
              <th scope="col">class</th>
              {SPLITS.map((s) => (
                <th key={s} scope="col">
                  {s}
                </th>
              ))}
              <th scope="col">total</th>
            </tr>
          </thead>
          <tbody>
            {summary.perClass.map((c) => (
              <tr key={c.class}>
                <th scope="row">{c.class}</th>
                {SPLITS.map((s) => (
                  <td key={s} className="mono">
                    {c[s]}
                  </td>
                ))}
                <td className="mono">{c.total}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ul className="dataset-findings" aria-label="Dataset findings">
        {errors.map((w) => (
          <li key={w.message} className="finding error" role="alert">
            {w.message}
          </li>
        ))}
        {warnings.map((w) => (
          <li key={w.message} className="finding warning">
            {w.message}
          </li>
        ))}
      </ul>
    </>
  );
}

function DatasetSummaryViewBase({ node }: { node: GraphNode }) {
  const wb = useWorkbench();
  const [state, setState] = useState<{ summary?: DatasetSummary; error?: string; loading: boolean }>({
    loading: true,
  });
  // A new folder, layout or label column gives a new summary.
  const params = JSON.stringify(node.params);
  useEffect(() => {
    // Another node or new params: the engine stops reading for the summary nobody waits for.
    const request = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    wb.api.getDatasetSummary({ node: node.id }, { signal: request.signal }).then(
      (summary) => !request.signal.aborted && setState({ summary, loading: false }),
      (error: Error) => !request.signal.aborted && setState({ error: error.message, loading: false }),
    );
    return () => request.abort();
  }, [wb, node.id, params]);
  return (
    <section className="dataset-summary" aria-label="Dataset summary" aria-busy={state.loading}>
      <h4>Dataset summary{state.loading ? ' (reading…)' : ''}</h4>
      {state.error && (
        <div className="finding error" role="alert">
          {state.error}
        </div>
      )}
      {state.summary && <SummaryBody summary={state.summary} />}
    </section>
  );
}

/** See the module comment. */
export const DatasetSummaryView = observer(DatasetSummaryViewBase);
