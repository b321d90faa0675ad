/**
 * Shown when no project is open: New project (from a dataset folder), Open,
 * and the recent projects. The dialogs are the File menu's (ProjectDialogs);
 * paths are on the machine that runs the engine.
 */
import { useEffect } from 'react';
import { observer } from 'mobx-react-lite';
import { fileNameOf } from '../stores/projects';
import { useWorkbench } from './context';
import { Icon } from './icons';
import { openRecent } from './ProjectDialogs';
import { commandOf, shortcutLabel } from './shortcuts';

function ProjectGateView() {
  const wb = useWorkbench();
  // Ctrl+N and Ctrl+O work here too (the workbench's own handler is not mounted yet).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const command = commandOf(e);
      if (command !== 'newProject' && command !== 'openProject') return;
      if (document.querySelector('[aria-modal="true"]')) return;
      e.preventDefault();
      wb.projects.openDialog(command === 'newProject' ? 'new' : 'open');
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [wb]);
  return (
    <div className="gate">
      <div className="gate-card">
        <h1>Phi Studio</h1>
        <p className="muted">Create a project from a dataset folder, or open one.</p>
        <div className="gate-actions">
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => wb.projects.openDialog('new')}
            title={`New project (${shortcutLabel('newProject')})`}
          >
            <Icon name="plus" size={14} /> New project…
          </button>
          <button
            type="button"
            className="btn"
            onClick={() => wb.projects.openDialog('open')}
            title={`Open project (${shortcutLabel('openProject')})`}
          >
            <Icon name="folder" size={14} /> Open project…
          </button>
        </div>
        <h2>Recent projects</h2>
        {wb.projects.recent.length === 0 ? (
          <p className="muted">None yet.</p>
        ) : (
          <ul className="gate-recent" aria-label="Recent projects">
            {wb.projects.recent.map((path) => (
              <li key={path}>
                <button
                  type="button"
                  className="folder-entry"
                  title={path}
                  onClick={() => void openRecent(wb, path)}
                >
                  <Icon name="database" size={14} /> {fileNameOf(path)}
                  <span className="menu-hint mono">{path}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

/** See the module comment. */
export const ProjectGate = observer(ProjectGateView);
