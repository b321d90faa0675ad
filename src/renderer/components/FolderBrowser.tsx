/**
 * Picks a folder or a project file on the engine's machine: one component for
 * both front ends. On the desktop it opens the native dialog (`phiShell`); in
 * web mode it lists folders through the engine's `browseFolder`, which never
 * leaves its root (the user's home or `phi serve --root`).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { FolderListing } from '../../engine/api';
import { useWorkbench } from './context';
import { Icon } from './icons';

/** What is picked: the folder shown (`folder`) or a `.phiproj` in it (`project`). */
export type PickKind = 'folder' | 'project';

interface Props {
  kind: PickKind;
  /** The folder or project file picked so far. */
  value: string | null;
  onChange(path: string): void;
  /** Double-click on a project file (Open at once). */
  onActivate?(path: string): void;
}

/** See the module comment. */
export function FolderBrowser({ kind, value, onChange, onActivate }: Props) {
  const native = window.phiShell?.pickPath;
  if (native) {
    return (
      <div className="field-row folder-native">
        <span className="mono folder-native-path" data-testid="picked-path">
          {value ?? (kind === 'folder' ? 'No folder chosen' : 'No project chosen')}
        </span>
        <button
          type="button"
          className="btn"
          onClick={() =>
            void native(kind).then((path) => {
              if (path) onChange(path);
            })
          }
        >
          <Icon name="folder" size={14} /> {kind === 'folder' ? 'Choose folder…' : 'Choose project…'}
        </button>
      </div>
    );
  }
  return <EngineFolderList kind={kind} value={value} onChange={onChange} onActivate={onActivate} />;
}

function EngineFolderList({ kind, value, onChange, onActivate }: Props) {
  const wb = useWorkbench();
  const [listing, setListing] = useState<FolderListing | null>(null);
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string | null>(null);
  // Only the answer to the latest request is shown (clicks can outrun the engine).
  const serial = useRef(0);

  const go = useCallback(
    async (path?: string) => {
      const mine = ++serial.current;
      try {
        const next = await wb.api.browseFolder(path === undefined ? {} : { path });
        if (mine !== serial.current) return;
        setListing(next);
        setTyped(next.path);
        setError(null);
        if (kind === 'folder') onChange(next.path);
      } catch (e) {
        if (mine !== serial.current) return;
        setError(e instanceof Error ? e.message : String(e));
      }
    },
    [wb, kind, onChange],
  );
  useEffect(() => {
    void go();
    // Only the first listing: later ones follow the user's clicks.
  }, []);

  return (
    <div className="folder-browser">
      <form
        className="field-row"
        onSubmit={(e) => {
          e.preventDefault();
          void go(typed);
        }}
      >
        <button
          type="button"
          className="btn btn-icon"
          aria-label="Parent folder"
          title="Parent folder"
          disabled={!listing?.parent}
          onClick={() => listing?.parent && void go(listing.parent)}
        >
          <Icon name="undo" size={14} />
        </button>
        <input
          aria-label="Folder path"
          className="mono folder-path"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
        />
        <button type="submit" className="btn">
          Go
        </button>
      </form>
      {error && (
        <div className="field-error" role="alert">
          {error}
        </div>
      )}
      <ul
        className="folder-list"
        role="listbox"
        data-path={listing?.path}
        aria-label={kind === 'folder' ? 'Folders' : 'Folders and projects'}
      >
        {listing?.folders.map((f) => (
          <li key={f.path} role="option" aria-selected={false}>
            <button type="button" className="folder-entry" onClick={() => void go(f.path)} title={f.path}>
              <Icon name="folder" size={14} /> {f.name}
            </button>
          </li>
        ))}
        {kind === 'project' &&
          listing?.projects.map((p) => (
            <li key={p.path} role="option" aria-selected={value === p.path}>
              <button
                type="button"
                className={`folder-entry project-entry${value === p.path ? ' selected' : ''}`}
                onClick={() => onChange(p.path)}
                onDoubleClick={() => onActivate?.(p.path)}
                title={p.path}
              >
                <Icon name="database" size={14} /> {p.name}
              </button>
            </li>
          ))}
        {listing && listing.folders.length === 0 && (kind === 'folder' || listing.projects.length === 0) && (
          <li className="muted folder-empty">
            {kind === 'folder' ? 'No sub-folders' : 'No sub-folders or projects here'}
          </li>
        )}
      </ul>
      {listing && (
        <div className="muted folder-root">
          Browsing inside <span className="mono">{listing.root}</span>
        </div>
      )}
    </div>
  );
}
