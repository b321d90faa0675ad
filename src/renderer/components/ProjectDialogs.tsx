/**
 * File > New project and File > Open. New project: pick the dataset folder,
 * see what the engine makes of it (layout, where the labels and the split
 * come from, what was not used, classes, findings) and only then create the
 * project file. Open: pick a `.phiproj`, or one of the recent projects.
 */
import { useCallback, useState } from 'react';
import { observer } from 'mobx-react-lite';
import type { DatasetPreview, Task } from '../../engine/api';
import { fileNameOf } from '../stores/projects';
import { useWorkbench } from './context';
import { SummaryBody } from './DatasetSummaryView';
import { Dialog, DialogFooter } from './Dialog';
import { FolderBrowser } from './FolderBrowser';

const TASKS: { value: Task | 'auto'; label: string }[] = [
  { value: 'auto', label: 'Detect from the folder' },
  { value: 'classification', label: 'Classification' },
  { value: 'segmentation', label: 'Segmentation' },
  { value: 'detection', label: 'Detection' },
  { value: 'transformation', label: 'Transformation (image to image)' },
];

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const NewProjectDialogView = observer(function NewProjectDialog() {
  const wb = useWorkbench();
  const close = () => wb.projects.closeDialog();
  const [folder, setFolder] = useState<string | null>(null);
  const [task, setTask] = useState<Task | 'auto'>('auto');
  const [preview, setPreview] = useState<DatasetPreview | null>(null);
  const [projectPath, setProjectPath] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const pick = useCallback((path: string) => {
    setFolder(path);
    setPreview(null);
    setError(null);
  }, []);

  const inspect = async () => {
    if (!folder) return;
    setBusy(true);
    setError(null);
    try {
      const found = await wb.api.previewDataset({ path: folder, ...(task === 'auto' ? {} : { task }) });
      setPreview(found);
      setProjectPath(found.suggestedProject);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  const create = async () => {
    if (!preview || !projectPath) return;
    setBusy(true);
    setError(null);
    try {
      await wb.createProject(projectPath, preview.path, preview.task);
      close();
      wb.toast('success', `Created ${fileNameOf(projectPath)}`);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title="New project" onClose={close}>
      <p className="muted">
        Choose the dataset folder. Phi Studio shows how it reads it before the project is made.
      </p>
      <h3 className="dialog-step">1. Dataset folder</h3>
      <FolderBrowser kind="folder" value={folder} onChange={pick} />
      <div className="field-row dialog-row">
        <label htmlFor="new-task">Task</label>
        <select
          id="new-task"
          value={task}
          onChange={(e) => (setTask(e.target.value as Task | 'auto'), setPreview(null))}
        >
          {TASKS.map((t) => (
            <option key={t.value} value={t.value}>
              {t.label}
            </option>
          ))}
        </select>
        <span className="status-spacer" />
        <button type="button" className="btn" disabled={!folder || busy} onClick={() => void inspect()}>
          Use this folder
        </button>
      </div>
      {preview && (
        <section className="dataset-summary dataset-preview" aria-label="Dataset preview">
          <h3 className="dialog-step">2. What the folder holds</h3>
          <dl className="dataset-facts">
            <dt>Folder</dt>
            <dd className="mono">{preview.path}</dd>
            <dt>Task</dt>
            <dd data-testid="preview-task">{preview.task}</dd>
            <dt>Layout</dt>
            <dd data-testid="preview-layout">{preview.layout}</dd>
            <dt>Classes</dt>
            <dd data-testid="preview-classes">
              {preview.classes.length > 0 ? preview.classes.join(', ') : 'none (not a class task)'}
            </dd>
          </dl>
          <SummaryBody summary={preview} />
        </section>
      )}
      {preview && (
        <div className="dialog-row">
          <h3 className="dialog-step">3. Project file</h3>
          <input
            aria-label="Project file"
            className="mono folder-path"
            value={projectPath}
            onChange={(e) => setProjectPath(e.target.value)}
          />
        </div>
      )}
      <DialogFooter
        error={error}
        onCancel={close}
        label="Create project"
        blocked={
          !preview
            ? 'Choose the dataset folder first (Use this folder)'
            : !projectPath.trim()
              ? 'Name the project file first'
              : busy
                ? 'Creating the project…'
                : undefined
        }
        hint="Create the project over this folder"
        onConfirm={() => void create()}
      />
    </Dialog>
  );
});

const OpenProjectDialogView = observer(function OpenProjectDialog() {
  const wb = useWorkbench();
  const close = () => wb.projects.closeDialog();
  const [picked, setPicked] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const open = async (path: string | null) => {
    if (!path) return;
    setError(null);
    try {
      await wb.openProject(path);
      close();
    } catch (e) {
      setError(messageOf(e));
    }
  };
  return (
    <Dialog title="Open project" onClose={close}>
      <FolderBrowser kind="project" value={picked} onChange={setPicked} onActivate={(p) => void open(p)} />
      <DialogFooter
        error={error}
        onCancel={close}
        label="Open"
        blocked={picked ? undefined : 'Pick a project file first'}
        hint="Open this project"
        onConfirm={() => void open(picked)}
      />
    </Dialog>
  );
});

/** Whichever project dialog the store says is open. */
export const ProjectDialogs = observer(function ProjectDialogs() {
  const wb = useWorkbench();
  if (wb.projects.dialog === 'new') return <NewProjectDialogView />;
  if (wb.projects.dialog === 'open') return <OpenProjectDialogView />;
  return null;
});

/**
 * Opens a recent project; one that cannot be opened any more (moved,
 * deleted) leaves the list, with the engine's reason.
 */
export async function openRecent(wb: ReturnType<typeof useWorkbench>, path: string): Promise<void> {
  try {
    await wb.openProject(path);
  } catch (e) {
    wb.projects.forget(path);
    wb.toast('error', messageOf(e));
  }
}
