/**
 * The study of a trained classifier in the Output tab (docs/ui.md, "Output tab"): which
 * evaluation is shown (the test split of a run, or an external folder), its item counts,
 * ROC with the operating point and the AUC's interval in the title, precision-recall and
 * the reliability diagram, the figures with their intervals, the confusion matrix at the
 * operating point with class names, the figures per subgroup, the most confident errors, and
 * "Export report…".
 */
import { useState } from 'react';
import { observer } from 'mobx-react-lite';
import {
  countsText,
  figureRows,
  formatInterval,
  formatValue,
  operatingText,
  overallScope,
  type EvaluationRecord,
  type EvaluationValue,
} from '../../engine/api';
import { useWorkbench } from './context';
import { ConfusionTable } from './ConfusionTable';
import { ErrorGallery } from './ErrorGallery';
import { EvaluateButton } from './EvaluateDialog';
import { StudyChart } from './StudyChart';
import { SubgroupTable } from './SubgroupTable';

const interval = (v: EvaluationValue | undefined): [number, number] | null => (Array.isArray(v) ? v : null);
const value = (v: EvaluationValue | undefined): number | null => (typeof v === 'number' ? v : null);

/** Where an evaluation comes from, in words. */
function sourceText(record: EvaluationRecord): string {
  if (record.source === 'external') {
    const folder = (record.dataset ?? '').split(/[\\/]/).filter(Boolean).at(-1) ?? '';
    return `External folder ${folder} · ${record.createdAt.slice(0, 10)}`;
  }
  return `Test split · run ${record.runId}${record.model === 'sample' ? ' (Sample RUN)' : ''}`;
}

function Study({ record }: { record: EvaluationRecord }) {
  const o = record.study.overall;
  const names = record.classes;
  const n = `${record.items} items`;
  const op = record.study.operatingPoint?.classes;
  const rocMarker =
    names.length === 2 && op?.[0] && op[0].sensitivity !== null && op[0].specificity !== null
      ? {
          name: `operating point (${record.study.operatingPoint?.rule})`,
          point: [1 - op[0].specificity, op[0].sensitivity] as [number, number],
        }
      : undefined;
  const curve = (c: EvaluationRecord['curves'][number], kind: 'roc' | 'pr') => ({
    name: names[c.classIndex],
    points:
      kind === 'roc'
        ? (c.roc?.fpr.map((x, i) => [x, c.roc!.tpr[i]] as [number, number]) ?? [])
        : (c.pr?.recall.map((r, i) => [r, c.pr!.precision[i]] as [number, number]) ?? []),
    step: kind === 'pr',
  });
  const bins = (record.study.reliability?.overall ?? []).filter((b) => b.count > 0);
  return (
    <>
      <p className="study-counts" data-testid="study-counts">
        {countsText(names, record.items, record.counts)} · {overallScope(record)}
        {record.operatingSet ? ` · threshold chosen on ${record.operatingSet.items} validation items` : ''}
      </p>
      <div className="charts study-charts">
        <StudyChart
          id="roc-chart"
          title={`ROC · AUC ${formatValue(value(o.auc))} ${formatInterval(interval(o.aucCI95))}`}
          caption={`${n}; 95% bootstrap interval${o.aucDeLongCI95 !== undefined ? `, DeLong ${formatInterval(interval(o.aucDeLongCI95))}` : ''}`}
          xName="1 - specificity"
          yName="sensitivity"
          series={record.curves.map((c) => curve(c, 'roc'))}
          diagonal="chance"
          marker={rocMarker}
        />
        <StudyChart
          id="pr-chart"
          title={`Precision-recall · AP ${formatValue(value(o.averagePrecision))} ${formatInterval(interval(o.averagePrecisionCI95))}`}
          caption={n}
          xName="recall"
          yName="precision"
          series={record.curves.map((c) => curve(c, 'pr'))}
        />
        <StudyChart
          id="calibration-chart"
          title={`Calibration · ECE ${formatValue(value(o.ece))} ${formatInterval(interval(o.eceCI95))}`}
          caption={`${n}; ${record.study.settings.bins ?? 10} bins of predicted probability`}
          xName="predicted"
          yName="observed"
          series={[
            {
              name: 'model',
              points: bins.map((b) => [b.meanConfidence ?? 0, b.observedFrequency ?? 0] as [number, number]),
            },
          ]}
          diagonal="perfect"
        />
      </div>
      <div className="test-grid study-grid">
        <table className="metrics-table study-figures" aria-label="Study figures with 95% intervals">
          <thead>
            <tr>
              <th scope="col">figure</th>
              <th scope="col">value</th>
              <th scope="col">95% interval</th>
              <th scope="col">items</th>
            </tr>
          </thead>
          <tbody>
            {figureRows(record).map((f) => (
              <tr key={f.label}>
                <th scope="row">{f.label}</th>
                <td className="mono">{formatValue(f.value)}</td>
                <td className="mono">
                  {formatInterval(f.interval)}
                  {f.note ? ` (${f.note})` : ''}
                </td>
                <td className="mono">{record.items}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <div>
          <ConfusionTable
            names={names}
            counts={record.confusion}
            label="Confusion matrix at the operating point: rows true class, columns predicted class"
            testId="study-confusion"
          />
          <p className="muted chart-note">Called: {record.confusionRule}</p>
          {operatingText(record).map((line) => (
            <p key={line} className="muted chart-note">
              {line}
            </p>
          ))}
        </div>
      </div>
      <SubgroupTable record={record} />
      <ErrorGallery record={record} />
    </>
  );
}

function EvaluationViewInner({ node }: { node: string }) {
  const wb = useWorkbench();
  const history = wb.evaluations.history.get(node);
  const [picked, setPicked] = useState<string>('');
  const records = history ? [...(history.test ? [history.test] : []), ...history.external] : [];
  if (!records.length) return null;
  const record = records.find((r) => r.id === picked) ?? records[0];
  const exported = wb.evaluations.exported.get(node);
  return (
    <section className="test-result study" aria-label="Study of the trained classifier" data-testid="study">
      <div className="tab-toolbar">
        <h4>Study</h4>
        {records.length > 1 ? (
          <label className="inline-field">
            Evaluation
            <select
              value={record.id}
              onChange={(e) => setPicked(e.target.value)}
              aria-label="Evaluation shown"
              data-testid="evaluation-picker"
            >
              {records.map((r) => (
                <option key={r.id} value={r.id}>
                  {sourceText(r)}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <span className="muted" data-testid="evaluation-source">
            {sourceText(record)}
          </span>
        )}
        <EvaluateButton node={node} onEvaluated={setPicked} />
        <button
          type="button"
          className="btn"
          disabled={wb.evaluations.exporting.has(node)}
          onClick={() => void wb.evaluations.exportReport(node)}
          title="Write the study report (model card, data, metrics with intervals, checklist) as one HTML file beside the project"
        >
          Export report…
        </button>
        {exported?.path && (
          <span className="muted" data-testid="report-path">
            Report written to {exported.path}
          </span>
        )}
        {exported?.error && (
          <span className="status-issues" role="alert">
            {exported.error}
          </span>
        )}
      </div>
      <Study key={record.id} record={record} />
    </section>
  );
}

/** See the module comment. */
export const EvaluationView = observer(EvaluationViewInner);
