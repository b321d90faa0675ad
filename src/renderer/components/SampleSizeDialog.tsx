/**
 * Asks the Sample RUN size once (a count per dataset or a percentage); the
 * answer is remembered per project and shown in the RUN menu.
 */
import { useEffect, useRef, useState } from 'react';
import { observer } from 'mobx-react-lite';
import { checkNumber } from '../stores/param-form';
import { useWorkbench } from './context';

function SampleSizeDialogView() {
  const wb = useWorkbench();
  const initial = wb.sampleSize;
  const [unit, setUnit] = useState<'count' | 'percent'>(
    initial && 'percent' in initial ? 'percent' : 'count',
  );
  const [text, setText] = useState(
    initial ? String('count' in initial ? initial.count : initial.percent) : '20',
  );
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.select(), []);

  const value = Number(text);
  const error =
    unit === 'count'
      ? checkNumber(value, { integer: true, minimum: 1 })
      : checkNumber(value, { integer: false, exclusiveMinimum: 0, maximum: 100 });
  const submit = () => {
    if (error) return;
    void wb.setSampleSize(unit === 'count' ? { count: value } : { percent: value });
  };

  return (
    <div
      className="modal-backdrop"
      onMouseDown={(e) => e.target === e.currentTarget && wb.cancelSampleSizeDialog()}
    >
      <form
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby="sample-title"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
        onKeyDown={(e) => e.key === 'Escape' && wb.cancelSampleSizeDialog()}
      >
        <h2 id="sample-title">Sample RUN</h2>
        <p className="muted">
          Runs the pipeline on a label-stratified part of each dataset, to see the effect of a change quickly.
          The size is remembered for this project.
        </p>
        <div className="field-row">
          <label htmlFor="sample-size">Sample size</label>
          <input
            id="sample-size"
            ref={input}
            type="number"
            min={unit === 'count' ? 1 : 0}
            max={unit === 'percent' ? 100 : undefined}
            value={text}
            aria-invalid={Boolean(error)}
            aria-describedby="sample-error"
            onChange={(e) => setText(e.target.value)}
          />
          <select
            aria-label="Sample size unit"
            value={unit}
            onChange={(e) => setUnit(e.target.value as 'count' | 'percent')}
          >
            <option value="count">items per dataset</option>
            <option value="percent">% of each dataset</option>
          </select>
        </div>
        <div id="sample-error" className="field-error" role="alert">
          {error ?? ''}
        </div>
        <div className="modal-actions">
          <button type="button" className="btn" onClick={() => wb.cancelSampleSizeDialog()}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={Boolean(error)}>
            Run sample
          </button>
        </div>
      </form>
    </div>
  );
}

/** See the module comment. */
export const SampleSizeDialog = observer(SampleSizeDialogView);
