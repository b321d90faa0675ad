/**
 * External evaluations of a segmentation or transformation network in the Output tab (docs/ui.md,
 * "Output tab"): the folder, its item count, the run and model, said to be in the source
 * geometry, then each figure by class name, the confusion counts and each volume's row. Its
 * "Evaluate on another dataset…" runs `evaluateDataset` as a classifier's study does.
 */
import { useState } from 'react';
import { observer } from 'mobx-react-lite';
import { formatValue, measuredFigureRows, measuredScope } from '../../engine/api';
import { useWorkbench } from './context';
import { ConfusionTable } from './ConfusionTable';
import { EvaluateButton } from './EvaluateDialog';
import { VolumeFigureTable } from './VolumeFigureTable';

function MeasuredEvaluationsView({ node }: { node: string }) {
  const wb = useWorkbench();
  const history = wb.evaluations.history.get(node);
  const [picked, setPicked] = useState('');
  const records = history?.measured ?? [];
  // A classifier's external evaluations are in its study.
  if (!history || history.test) return null;
  const record = records.find((r) => r.id === picked) ?? records[0];
  return (
    <section className="test-result" aria-label="External evaluations" data-testid="measured-evaluations">
      <div className="tab-toolbar">
        <h4>External evaluation</h4>
        {records.length > 1 && (
          <label className="inline-field">
            Folder
            <select
              value={record.id}
              onChange={(e) => setPicked(e.target.value)}
              aria-label="External evaluation shown"
            >
              {records.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.dataset} · run {r.runId}
                </option>
              ))}
            </select>
          </label>
        )}
        <EvaluateButton node={node} onEvaluated={setPicked} />
      </div>
      {record ? (
        <>
          <p className="muted" data-testid="measured-scope">
            {measuredScope(record)}
          </p>
          <div className="test-grid">
            <table className="metrics-table" aria-label="External evaluation figures">
              <tbody>
                {measuredFigureRows(record.metrics, record.classes).map((f) => (
                  <tr key={f.label}>
                    <th scope="row">{f.label}</th>
                    <td className="mono">{formatValue(f.value)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {record.confusion.length > 1 && (
              <ConfusionTable
                names={record.classes}
                counts={record.confusion}
                label="External evaluation confusion matrix: rows true class, columns predicted class"
              />
            )}
          </div>
          {record.volumes && (
            <VolumeFigureTable
              rows={record.volumes}
              classes={record.classes}
              run={record.runId}
              scope={`External folder ${record.dataset}`}
            />
          )}
        </>
      ) : (
        <p className="muted">None yet: evaluate the trained network on another labelled folder.</p>
      )}
    </section>
  );
}

/** See the module comment. */
export const MeasuredEvaluations = observer(MeasuredEvaluationsView);
