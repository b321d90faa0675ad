/**
 * "Evaluate on another dataset…" (the study's bar, and the External evaluation
 * section of a segmentation or transformation network): picks a labelled folder
 * with the folder browser and asks the engine to run the trained network
 * on it (`evaluateDataset`, read like the node's Dataset node). The result is
 * stored in the project as an evaluation run and shown in the study's picker;
 * items it could not use are counted in the toast, with the first reason.
 */
import { useState } from 'react';
import { observer } from 'mobx-react-lite';
import { useWorkbench } from './context';
import { Dialog, DialogFooter } from './Dialog';
import { FolderBrowser } from './FolderBrowser';

function EvaluateDialogView({
  node,
  onClose,
  onEvaluated,
}: {
  node: string;
  onClose(): void;
  /** Called with the new evaluation's id, so the study shows it. */
  onEvaluated(id: string): void;
}) {
  const wb = useWorkbench();
  const [folder, setFolder] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // Cancel while it evaluates stops the engine's pass over the folder; nothing is stored then.
  const [request] = useState(() => new AbortController());
  const close = (): void => {
    request.abort();
    onClose();
  };
  const evaluate = async (): Promise<void> => {
    if (!folder) return;
    setBusy(true);
    setError(null);
    try {
      const { record, failed, dropped } = await wb.api.evaluateDataset(
        { node, dataset: folder },
        { signal: request.signal },
      );
      await wb.evaluations.load(node);
      onEvaluated(record.id);
      onClose();
      const skipped = failed.length
        ? `; ${failed.length} item(s) could not be evaluated (first: ${failed[0].id}: ${failed[0].reason})`
        : '';
      wb.toast(
        failed.length ? 'error' : 'success',
        `Evaluated ${node} on ${record.items} items of ${folder}${skipped}${dropped ? `; ${dropped} dropped by a filter` : ''}`,
      );
    } catch (e) {
      if (request.signal.aborted) return;
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title="Evaluate on another dataset" onClose={close}>
      <p className="muted">
        Choose a labelled folder. It is read like this network's Dataset node; every item goes through the
        same modules and the trained network, and the study is kept in the project.
      </p>
      <FolderBrowser kind="folder" value={folder} onChange={setFolder} />
      <DialogFooter
        error={error}
        onCancel={close}
        label={busy ? 'Evaluating…' : 'Evaluate'}
        blocked={busy ? 'Evaluating the folder…' : folder ? undefined : 'Pick a folder first'}
        hint="Run the trained network on this folder and store the study"
        onConfirm={() => void evaluate()}
      />
    </Dialog>
  );
}

/** See the module comment. */
export const EvaluateDialog = observer(EvaluateDialogView);

/** The "Evaluate on another dataset…" button and its dialog; `onEvaluated` gets the new evaluation's id. */
function EvaluateButtonView({ node, onEvaluated }: { node: string; onEvaluated(id: string): void }) {
  const wb = useWorkbench();
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        className="btn"
        disabled={wb.running}
        title={
          wb.runBlockedReason ?? 'Run the trained network on another labelled folder (external validation)'
        }
        onClick={() => setOpen(true)}
      >
        Evaluate on another dataset…
      </button>
      {open && <EvaluateDialog node={node} onClose={() => setOpen(false)} onEvaluated={onEvaluated} />}
    </>
  );
}

/** See {@link EvaluateButtonView}. */
export const EvaluateButton = observer(EvaluateButtonView);
