/**
 * The builder's Parameter panel for the selected layer, generated from the
 * layer type's JSON Schema with the Parameter tab's fields. Number fields
 * also take a `$name` placeholder (e.g. `$classes`, filled from the data when
 * the network is built).
 */
import { observer } from 'mobx-react-lite';
import {
  fieldsOf,
  parseField,
  withDefaults,
  type ParamField,
  type ParseResult,
} from '../../stores/param-form';
import { useWorkbench } from '../context';
import { FieldRow } from '../ParameterTab';

/** A number field showing a `$placeholder` becomes a text field that accepts numbers in bounds or placeholders. */
export function layerField(
  field: ParamField,
  value: unknown,
): { field: ParamField; parse: typeof parseField } {
  if (field.kind !== 'number' || typeof value !== 'string') return { field, parse: parseField };
  const original = field;
  const text: ParamField = {
    kind: 'text',
    name: field.name,
    label: field.label,
    description: field.description,
    required: field.required,
  };
  const parse = (_f: ParamField, input: string | boolean): ParseResult => {
    const s = String(input).trim();
    if (/^\$[A-Za-z]+$/.test(s)) return { ok: true, value: s };
    return parseField(original, s);
  };
  return { field: text, parse };
}

function LayerPanelView() {
  const wb = useWorkbench();
  const builder = wb.builder;
  const layer = builder.selectedLayer;
  if (!layer) return <div className="empty">Select a layer to see its parameters.</div>;
  const type = builder.catalogue.find((c) => c.type === layer.type);
  if (!type) return <div className="empty">Unknown layer type {layer.type}.</div>;
  const fields = fieldsOf(type.params);
  const values = withDefaults(fields, layer.params);
  return (
    <div className="param-form">
      <div className="panel-head">
        <div className="panel-head-title">{type.title}</div>
        <div className="panel-head-sub">
          {type.category} · <span className="mono">{layer.id}</span>
        </div>
        <p className="panel-head-desc">{type.description}</p>
      </div>
      {fields.length === 0 && <div className="empty">This layer has no parameters.</div>}
      <form onSubmit={(e) => e.preventDefault()} aria-label={`Parameters of ${layer.id}`}>
        {fields.map((f) => {
          const { field, parse } = layerField(f, values[f.name]);
          return (
            <FieldRow
              key={`${layer.id}:${f.name}`}
              field={field}
              value={values[f.name]}
              parse={parse}
              onCommit={(value) => {
                const next = { ...layer.params };
                if (value === undefined) delete next[f.name];
                else next[f.name] = value;
                builder.setParams(layer.id, next);
              }}
            />
          );
        })}
      </form>
      <button
        type="button"
        className="btn btn-small reset-params"
        onClick={() => builder.removeLayer(layer.id)}
      >
        Remove layer
      </button>
    </div>
  );
}

/** See the module comment. */
export const LayerPanel = observer(LayerPanelView);
