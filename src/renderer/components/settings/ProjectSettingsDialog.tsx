/**
 * File > Project settings…: the settings the open project keeps in its
 * `.phiproj` that no other screen edits, today the Inference runtime (what
 * runs the View tab's predictions and external validation: auto, tf.js or
 * ONNX Runtime). When the engine's environment sets PHI_INFERENCE_RUNTIME,
 * that value wins, and the dialog says so (docs/export.md).
 */
import { useEffect, useState } from 'react';
import { observer } from 'mobx-react-lite';
import { INFERENCE_RUNTIMES, type InferenceRuntime, type ProjectSettings } from '../../../engine/api';
import { useWorkbench } from '../context';
import { Dialog, DialogFooter } from '../Dialog';
import { projectSettingsDialog, showProjectSettings } from './project-settings-dialog';

const RUNTIME_LABELS: Record<InferenceRuntime, string> = {
  auto: 'auto (ONNX Runtime when the network exports to ONNX, else tf.js)',
  tfjs: 'tf.js',
  onnx: 'ONNX Runtime',
};

function ProjectSettingsForm() {
  const wb = useWorkbench();
  const [settings, setSettings] = useState<ProjectSettings | null>(null);
  const [runtime, setRuntime] = useState<InferenceRuntime>('auto');
  const [error, setError] = useState<string | null>(null);
  const close = () => showProjectSettings(false);

  useEffect(() => {
    void wb.api.getProject({}).then(
      (project) => {
        const found = project?.settings ?? null;
        setSettings(found);
        if (found) setRuntime(found.inferenceRuntime);
      },
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  }, [wb]);

  const save = () =>
    void wb.api
      .setProjectSettings({ inferenceRuntime: runtime })
      .then(close, (e: unknown) => setError(e instanceof Error ? e.message : String(e)));

  return (
    <Dialog title="Project settings" onClose={close}>
      <div className="field-row">
        <label htmlFor="inference-runtime">Inference runtime</label>
        <select
          id="inference-runtime"
          autoFocus
          value={runtime}
          disabled={!settings}
          onChange={(e) => setRuntime(e.target.value as InferenceRuntime)}
          onKeyDown={(e) => e.key === 'Enter' && save()}
        >
          {INFERENCE_RUNTIMES.map((r) => (
            <option key={r} value={r}>
              {RUNTIME_LABELS[r]}
            </option>
          ))}
        </select>
      </div>
      <p className="muted">
        Runs the View tab&apos;s predictions and Evaluate on another dataset. Training and its test split run
        tf.js.
      </p>
      {settings?.inferenceRuntimeOverride && (
        <p className="muted" data-testid="runtime-override">
          The engine&apos;s environment sets PHI_INFERENCE_RUNTIME={settings.inferenceRuntimeOverride}, which
          overrides this setting.
        </p>
      )}
      <DialogFooter
        error={error}
        onCancel={close}
        label="Save"
        blocked={settings ? undefined : 'Reading the project settings…'}
        hint="Keep these settings in the project file"
        onConfirm={save}
      />
    </Dialog>
  );
}

/** See the module comment. */
export const ProjectSettingsDialog = observer(function ProjectSettingsDialog() {
  return projectSettingsDialog.open ? <ProjectSettingsForm /> : null;
});
