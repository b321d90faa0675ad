/**
 * The form every profile dialog (PACS servers, clusters) shares: the list of
 * saved profiles at the left (one option per profile, the chosen one marked,
 * and "New profile" to start an empty form), the profile's name, the
 * dialog's own fields, then the test button, Delete and the engine's verdict
 * sentence. Enter submits (saves).
 */
import type { FormEvent, ReactNode } from 'react';
import './pacs/pacs.css';

/** See the module comment. */
export function ProfileForm({
  label,
  names,
  chosen,
  onChoose,
  name,
  onName,
  onSubmit,
  actions,
  children,
}: {
  /** The list's accessible name, e.g. "PACS profiles". */
  label: string;
  names: string[];
  chosen: string | null;
  /** Called with a profile's name, or null for a new profile. */
  onChoose(name: string | null): void;
  name: string;
  onName(name: string): void;
  onSubmit(event: FormEvent): void;
  actions: Parameters<typeof ProfileActions>[0];
  /** The dialog's own fields, after the name. */
  children: ReactNode;
}) {
  return (
    <form className="pacs-profiles" onSubmit={onSubmit}>
      <ProfileList label={label} names={names} chosen={chosen} onChoose={onChoose} />
      <div className="pacs-form">
        <label>
          Name
          <input value={name} onChange={(e) => onName(e.target.value)} autoFocus />
        </label>
        {children}
        <ProfileActions {...actions} />
      </div>
      <button type="submit" hidden />
    </form>
  );
}

function ProfileList({
  label,
  names,
  chosen,
  onChoose,
}: {
  /** The list's accessible name, e.g. "PACS profiles". */
  label: string;
  names: string[];
  chosen: string | null;
  /** Called with a profile's name, or null for a new profile. */
  onChoose(name: string | null): void;
}) {
  return (
    <div className="pacs-profile-list" role="listbox" aria-label={label}>
      {names.map((name) => (
        <button
          key={name}
          type="button"
          role="option"
          aria-selected={name === chosen}
          className={`folder-entry${name === chosen ? ' selected' : ''}`}
          onClick={() => onChoose(name)}
        >
          {name}
        </button>
      ))}
      <button type="button" className="btn" onClick={() => onChoose(null)}>
        New profile
      </button>
    </div>
  );
}

/** The test button (its label while testing, why it is off), Delete for a saved profile, and the verdict. */
function ProfileActions({
  testLabel,
  testing,
  disabled,
  title,
  onTest,
  onDelete,
  verdict,
}: {
  /** e.g. "Test connection". */
  testLabel: string;
  testing: boolean;
  disabled: boolean;
  title?: string;
  onTest(): void;
  /** Present while a saved profile is edited. */
  onDelete?: () => void;
  verdict: { ok: boolean; message: string } | null;
}) {
  return (
    <>
      <div className="field-row">
        <button type="button" className="btn" disabled={disabled} title={title} onClick={onTest}>
          {testing ? 'Testing…' : testLabel}
        </button>
        {onDelete && (
          <button type="button" className="btn" onClick={onDelete}>
            Delete
          </button>
        )}
      </div>
      {verdict && (
        <div role="status" className={verdict.ok ? 'pacs-verdict ok' : 'pacs-verdict failed'}>
          {verdict.message}
        </div>
      )}
    </>
  );
}
