/**
 * The File menu of the toolbar: New project (Ctrl+N), Open (Ctrl+O), the
 * recent projects, Import from PACS…, PACS servers…, Clusters… and Project settings…, Save (Ctrl+S). The shortcuts come from `shortcuts.ts`.
 */
import { useState } from 'react';
import { observer } from 'mobx-react-lite';
import { fileNameOf } from '../stores/projects';
import { useWorkbench } from './context';
import { useMenuDismiss } from './use-menu-dismiss';
import { Icon } from './icons';
import { openRecent } from './ProjectDialogs';
import { shortcutLabel } from './shortcuts';
import { showClusterDialog } from './cluster/cluster-dialog';
import { showProjectSettings } from './settings/project-settings-dialog';

const FileMenuList = observer(function FileMenuList({ onClose }: { onClose(): void }) {
  const wb = useWorkbench();
  const ref = useMenuDismiss(onClose);
  const item = (label: string, action: () => void, keys?: string, disabled = false) => (
    <button
      type="button"
      role="menuitem"
      className="menu-item"
      disabled={disabled}
      onClick={() => (onClose(), action())}
    >
      <span className="menu-label">{label}</span>
      <kbd>{keys}</kbd>
    </button>
  );
  return (
    <div className="menu file-menu" role="menu" aria-label="File" ref={ref}>
      {item('New project…', () => wb.projects.openDialog('new'), shortcutLabel('newProject'))}
      {item('Open project…', () => wb.projects.openDialog('open'), shortcutLabel('openProject'))}
      <div className="menu-sep" role="separator" />
      <div className="menu-heading" id="recent-heading">
        Open recent
      </div>
      <div role="group" aria-labelledby="recent-heading" data-testid="recent-projects">
        {wb.projects.recent.length === 0 && <div className="menu-hint menu-empty">No recent projects</div>}
        {wb.projects.recent.map((path) => (
          <button
            key={path}
            type="button"
            role="menuitem"
            className="menu-item"
            title={path}
            onClick={() => (onClose(), void openRecent(wb, path))}
          >
            <Icon name="folder" size={14} />
            <span className="menu-label">
              {fileNameOf(path)}
              <span className="menu-hint mono">{path}</span>
            </span>
          </button>
        ))}
      </div>
      <div className="menu-sep" role="separator" />
      {item('Import from PACS…', () => wb.pacs.open('import'), undefined, !wb.project)}
      {item('PACS servers…', () => wb.pacs.open('profiles'))}
      {item('Clusters…', () => showClusterDialog(true))}
      {item('Project settings…', () => showProjectSettings(true), undefined, !wb.project)}
      <div className="menu-sep" role="separator" />
      {item('Save', () => void wb.save(), shortcutLabel('save'), !wb.project)}
    </div>
  );
});

function FileMenuView() {
  const [open, setOpen] = useState(false);
  return (
    <div className="file-menu-anchor">
      <button
        type="button"
        className="btn file-menu-button"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
        title="New project, Open, Open recent, Save"
      >
        File <Icon name="chevron-down" size={12} />
      </button>
      {open && <FileMenuList onClose={() => setOpen(false)} />}
    </div>
  );
}

/** See the module comment. */
export const FileMenu = observer(FileMenuView);
