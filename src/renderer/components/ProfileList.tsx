/**
 * The list of saved profiles at the left of a profile dialog (PACS servers,
 * clusters): one option per profile, the chosen one marked, and "New
 * profile" to start an empty form.
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
