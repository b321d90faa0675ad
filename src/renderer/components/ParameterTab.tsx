/**
 * The Parameter tab, generated from the selected node's params JSON Schema:
 * numbers with their bounds, enums as selects, booleans as switches, lists
 * and text. A value the schema refuses is shown as an inline error and not
 * sent; hovering (or focusing) a name shows its description and constraints.
 */
import { useEffect, useId, useState } from 'react';
import { observer } from 'mobx-react-lite';
import type { GraphNode, NodeTypeDescriptor } from '../../engine/api';
import {
  boundsText,
  fieldsForTask,
  fieldsOf,
  formatFieldValue,
  parseField,
  withDefaults,
  type ParamField,
} from '../stores/param-form';
import { savedSpecIdOf } from '../stores/network-builder';
import { useWorkbench } from './context';
import { DatasetSummaryView } from './DatasetSummaryView';
import { PacsQuerySource } from './pacs/PacsQuerySource';
import { Icon } from './icons';

/** Constraint text of a field for its tooltip. */
function constraintText(field: ParamField): string {
  switch (field.kind) {
    case 'number':
      return boundsText(field);
    case 'enum':
      return `One of: ${field.options.join(', ')}`;
    case 'number-list':
      return [
        field.minItems !== undefined && field.minItems === field.maxItems ? `${field.minItems} numbers` : '',
        boundsText(field.item),
      ]
        .filter(Boolean)
        .join(', ');
    case 'text':
      return field.maxLength ? `At most ${field.maxLength} characters` : '';
    default:
      return '';
  }
}

/** One generated field (also used by the network builder's layer panel). */
export function FieldRow({
  field,
  value,
  onCommit,
  parse = parseField,
  locked,
}: {
  field: ParamField;
  value: unknown;
  onCommit(value: unknown): void;
  /** Why the field cannot be edited now (another param sets it); its value is then the one in force. */
  locked?: string;
  /** Parser of typed text; the builder's accepts `$classes` placeholders in number fields. */
  parse?: typeof parseField;
}) {
  const id = useId();
  const shown = formatFieldValue(field, value);
  const [text, setText] = useState(shown);
  const [error, setError] = useState<string | null>(null);
  // A new value from the engine (undo, another window) replaces the draft.
  useEffect(() => {
    setText(shown);
    setError(null);
  }, [shown]);

  const commitText = (input: string) => {
    const parsed = parse(field, input);
    if (!parsed.ok) {
      setError(parsed.error);
      return;
    }
    setError(null);
    if (formatFieldValue(field, parsed.value) !== shown) onCommit(parsed.value);
  };
  const constraints = constraintText(field);
  const tip = [
    field.description,
    constraints,
    field.default !== undefined ? `Default: ${formatFieldValue(field, field.default)}` : '',
  ]
    .filter(Boolean)
    .join('\n');

  let control;
  if (field.kind === 'boolean') {
    const on = Boolean(value);
    control = (
      <button
        id={id}
        type="button"
        role="switch"
        aria-checked={on}
        className={`switch${on ? ' on' : ''}`}
        onClick={() => onCommit(!on)}
        aria-describedby={`${id}-tip`}
      >
        <span className="switch-thumb" />
      </button>
    );
  } else if (field.kind === 'enum') {
    control = (
      <select
        id={id}
        value={String(value ?? '')}
        aria-describedby={`${id}-tip`}
        onChange={(e) => commitText(e.target.value)}
      >
        {value === undefined && <option value="">—</option>}
        {field.options.map((o) => (
          <option key={String(o)} value={String(o)}>
            {String(o)}
          </option>
        ))}
      </select>
    );
  } else {
    const numeric = field.kind === 'number';
    control = (
      <input
        id={id}
        type={numeric ? 'number' : 'text'}
        inputMode={numeric ? 'decimal' : undefined}
        min={numeric ? field.minimum : undefined}
        max={numeric ? field.maximum : undefined}
        step={numeric ? field.step : undefined}
        className={`${numeric ? 'num' : ''}${error ? ' invalid' : ''}`}
        value={text}
        aria-invalid={Boolean(error)}
        aria-describedby={`${id}-tip ${id}-error`}
        onChange={(e) => {
          setText(e.target.value);
          // Show a refusal while typing; commit only on Enter or leaving the field.
          const parsed = parse(field, e.target.value);
          setError(parsed.ok ? null : parsed.error);
        }}
        onBlur={(e) => commitText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commitText((e.target as HTMLInputElement).value);
          if (e.key === 'Escape') {
            setText(shown);
            setError(null);
          }
        }}
      />
    );
  }

  return (
    <div className="param-row" data-testid={`param-${field.name}`}>
      <div className="param-label tip-host" tabIndex={-1}>
        <label htmlFor={id}>{field.label}</label>
        {tip && (
          <span className="tip" role="tooltip" id={`${id}-tip`}>
            {tip}
          </span>
        )}
      </div>
      <div className="param-control" title={locked}>
        {locked ? (
          <fieldset disabled className="param-locked" data-testid={`locked-${field.name}`}>
            {control}
          </fieldset>
        ) : (
          control
        )}
        {field.kind === 'number' && constraints && <span className="param-bounds">{constraints}</span>}
      </div>
      <div className="field-error" id={`${id}-error`} role={error ? 'alert' : undefined}>
        {error ?? ''}
      </div>
    </div>
  );
}

/**
 * A field a preset sets shows the preset's value, read-only, with why: the
 * form never shows a value other than the one the engine applies.
 */
function presetLock(
  presets: NodeTypeDescriptor['presets'],
  values: Record<string, unknown>,
  name: string,
  own: unknown,
): { value: unknown; locked?: string } {
  const choice = presets ? String(values[presets.param] ?? '') : '';
  const set = presets?.values[choice];
  if (!presets || !set || !(name in set)) return { value: own };
  return { value: set[name], locked: `Set by ${presets.param} "${choice}": choose another to edit it` };
}

const ParameterForm = observer(function ParameterForm({ node }: { node: GraphNode }) {
  const wb = useWorkbench();
  const type = wb.typeOf(node);
  if (!type)
    return <div className="empty">Unknown module type “{node.type}”: the engine does not provide it.</div>;
  const all = fieldsOf(type.params);
  // Choices that do not fit the node's task (unet for classes, psnr for masks) are not offered.
  const fields = fieldsForTask(all, type.taskOptions, withDefaults(all, node.params));
  const values = withDefaults(fields, node.params);
  return (
    <div className="param-form">
      <div className="panel-head">
        <div className="panel-head-title">{node.label || type.title}</div>
        <div className="panel-head-sub">
          {type.category} · <span className="mono">{node.id}</span> · v{node.version}
        </div>
        <p className="panel-head-desc">{type.description}</p>
        {type.kind === 'network' && (
          <button
            type="button"
            className="btn btn-small"
            onClick={() => {
              const source = wb.graph.edges.find((e) => e.target === node.id)?.source;
              const shape = source ? wb.status.get(source)?.shape : undefined;
              const task = (node.params.task as 'classification' | undefined) ?? 'classification';
              void wb.builder.open(node.id, task, shape ?? undefined, savedSpecIdOf(node.params));
            }}
          >
            <Icon name="layers" size={14} />
            Build network…
          </button>
        )}
      </div>
      {fields.length === 0 && <div className="empty">This module has no parameters.</div>}
      <form onSubmit={(e) => e.preventDefault()} aria-label={`Parameters of ${node.label || type.title}`}>
        {fields.map((field) => (
          <FieldRow
            key={`${node.id}:${field.name}`}
            field={field}
            {...presetLock(type.presets, values, field.name, values[field.name])}
            onCommit={(value) => {
              const next = { ...node.params };
              if (value === undefined) delete next[field.name];
              else next[field.name] = value;
              void wb.setParams(node.id, next);
            }}
          />
        ))}
      </form>
      {fields.length > 0 && (
        <button
          type="button"
          className="btn btn-small reset-params"
          onClick={() => {
            const defaults: Record<string, unknown> = {};
            for (const f of fields) if (f.default !== undefined) defaults[f.name] = f.default;
            void wb.setParams(node.id, defaults);
          }}
        >
          Reset to defaults
        </button>
      )}
      {type.kind === 'dataset' && (
        <DatasetSummaryView key={wb.pacs.refreshes.get(node.id) ?? 0} node={node} />
      )}
      {type.kind === 'dataset' && <PacsQuerySource node={node} />}
    </div>
  );
});

function ParameterTabView() {
  const wb = useWorkbench();
  const node = wb.selectedNode;
  if (!node) {
    return (
      <div className="empty">
        {wb.selection.size > 1
          ? `${wb.selection.size} modules selected.`
          : 'Select a module to see its parameters.'}
      </div>
    );
  }
  return <ParameterForm key={node.id} node={node} />;
}

/** See the module comment. */
export const ParameterTab = observer(ParameterTabView);
