/**
 * The Auto Tuning tab of a network node: tick the params
 * to search (numbers as a range, log scale for rates; enums and switches as
 * chosen values), pick the metric, goal, population and generations, Start or
 * Cancel, and where the trials train; a live chart of each trial's score and
 * the best so far; the top five parameter sets per metric with Apply, which
 * sets them on the node.
 */
import { useEffect, useState } from 'react';
import { observer } from 'mobx-react-lite';
import type { GraphNode } from '../../../engine/api';
import { formatMetric } from '../../stores/format';
import {
  fieldsForTask,
  fieldsOf,
  tuningMetricsFor,
  withDefaults,
  type ParamField,
} from '../../stores/param-form';
import { maxTrials, topTrialsOf, type SearchChoice, type TuningStore } from '../../stores/tuning';
import { useWorkbench } from '../context';
import { TrialChart } from './TrialChart';
import { TrialsRunOn } from './TrialsRunOn';
import { TrialsTable } from './TrialsTable';

function valueText(value: unknown): string {
  return typeof value === 'number' ? formatMetric(value) : String(value);
}

/** A labelled whole-number input kept within [min, max] (empty or invalid text gives min). */
function WholeNumberField(props: {
  label: string;
  min: number;
  max: number;
  value: number;
  disabled: boolean;
  onChange: (value: number) => void;
}) {
  const { label, min, max, value, disabled, onChange } = props;
  return (
    <label className="inline-field">
      {label}
      <input
        type="number"
        min={min}
        max={max}
        value={value}
        disabled={disabled}
        onChange={(e) => onChange(Math.max(min, Math.min(max, Math.round(Number(e.target.value) || min))))}
      />
    </label>
  );
}

const ChoiceRow = observer(function ChoiceRow({
  store,
  field,
  choice,
  current,
  disabled,
}: {
  store: TuningStore;
  field: ParamField;
  choice: SearchChoice;
  current: unknown;
  disabled: boolean;
}) {
  const num = (text: string) => (text.trim() === '' ? undefined : Number(text));
  return (
    <tr data-testid={`search-${field.name}`}>
      <td>
        <label className="check">
          <input
            type="checkbox"
            checked={choice.ticked}
            disabled={disabled}
            onChange={(e) => store.setChoice(field.name, { ticked: e.target.checked })}
            aria-label={`Search ${field.label}`}
          />
          <span title={field.description}>{field.label}</span>
        </label>
      </td>
      <td className="mono muted">{valueText(current)}</td>
      <td>
        {field.kind === 'number' ? (
          <span className="range">
            <input
              type="number"
              aria-label={`${field.label} minimum`}
              value={choice.min ?? ''}
              step="any"
              disabled={disabled || !choice.ticked}
              onChange={(e) => store.setChoice(field.name, { min: num(e.target.value) })}
            />
            –
            <input
              type="number"
              aria-label={`${field.label} maximum`}
              value={choice.max ?? ''}
              step="any"
              disabled={disabled || !choice.ticked}
              onChange={(e) => store.setChoice(field.name, { max: num(e.target.value) })}
            />
            {!field.integer && (
              <label className="check">
                <input
                  type="checkbox"
                  checked={Boolean(choice.log)}
                  disabled={disabled || !choice.ticked}
                  onChange={(e) => store.setChoice(field.name, { log: e.target.checked })}
                />
                log
              </label>
            )}
          </span>
        ) : (
          <span className="choices">
            {(field.kind === 'enum' ? field.options : [true, false]).map((option) => {
              const on = (choice.values ?? []).includes(option);
              return (
                <label key={String(option)} className="check">
                  <input
                    type="checkbox"
                    checked={on}
                    disabled={disabled || !choice.ticked}
                    onChange={(e) =>
                      store.setChoice(field.name, {
                        values: e.target.checked
                          ? [...(choice.values ?? []), option]
                          : (choice.values ?? []).filter((v) => v !== option),
                      })
                    }
                  />
                  {String(option)}
                </label>
              );
            })}
          </span>
        )}
      </td>
    </tr>
  );
});

const TopTable = observer(function TopTable({ store, node }: { store: TuningStore; node: GraphNode }) {
  const wb = useWorkbench();
  const metrics = Object.keys(store.top);
  const [chosen, setChosen] = useState<string | null>(null);
  const metric =
    chosen && metrics.includes(chosen) ? chosen : metrics.includes(store.metric) ? store.metric : metrics[0];
  if (!metric) return <div className="empty">The best parameter sets appear here when trials finish.</div>;
  const rows = topTrialsOf(store, metric);
  const params = [...new Set(rows.flatMap((t) => Object.keys(t.params)))];
  return (
    <div className="top-table">
      <div className="tab-toolbar">
        <label className="inline-field">
          Top 5 by
          <select
            value={metric}
            onChange={(e) => setChosen(e.target.value)}
            aria-label="Metric of the top table"
          >
            {metrics.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
      </div>
      <table className="simple-table" aria-label={`Best trials by ${metric}`}>
        <thead>
          <tr>
            <th>#</th>
            <th>Trial</th>
            {params.map((p) => (
              <th key={p}>{p}</th>
            ))}
            <th>{metric}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((trial, i) => (
            <tr key={trial.id} data-testid="top-row">
              <td>{i + 1}</td>
              <td className="mono" title={trial.id}>
                {store.trials.indexOf(trial) + 1} · gen {trial.generation}
              </td>
              {params.map((p) => (
                <td key={p} className="mono">
                  {trial.params[p] === undefined ? '—' : valueText(trial.params[p])}
                </td>
              ))}
              <td className="mono">{formatMetric(trial.metrics[metric] ?? null)}</td>
              <td>
                <button
                  type="button"
                  className="btn btn-small"
                  disabled={store.running}
                  aria-label={`Apply trial ${trial.id}`}
                  onClick={() => void wb.applyTrial(node.id, trial.id)}
                >
                  Apply
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
});

const TuningView = observer(function TuningView({ node }: { node: GraphNode }) {
  const wb = useWorkbench();
  const store = wb.tuningOf(node.id);
  const type = wb.typeOf(node);
  const all = type ? fieldsOf(type.params) : [];
  const values = withDefaults(all, node.params);
  // Only what fits the node's task is searched or optimised (the engine's task options).
  const fields = fieldsForTask(all, type?.taskOptions, { task: values.task });
  const metrics = tuningMetricsFor(type?.taskOptions, values.task);
  useEffect(() => {
    store.setChoices(fields, values);
    if (metrics.length > 0 && !metrics.includes(store.metric)) store.setMetric(metrics[0]);
    void store.load();
    // Once per node: the rows keep what the user chose.
  }, [store]);
  // A search started elsewhere (another window, the CLI over `phi serve`) counts too.
  const running = store.running || (wb.run?.mode === 'tuning' && wb.run.nodes[0] === node.id);
  const ticked = store.choices.filter((c) => c.ticked).length;
  const last = store.trials.at(-1);
  return (
    <div className="tuning">
      <div className="tuning-form">
        <div className="tab-toolbar tuning-controls">
          <label className="inline-field">
            Metric
            <select value={store.metric} disabled={running} onChange={(e) => store.setMetric(e.target.value)}>
              {/* A loaded search's metric stays shown even when the task has changed since. */}
              {[...new Set([store.metric, ...metrics])].map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </label>
          <label className="inline-field">
            Goal
            <select
              value={store.goal}
              disabled={running}
              onChange={(e) => store.setGoal(e.target.value as 'max' | 'min')}
            >
              <option value="max">maximise</option>
              <option value="min">minimise</option>
            </select>
          </label>
          <WholeNumberField
            label="Population"
            min={2}
            max={64}
            value={store.population}
            disabled={running}
            onChange={(v) => store.setPopulation(v)}
          />
          <WholeNumberField
            label="Generations"
            min={1}
            max={50}
            value={store.generations}
            disabled={running}
            onChange={(v) => store.setGenerations(v)}
          />
          {running ? (
            <button type="button" className="btn btn-danger-outline" onClick={() => void store.cancel()}>
              Cancel
            </button>
          ) : (
            <button
              type="button"
              className="btn btn-primary"
              disabled={ticked === 0 || wb.running}
              title={
                wb.runBlockedReason ??
                (ticked === 0
                  ? 'Tick at least one parameter'
                  : `Train at most ${maxTrials(store.population, store.generations)} networks: ${store.population} x ${store.generations} slots, the best of each generation carried over without training again`)
              }
              onClick={() => {
                void store.start(fields).then((error) => {
                  if (error) wb.toast('error', error);
                  else wb.toast('success', `Auto tuning of ${node.id} finished`);
                });
              }}
            >
              Start tuning
            </button>
          )}
          <span className="muted" role="status" data-testid="tuning-status">
            {running
              ? `Running: ${store.trials.length} trial${store.trials.length === 1 ? '' : 's'} finished${last ? ` (generation ${last.generation})` : ''}`
              : (store.summary ?? (store.trials.length ? `${store.trials.length} trials` : ''))}
          </span>
          <TrialsRunOn />
        </div>
        {store.error && (
          <div className="field-error tuning-error" role="alert">
            {store.error}
          </div>
        )}
        <table className="simple-table search-table" aria-label="Parameters to search">
          <thead>
            <tr>
              <th>Parameter</th>
              <th>Now</th>
              <th>Search over</th>
            </tr>
          </thead>
          <tbody>
            {store.choices.map((choice) => {
              const field = fields.find((f) => f.name === choice.param);
              return field ? (
                <ChoiceRow
                  key={choice.param}
                  store={store}
                  field={field}
                  choice={choice}
                  current={values[choice.param]}
                  disabled={running}
                />
              ) : null;
            })}
          </tbody>
        </table>
      </div>
      <div className="tuning-results">
        <TrialChart points={store.series} metric={store.metric} />
        <TopTable store={store} node={node} />
        <TrialsTable store={store} />
      </div>
    </div>
  );
});

function TuningTabView() {
  const wb = useWorkbench();
  const networks = wb.networkNodes;
  const selected = wb.selectedNode;
  const node = selected?.kind === 'network' ? selected : networks[0];
  if (!node) return <div className="empty">Add a Neural Network module to tune it.</div>;
  return <TuningView key={node.id} node={node} />;
}

/** See the module comment. */
export const TuningTab = observer(TuningTabView);
