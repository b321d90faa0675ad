/**
 * Shown when no project is open: open a `.phiproj`, or create one over a
 * dataset folder. Paths are on the machine that runs the engine.
 */
import { useState } from 'react';
import { observer } from 'mobx-react-lite';
import { useWorkbench } from './context';

function ProjectGateView() {
  const wb = useWorkbench();
  const [path, setPath] = useState('');
  const [newPath, setNewPath] = useState('');
  const [dataset, setDataset] = useState('');
  const [task, setTask] = useState<'classification' | 'segmentation' | 'detection' | 'transformation'>(
    'classification',
  );
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const attempt = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="gate">
      <div className="gate-card">
        <h1>Phi Studio</h1>
        <p className="muted">Open a project, or create one from a dataset folder.</p>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void attempt(() => wb.openProject(path));
          }}
        >
          <h2>Open project</h2>
          <label htmlFor="open-path">Project file (.phiproj)</label>
          <div className="field-row">
            <input
              id="open-path"
              value={path}
              onChange={(e) => setPath(e.target.value)}
              placeholder="/path/to/project.phiproj"
            />
            <button type="submit" className="btn btn-primary" disabled={busy || !path}>
              Open
            </button>
          </div>
        </form>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void attempt(() => wb.createProject(newPath, dataset, task));
          }}
        >
          <h2>New project</h2>
          <label htmlFor="new-path">New project file</label>
          <input
            id="new-path"
            value={newPath}
            onChange={(e) => setNewPath(e.target.value)}
            placeholder="/path/to/new.phiproj"
          />
          <label htmlFor="new-dataset">Dataset folder</label>
          <input
            id="new-dataset"
            value={dataset}
            onChange={(e) => setDataset(e.target.value)}
            placeholder="/path/to/dataset"
          />
          <label htmlFor="new-task">Task</label>
          <select id="new-task" value={task} onChange={(e) => setTask(e.target.value as typeof task)}>
            <option value="classification">Classification</option>
            <option value="segmentation">Segmentation</option>
            <option value="detection">Detection</option>
            <option value="transformation">Transformation (image to image)</option>
          </select>
          <div className="modal-actions">
            <button type="submit" className="btn btn-primary" disabled={busy || !newPath || !dataset}>
              Create
            </button>
          </div>
        </form>
        {error && (
          <div className="field-error" role="alert">
            {error}
          </div>
        )}
      </div>
    </div>
  );
}

/** See the module comment. */
export const ProjectGate = observer(ProjectGateView);
