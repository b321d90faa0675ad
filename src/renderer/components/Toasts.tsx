/** Short messages over the canvas (refused connections, run results); announced to screen readers. */
import { observer } from 'mobx-react-lite';
import { useWorkbench } from './context';
import { Icon } from './icons';

function ToastsView() {
  const wb = useWorkbench();
  return (
    <div className="toasts" role="status" aria-live="polite">
      {wb.toasts.map((toast) => (
        <div key={toast.id} className={`toast toast-${toast.kind}`} data-testid="toast">
          <Icon
            name={toast.kind === 'error' ? 'alert' : toast.kind === 'success' ? 'check' : 'dot'}
            size={14}
          />
          <span>{toast.message}</span>
          <button
            type="button"
            className="btn btn-icon btn-ghost"
            aria-label="Dismiss message"
            onClick={() => wb.dismissToast(toast.id)}
          >
            <Icon name="x" size={12} />
          </button>
        </div>
      ))}
    </div>
  );
}

/** See the module comment. */
export const Toasts = observer(ToastsView);
