/** The progress of an import or a refresh: a bar in instances and the engine's latest line. */
import type { PacsProgress } from '../../stores/pacs';

export function PacsProgressBar({ progress }: { progress: PacsProgress }) {
  return (
    <div role="status" data-testid="pacs-progress">
      <progress className="pacs-progress" value={progress.done} max={Math.max(progress.total, 1)} />
      <div className="muted pacs-note">
        {progress.done} of {progress.total} instances · {progress.message}
      </div>
    </div>
  );
}
