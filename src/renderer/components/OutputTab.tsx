/**
 * The Output tab of network nodes: one chart per metric (train and
 * validation), live as `epoch` events arrive, a class selector for per-class
 * metrics, a table of the same numbers, and the study of a trained classifier
 * (EvaluationView).
 */
import { useState } from 'react';
import { observer } from 'mobx-react-lite';
import type { EpochMetrics } from '../../engine/api';
import { formatMetric, metricLabel } from '../stores/format';
import { macroKey, meanOfNonNull } from '../../engine/api';
import type { NodeMetrics } from '../stores/metrics-store';
import { useWorkbench } from './context';
import { EvaluationView } from './EvaluationView';
import { MeasuredEvaluations } from './MeasuredEvaluations';
import { ConfusionTable } from './ConfusionTable';
import { MetricChart } from './MetricChart';
import { RepeatPanel } from './RepeatPanel';
import { VolumeFigureTable } from './VolumeFigureTable';
import { showExportDialog } from './export/export-dialog';

/** A scalar for the table: per-class arrays by the chosen class or their macro mean. */
function scalar(
  metrics: EpochMetrics | undefined,
  key: string,
  classIndex: number | undefined,
): number | null | undefined {
  if (!metrics || !(key in metrics)) return undefined;
  const raw = metrics[key];
  if (!Array.isArray(raw)) return raw;
  if (classIndex !== undefined) return raw[classIndex] ?? null;
  const macro = metrics[macroKey(key)];
  return typeof macro === 'number' || macro === null ? macro : meanOfNonNull(raw);
}

function MetricsView({ node, metrics }: { node: string; metrics: NodeMetrics }) {
  const wb = useWorkbench();
  const [klass, setKlass] = useState<string>('macro');
  const classIndex = klass === 'macro' ? undefined : Number(klass);
  // Macro keys are drawn through their per-class metric; skip them as charts of their own.
  const keys = metrics.keys.filter(
    (k) => !(k.startsWith('macro') && metrics.keys.some((o) => macroKey(o) === k)),
  );
  const hasPerClass = keys.some((k) => metrics.isPerClass(k));
  if (metrics.rows.length === 0 && !metrics.test)
    return <div className="empty">No epochs yet: run the network to see its training live.</div>;
  return (
    <div className="output">
      <div className="tab-toolbar">
        {hasPerClass && (
          <label className="inline-field">
            Class
            <select
              value={klass}
              onChange={(e) => setKlass(e.target.value)}
              aria-label="Class for per-class metrics"
            >
              <option value="macro">All classes (macro mean)</option>
              {metrics.classes.map((name, i) => (
                <option key={name} value={String(i)}>
                  {name}
                </option>
              ))}
            </select>
          </label>
        )}
        <span className="muted" data-testid="epoch-count">
          {metrics.rows.length} epoch{metrics.rows.length === 1 ? '' : 's'}
        </span>
        {metrics.runs.length > 1 && (
          <label className="inline-field">
            Run
            <select
              value={metrics.shown ?? ''}
              onChange={(e) => void wb.loadMetrics(node, e.target.value)}
              aria-label="Run whose training is shown"
              data-testid="run-picker"
            >
              {metrics.runs.map((r) => (
                <option key={r.id} value={r.id}>
                  {new Date(r.startedAt).toLocaleString()} · {r.kind === 'sample' ? 'Sample RUN' : 'full run'}{' '}
                  · {r.status}
                </option>
              ))}
            </select>
          </label>
        )}
        <button
          type="button"
          className="btn"
          disabled={wb.status.get(node)?.state !== 'done'}
          title="Write the trained network as ONNX or TF.js, with its manifest"
          onClick={() => showExportDialog(node)}
        >
          Export model…
        </button>
        {metrics.run?.kind === 'sample' && (
          <span
            className="run-kind sample"
            data-testid="run-kind"
            title="Trained by a Sample RUN, apart from the full run's model: these numbers come from the sample only"
          >
            Sample run{metrics.run.items !== undefined ? ` · ${metrics.run.items} items` : ''}
          </span>
        )}
      </div>
      <div className="charts">
        {keys.map((key) => (
          <MetricChart
            key={key}
            title={metricLabel(key)}
            train={metrics.series(key, 'train', classIndex)}
            validation={metrics.series(key, 'validation', classIndex)}
          />
        ))}
      </div>
      {metrics.test && <TestResult metrics={metrics} />}
      <EvaluationView node={node} />
      {metrics.test?.geometry && <MeasuredEvaluations node={node} />}
      {metrics.test && <RepeatPanel node={node} metrics={metrics} />}
      <div className="metrics-table-wrap">
        <table className="metrics-table" aria-label="Metrics per epoch">
          <thead>
            <tr>
              <th scope="col">Epoch</th>
              {keys.map((key) => (
                <th key={key} scope="col" colSpan={2}>
                  {metricLabel(key)}
                </th>
              ))}
            </tr>
            <tr>
              <th />
              {keys.map((key) => [
                <th key={`${key}-t`} scope="col" className="sub">
                  train
                </th>,
                <th key={`${key}-v`} scope="col" className="sub">
                  val
                </th>,
              ])}
            </tr>
          </thead>
          <tbody>
            {metrics.rows.map((row) => (
              <tr key={row.epoch} data-testid="epoch-row">
                <th scope="row">{row.epoch}</th>
                {keys.map((key) => [
                  <td key={`${key}-t`} className="mono">
                    {formatMetric(scalar(row.train, key, classIndex))}
                  </td>,
                  <td key={`${key}-v`} className="mono">
                    {formatMetric(scalar(row.validation, key, classIndex))}
                  </td>,
                ])}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** Test split metrics and the confusion matrix (rows: true class, columns: predicted). */
function TestResult({ metrics }: { metrics: NodeMetrics }) {
  const test = metrics.test;
  if (!test) return null;
  const scalars = Object.entries(test.metrics).filter(([, v]) => !Array.isArray(v)) as [
    string,
    number | null,
  ][];
  const names = metrics.classes.length ? metrics.classes : test.confusion.map((_, i) => String(i));
  return (
    <div className="test-result">
      <h4>
        Test split{test.items !== undefined ? ` · ${test.items} items` : ''}
        {test.geometry === 'source' && ' · in source geometry'}
        {test.geometry === 'network' && " · on the network's grid"}
      </h4>
      <div className="test-grid">
        <table className="metrics-table" aria-label="Test metrics">
          <tbody>
            {scalars.map(([key, value]) => (
              <tr key={key}>
                <th scope="row">{metricLabel(key)}</th>
                <td className="mono">{formatMetric(value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {/* Detection and transformation have no class confusion to show. */}
        {test.confusion.length > 1 && (
          <ConfusionTable
            names={names}
            counts={test.confusion}
            label="Confusion matrix: rows true class, columns predicted class"
          />
        )}
      </div>
      {test.volumes && <VolumeFigureTable rows={test.volumes} classes={names} run={test.run} />}
    </div>
  );
}

const ObservedMetricsView = observer(MetricsView);

function OutputTabView() {
  const wb = useWorkbench();
  const networks = wb.networkNodes;
  const selected = wb.selectedNode?.kind === 'network' ? wb.selectedNode : networks[0];
  if (!selected)
    return (
      <div className="empty">
        The Output tab shows the training of a Neural Network module: add one to the pipeline.
      </div>
    );
  return <ObservedMetricsView key={selected.id} node={selected.id} metrics={wb.metrics.of(selected.id)} />;
}

/** See the module comment. */
export const OutputTab = observer(OutputTabView);
