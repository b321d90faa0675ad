/**
 * The frame and footer the workbench's dialogs share (New project, Open
 * project, Evaluate on another dataset): Escape and a click outside close
 * them; the footer has the error line, Cancel and a primary button that says
 * why it is off.
 */
import type { ReactNode } from 'react';

/** The dialog frame: Escape and a click outside close it. */
export function Dialog({
  title,
  onClose,
  children,
}: {
  title: string;
  onClose(): void;
  children: ReactNode;
}) {
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        className="modal modal-wide project-dialog"
        role="dialog"
        aria-modal="true"
        aria-label={title}
        onKeyDown={(e) => e.key === 'Escape' && onClose()}
      >
        <h2>{title}</h2>
        {children}
      </div>
    </div>
  );
}

/** A dialog's error line and its Cancel and primary buttons; a primary that is off says why. */
export function DialogFooter({
  error,
  onCancel,
  label,
  blocked,
  hint,
  onConfirm,
}: {
  error: string | null;
  onCancel(): void;
  label: string;
  /** Why the primary button is off; undefined when it is on. */
  blocked?: string;
  hint: string;
  onConfirm(): void;
}) {
  return (
    <>
      {error && (
        <div className="field-error" role="alert">
          {error}
        </div>
      )}
      <div className="modal-actions">
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
        <button
          type="button"
          className="btn btn-primary"
          disabled={blocked !== undefined}
          title={blocked ?? hint}
          onClick={onConfirm}
        >
          {label}
        </button>
      </div>
    </>
  );
}
