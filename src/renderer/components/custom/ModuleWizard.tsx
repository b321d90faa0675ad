/**
 * "New module": the wizard that names a custom module and says what it works
 * on (category, modality, 2-D/3-D, description) and in which language it is
 * written (TypeScript by default, or Python). The id follows the name
 * (`my-...`) until the user edits it. Next opens the code editor with the
 * engine's template for these answers.
 */
import { useState } from 'react';
import { observer } from 'mobx-react-lite';
import { MODALITIES, moduleIdFromTitle, wizardErrors, type WizardValues } from '../../stores/custom-modules';
import { useWorkbench } from '../context';

function ModuleWizardView() {
  const wb = useWorkbench();
  const store = wb.customModules;
  const [values, setValues] = useState<WizardValues>({
    title: '',
    id: 'my-',
    category: 'My modules',
    modality: 'any',
    dims: '2d',
    description: '',
    language: 'typescript',
  });
  const [idEdited, setIdEdited] = useState(false);
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const taken = (wb.info?.nodeTypes ?? []).map((t) => t.id);
  const errors = wizardErrors(values, taken);
  const ok = Object.keys(errors).length === 0;
  const set = (patch: Partial<WizardValues>) => setValues((v) => ({ ...v, ...patch }));
  const categories = [
    ...new Set([
      'My modules',
      ...(wb.info?.nodeTypes ?? []).filter((t) => t.kind === 'module').map((t) => t.category),
    ]),
  ];

  const submit = async () => {
    setTouched(true);
    if (!ok || busy) return;
    setBusy(true);
    try {
      await store.create(values);
    } catch (error) {
      setFailure(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };

  const shown = (key: keyof WizardValues) => (touched || key !== 'title' ? errors[key] : undefined);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && store.closeWizard()}>
      <form
        className="modal modal-wide"
        role="dialog"
        aria-modal="true"
        aria-labelledby="wizard-title"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
        onKeyDown={(e) => e.key === 'Escape' && store.closeWizard()}
      >
        <h2 id="wizard-title">New module</h2>
        <p className="muted">
          A module of your own, written in TypeScript or Python. It appears in the palette with the{' '}
          <span className="tag-my">My</span> tag and is saved in this project.
        </p>
        <div className="form-grid">
          <label htmlFor="wizard-name">Name</label>
          <div>
            <input
              id="wizard-name"
              autoFocus
              value={values.title}
              aria-invalid={Boolean(shown('title'))}
              onChange={(e) =>
                set({ title: e.target.value, ...(idEdited ? {} : { id: moduleIdFromTitle(e.target.value) }) })
              }
            />
            <div className="field-error">{shown('title') ?? ''}</div>
          </div>
          <label htmlFor="wizard-id">Id</label>
          <div>
            <input
              id="wizard-id"
              className="mono"
              value={values.id}
              aria-invalid={Boolean(values.title && errors.id)}
              onChange={(e) => {
                setIdEdited(true);
                set({ id: e.target.value });
              }}
            />
            <div className="field-error">{values.title ? (errors.id ?? '') : ''}</div>
          </div>
          <label htmlFor="wizard-category">Category</label>
          <div>
            <input
              id="wizard-category"
              list="wizard-categories"
              value={values.category}
              aria-invalid={Boolean(errors.category)}
              onChange={(e) => set({ category: e.target.value })}
            />
            <datalist id="wizard-categories">
              {categories.map((c) => (
                <option key={c} value={c} />
              ))}
            </datalist>
            <div className="field-error">{errors.category ?? ''}</div>
          </div>
          <label htmlFor="wizard-modality">Modality</label>
          <div>
            <select
              id="wizard-modality"
              value={values.modality}
              onChange={(e) => set({ modality: e.target.value })}
            >
              {MODALITIES.map((m) => (
                <option key={m} value={m}>
                  {m === 'any' ? 'Any modality' : m}
                </option>
              ))}
            </select>
            <div className="field-error" />
          </div>
          <span id="wizard-dims-label">Data</span>
          <div role="radiogroup" aria-labelledby="wizard-dims-label" className="radio-row">
            {(['2d', '3d'] as const).map((d) => (
              <label key={d}>
                <input
                  type="radio"
                  name="dims"
                  checked={values.dims === d}
                  onChange={() => set({ dims: d })}
                />
                {d === '2d' ? '2-D images' : '3-D volumes'}
              </label>
            ))}
          </div>
          <span id="wizard-language-label">Language</span>
          <div>
            <div role="radiogroup" aria-labelledby="wizard-language-label" className="radio-row">
              {(['typescript', 'python'] as const).map((l) => (
                <label key={l}>
                  <input
                    type="radio"
                    name="language"
                    checked={values.language === l}
                    onChange={() => set({ language: l })}
                  />
                  {l === 'typescript' ? 'TypeScript' : 'Python'}
                </label>
              ))}
            </div>
            <div className="muted">
              {values.language === 'python'
                ? 'Runs in python3 with numpy on this computer, not sandboxed in the language: only for projects you trust.'
                : 'Runs in a sandbox without files, programs or eval.'}{' '}
              {wb.info?.confinement?.summary}
            </div>
          </div>
          <label htmlFor="wizard-description">Description</label>
          <textarea
            id="wizard-description"
            rows={3}
            value={values.description}
            placeholder="What it does, shown as the palette tooltip"
            onChange={(e) => set({ description: e.target.value })}
          />
        </div>
        {failure && (
          <div className="field-error" role="alert">
            {failure}
          </div>
        )}
        <div className="modal-actions">
          <button type="button" className="btn" onClick={() => store.closeWizard()}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy || (touched && !ok)}>
            Next: write the code
          </button>
        </div>
      </form>
    </div>
  );
}

/** See the module comment. */
export const ModuleWizard = observer(ModuleWizardView);
