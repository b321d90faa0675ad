/**
 * The custom module editor: Monaco (lazy chunk) with the module's source,
 * Save (Ctrl/Cmd+S) compiling in the engine, its problems as editor markers
 * and as a clickable list, Delete for saved modules. Nothing is saved while
 * the source has problems.
 */
import { lazy, Suspense, useMemo, useRef, useState } from 'react';
import { observer } from 'mobx-react-lite';
import { editorLanguage, markersOf } from '../../stores/custom-modules';
import { useWorkbench } from '../context';
import type { TypeProblem } from './MonacoEditor';

const MonacoEditor = lazy(() => import('./MonacoEditor'));

function ModuleEditorView() {
  const wb = useWorkbench();
  const store = wb.customModules;
  const doc = store.doc;
  const [reveal, setReveal] = useState<{ line: number; column: number }>();
  // The editor's type errors gate Save: code the type checker rejects is not saved as runnable.
  const [typeErrors, setTypeErrors] = useState<TypeProblem[]>([]);
  const blocked =
    typeErrors.length > 0
      ? `${typeErrors.length} type error${typeErrors.length === 1 ? '' : 's'}: fix ${typeErrors.length === 1 ? 'it' : 'them'} to save (line ${typeErrors[0].line}: ${typeErrors[0].message})`
      : undefined;
  const typeCheck = useRef<(() => Promise<TypeProblem[]>) | null>(null);
  const save = async (): Promise<void> => {
    // Checked afresh: the underlines may still show the text of a moment ago.
    const errors = (await typeCheck.current?.()) ?? [];
    setTypeErrors(errors);
    if (errors.length === 0) await store.save();
  };
  const problems = doc?.problems;
  const source = doc?.source ?? '';
  // Markers are recomputed when problems change, not on every keystroke.
  const markers = useMemo(() => markersOf(problems ?? [], source), [problems]);
  if (!doc) return null;
  const { info } = doc;
  const inUse = wb.graph.nodes.filter((n) => n.type === info.id).map((n) => n.id);

  return (
    <div className="modal-backdrop">
      <div
        className="editor-window"
        role="dialog"
        aria-modal="true"
        aria-labelledby="editor-title"
        onKeyDown={(e) => {
          if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 's') {
            e.preventDefault();
            void save();
          }
          if (e.key === 'Escape' && !e.defaultPrevented) store.closeEditor();
        }}
      >
        <header className="editor-head">
          <div>
            <h2 id="editor-title">
              {info.title} <span className="tag-my">My</span>
            </h2>
            <div className="panel-head-sub">
              <span className="mono">{info.id}</span> · {info.language === 'python' ? 'Python' : 'TypeScript'}{' '}
              · {info.category} · {info.modality === 'any' ? 'any modality' : info.modality} ·{' '}
              {info.dims === '3d' ? '3-D' : '2-D'}
            </div>
          </div>
          <div className="editor-actions">
            <span className="muted" role="status" data-testid="editor-status">
              {doc.saving
                ? 'Compiling…'
                : blocked
                  ? blocked
                  : doc.problems.length > 0
                    ? `${doc.problems.length} problem${doc.problems.length === 1 ? '' : 's'}: not saved`
                    : doc.savedAt
                      ? 'Saved'
                      : doc.isNew
                        ? 'Not saved yet'
                        : ''}
            </span>
            {!doc.isNew && (
              <button
                type="button"
                className="btn btn-danger-outline"
                disabled={inUse.length > 0}
                title={
                  inUse.length
                    ? `Used by ${inUse.join(', ')}: remove those nodes first`
                    : 'Delete this module'
                }
                onClick={() => {
                  if (window.confirm(`Delete the module "${info.title}"?`)) void store.remove(info.id);
                }}
              >
                Delete
              </button>
            )}
            <button type="button" className="btn" onClick={() => store.closeEditor()}>
              Close
            </button>
            <button
              type="button"
              className="btn btn-primary"
              disabled={doc.saving || Boolean(blocked)}
              title={blocked ?? 'Compile and save (Ctrl+S)'}
              onClick={() => void save()}
            >
              Save
            </button>
          </div>
        </header>
        <div className="editor-body">
          <Suspense fallback={<div className="empty">Loading the code editor…</div>}>
            <MonacoEditor
              {...editorLanguage(info)}
              value={doc.source}
              markers={markers}
              onChange={(text) => store.setSource(text)}
              onSave={() => void save()}
              onTypeErrors={setTypeErrors}
              typeCheck={typeCheck}
              reveal={reveal}
            />
          </Suspense>
        </div>
        {doc.problems.length > 0 && (
          <ul className="problems" aria-label="Problems" data-testid="problems">
            {doc.problems.map((p, i) => (
              <li key={i}>
                <button
                  type="button"
                  className="problem"
                  onClick={() => setReveal({ line: p.line, column: p.column })}
                >
                  <span className="mono">
                    Line {p.line}:{p.column}
                  </span>{' '}
                  {p.message}
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

/** See the module comment. */
export const ModuleEditor = observer(ModuleEditorView);
