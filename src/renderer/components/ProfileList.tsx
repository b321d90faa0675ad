/**
 * The parts every profile dialog (PACS servers, clusters) shares: the list of
 * saved profiles at the left (one option per profile, the chosen one marked,
 * and "New profile" to start an empty form), and under the form the test
 * button, Delete and the engine's verdict sentence.
 */
import './pacs/pacs.css';

export function ProfileList({
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
export function ProfileActions({
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
