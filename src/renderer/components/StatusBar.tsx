/** The status bar: engine connection, backend, run progress, graph size and issues. */
import { observer } from 'mobx-react-lite';
import { runModeLabel } from '../stores/runs';
import { useWorkbench } from './context';
import { Icon } from './icons';
import { statusText } from './PhiNode';

function StatusBarView() {
  const wb = useWorkbench();
  const progress = wb.runProgress;
  const current = wb.run?.nodes.find((id) => wb.status.get(id)?.state === 'running');
  const currentNode = current ? wb.graph.nodes.find((n) => n.id === current) : undefined;
  const tuning = wb.run?.mode === 'tuning' ? wb.tuningOf(wb.run.nodes[0] ?? '') : undefined;
  const repeat = wb.run?.repeat;
  const errors = wb.issues.filter((i) => i.severity === 'error').length;
  const connection =
    wb.connection === 'open'
      ? 'Engine connected'
      : wb.connection === 'connecting'
        ? 'Connecting…'
        : (wb.connectionError ?? 'Disconnected');
  return (
    <footer className="statusbar" aria-label="Status bar">
      <span className={`status-conn conn-${wb.connection}`} role="status">
        <span className="conn-dot" aria-hidden="true" />
        {connection}
      </span>
      {wb.connection === 'closed' && (
        <button
          type="button"
          className="btn btn-small"
          title="Open a new connection to the engine"
          onClick={() => (wb.api.reconnect ? void wb.reconnect() : window.location.reload())}
        >
          <Icon name="refresh" size={12} /> Reconnect
        </button>
      )}
      {wb.project && (
        <span
          className="status-item status-saved"
          data-testid="saved-indicator"
          aria-live="polite"
          title={`Every edit is written to ${wb.project.path} at once`}
        >
          {wb.projects.savedLabel}
        </span>
      )}
      <span
        className="status-item"
        data-testid="backend"
        title="tf.js backend used for training and prediction"
      >
        Backend: <strong>{wb.backend ?? 'not used yet'}</strong>
      </span>
      <span className="status-item status-run" aria-live="polite">
        {progress !== null ? (
          <>
            <span className="status-run-text">
              {runModeLabel(wb.run?.mode ?? 'all')}
              {tuning
                ? ` · ${tuning.node}: ${tuningText(tuning.trials.length, tuning.live)}`
                : repeat
                  ? ` · ${wb.run?.nodes[0]}: seed ${Math.min(repeat.trained + 1, repeat.seeds)} of ${repeat.seeds}${repeat.epoch ? `, epoch ${repeat.epoch}` : ''}`
                  : currentNode
                    ? ` · ${currentNode.label || wb.typeOf(currentNode)?.title || currentNode.id}: ${statusText(wb.status.get(currentNode.id))}`
                    : ''}
            </span>
            <span
              className="status-progress"
              role="progressbar"
              aria-label="Run progress"
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={Math.round(progress * 100)}
            >
              <span style={{ transform: `scaleX(${progress})` }} />
            </span>
            <span className="mono">{Math.round(progress * 100)}%</span>
          </>
        ) : (
          <span className="muted">Idle</span>
        )}
      </span>
      <span className="status-spacer" />
      {errors > 0 && (
        <span className="status-item status-issues" title={wb.issues.map((i) => i.message).join('\n')}>
          {errors} problem{errors === 1 ? '' : 's'} in the pipeline
        </span>
      )}
      <span className="status-item muted">
        {wb.graph.nodes.length} nodes · {wb.graph.edges.length} connections
      </span>
      {wb.info && <span className="status-item muted">engine {wb.info.version}</span>}
    </footer>
  );
}

/** What a search is doing: trials finished, and the trial training now (its epoch). */
function tuningText(finished: number, live: { epoch?: number } | null): string {
  const done = `${finished} trial${finished === 1 ? '' : 's'} finished`;
  if (!live) return done;
  return `${done}, trial ${finished + 1} training${live.epoch !== undefined ? ` (epoch ${live.epoch} done)` : ''}`;
}

/** See the module comment. */
export const StatusBar = observer(StatusBarView);
