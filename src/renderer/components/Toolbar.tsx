/**
 * The top bar: project name, RUN with its menu (RUN (All modules), Sample
 * RUN, sample size), Cancel, and the edit commands. Every button's tooltip
 * shows its shortcut. Cancel is always there (disabled when idle) so the bar
 * does not shift when a run starts.
 */
import { useState } from 'react';
import { observer } from 'mobx-react-lite';
import { useReactFlow } from '@xyflow/react';
import type { SampleSize } from '../../engine/api';
import { useWorkbench } from './context';
import { useMenuDismiss } from './use-menu-dismiss';
import { FileMenu } from './FileMenu';
import { Icon } from './icons';
import { shortcutLabel, withShortcut } from './shortcuts';

/** `50 items` / `10 %` for menus. */
export function sampleSizeLabel(size: SampleSize | null): string {
  if (!size) return 'size asked on first use';
  return 'count' in size ? `${size.count} items per dataset` : `${size.percent} % of each dataset`;
}

const RunMenu = observer(function RunMenu({ onClose }: { onClose(): void }) {
  const wb = useWorkbench();
  const ref = useMenuDismiss(onClose);
  return (
    <div className="menu run-menu" role="menu" aria-label="Run options" ref={ref}>
      <button
        type="button"
        role="menuitem"
        className="menu-item"
        onClick={() => (onClose(), void wb.runAll())}
      >
        <Icon name="play" size={14} />
        <span className="menu-label">RUN (All modules)</span>
        <kbd>{shortcutLabel('runAll')}</kbd>
      </button>
      <button
        type="button"
        role="menuitem"
        className="menu-item"
        onClick={() => (onClose(), void wb.sampleRun())}
      >
        <Icon name="play" size={14} />
        <span className="menu-label">
          Sample RUN
          <span className="menu-hint">{sampleSizeLabel(wb.sampleSize)}</span>
        </span>
        <kbd>{shortcutLabel('sampleRun')}</kbd>
      </button>
      <div className="menu-sep" role="separator" />
      <button
        type="button"
        role="menuitem"
        className="menu-item"
        onClick={() => (onClose(), wb.changeSampleSize())}
      >
        <Icon name="sliders" size={14} />
        <span className="menu-label">Sample size…</span>
        <kbd />
      </button>
    </div>
  );
});

function ToolbarView() {
  const wb = useWorkbench();
  const flow = useReactFlow();
  const [menuOpen, setMenuOpen] = useState(false);
  const busy = wb.running;
  return (
    <header className="toolbar" role="toolbar" aria-label="Main toolbar">
      <div className="brand" aria-label="Phi Studio">
        <span className="brand-mark" aria-hidden="true">
          φ
        </span>
        <span className="brand-name">Phi Studio</span>
      </div>
      <FileMenu />
      <div className="project-name" title={wb.project?.path}>
        {wb.project?.name ?? 'No project'}
      </div>
      <div className="toolbar-group">
        <div className="split-button">
          <button
            type="button"
            className="btn btn-primary run-button"
            disabled={busy || !wb.project}
            onClick={() => void wb.runAll()}
            title={withShortcut(wb.runBlockedReason ?? 'RUN (All modules)', 'runAll')}
            aria-label="Run all modules"
          >
            <Icon name="play" size={14} /> RUN
          </button>
          <button
            type="button"
            className="btn btn-primary run-menu-button"
            disabled={busy || !wb.project}
            aria-haspopup="menu"
            aria-expanded={menuOpen}
            aria-label="More run options"
            title={wb.runBlockedReason ?? 'More run options: RUN (All modules), Sample RUN'}
            onClick={() => setMenuOpen((open) => !open)}
          >
            <Icon name="chevron-down" size={14} />
          </button>
          {menuOpen && <RunMenu onClose={() => setMenuOpen(false)} />}
        </div>
        <button
          type="button"
          className="btn btn-danger-outline"
          disabled={!busy}
          onClick={() => void wb.cancel()}
          title={withShortcut(
            !busy
              ? 'Nothing is running'
              : wb.run?.mode === 'tuning'
                ? 'Cancel the auto tuning'
                : 'Cancel the run',
            'cancel',
          )}
          aria-label="Cancel run"
        >
          <Icon name="stop" size={12} /> Cancel
        </button>
      </div>
      <div className="toolbar-sep" aria-hidden="true" />
      <div className="toolbar-group">
        <button
          type="button"
          className="btn btn-icon"
          disabled={!wb.canUndo}
          onClick={() => void wb.undo()}
          title={withShortcut(
            wb.undoLabel ? `Undo ${wb.undoLabel.toLowerCase()}` : 'Nothing to undo',
            'undo',
          )}
          aria-label="Undo"
        >
          <Icon name="undo" />
        </button>
        <button
          type="button"
          className="btn btn-icon"
          disabled={!wb.canRedo}
          onClick={() => void wb.redo()}
          title={withShortcut(
            wb.redoLabel ? `Redo ${wb.redoLabel.toLowerCase()}` : 'Nothing to redo',
            'redo',
          )}
          aria-label="Redo"
        >
          <Icon name="redo" />
        </button>
        <button
          type="button"
          className="btn btn-icon"
          disabled={wb.selection.size === 0}
          onClick={() => wb.copy()}
          title={withShortcut(
            wb.selection.size === 0 ? 'Copy: select modules first' : 'Copy the selected modules',
            'copy',
          )}
          aria-label="Copy"
        >
          <Icon name="copy" />
        </button>
        <button
          type="button"
          className="btn btn-icon"
          disabled={!wb.canPaste}
          onClick={() => void wb.paste()}
          title={withShortcut(wb.canPaste ? 'Paste' : 'Paste: copy modules first', 'paste')}
          aria-label="Paste"
        >
          <Icon name="paste" />
        </button>
        <button
          type="button"
          className="btn btn-icon"
          disabled={wb.selection.size === 0 && wb.edgeSelection.size === 0}
          onClick={() => void wb.deleteSelection()}
          title={withShortcut(
            wb.selection.size === 0 && wb.edgeSelection.size === 0
              ? 'Delete: select modules or connections first'
              : 'Delete the selection',
            'delete',
          )}
          aria-label="Delete selection"
        >
          <Icon name="trash" />
        </button>
        <button
          type="button"
          className="btn btn-icon"
          onClick={() => void flow.fitView({ padding: 0.2, duration: 200, maxZoom: 1.2 })}
          title={withShortcut('Fit the pipeline in view', 'fit')}
          aria-label="Fit view"
        >
          <Icon name="fit" />
        </button>
      </div>
    </header>
  );
}

/** See the module comment. */
export const Toolbar = observer(ToolbarView);
