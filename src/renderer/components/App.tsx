/**
 * The workbench window: toolbar, palette, flow space, inspector, results
 * and status bar, plus the global keyboard shortcuts.
 */
import { useEffect, useState } from 'react';
import { observer } from 'mobx-react-lite';
import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { useWorkbench } from './context';
import { FlowCanvas } from './FlowCanvas';
import { Palette } from './Palette';
import { ModuleEditor } from './custom/ModuleEditor';
import { ModuleList } from './custom/ModuleList';
import { ModuleWizard } from './custom/ModuleWizard';
import { TrustBanner } from './custom/TrustBanner';
import { NetworkBuilder } from './builder/NetworkBuilder';
import { BottomPanel, RightPanel } from './Panels';
import { ProjectDialogs } from './ProjectDialogs';
import { PacsDialogs } from './pacs/PacsDialogs';
import { ClusterDialog } from './cluster/ClusterDialog';
import { ExportModelDialog } from './export/ExportModelDialog';
import { ProjectSettingsDialog } from './settings/ProjectSettingsDialog';
import { ProjectGate } from './ProjectGate';
import { SampleSizeDialog } from './SampleSizeDialog';
import { commandOf } from './shortcuts';
import { StatusBar } from './StatusBar';
import { Toasts } from './Toasts';
import { Toolbar } from './Toolbar';

/** True when keys belong to a text field, not to the canvas. */
function typingIn(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
}

function useShortcuts() {
  const wb = useWorkbench();
  const flow = useReactFlow();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const command = commandOf(e);
      if (!command) return;
      const inField = typingIn(e.target);
      // Run commands work everywhere; editing commands leave text fields alone.
      const global =
        command === 'runAll' || command === 'sampleRun' || command === 'cancel' || command === 'save';
      if (inField && !global) return;
      if (document.querySelector('[aria-modal="true"]')) return;
      const node = wb.selectedNode;
      e.preventDefault();
      switch (command) {
        case 'runAll':
          void wb.runAll();
          break;
        case 'sampleRun':
          void wb.sampleRun();
          break;
        case 'runNode':
          if (node && node.kind !== 'dataset') void wb.runNode(node.id);
          break;
        case 'stepForward':
          if (node) void wb.stepForward(node.id);
          break;
        case 'cancel':
          void wb.cancel();
          break;
        case 'undo':
          void wb.undo();
          break;
        case 'redo':
          void wb.redo();
          break;
        case 'copy':
          wb.copy();
          break;
        case 'paste':
          void wb.paste();
          break;
        case 'selectAll':
          wb.setSelection(wb.graph.nodes.map((n) => n.id));
          break;
        case 'delete':
          void wb.deleteSelection();
          break;
        case 'fit':
          void flow.fitView({ padding: 0.2, duration: 200, maxZoom: 1.2 });
          break;
        case 'newProject':
          wb.projects.openDialog('new');
          break;
        case 'openProject':
          wb.projects.openDialog('open');
          break;
        case 'save':
          void wb.save();
          break;
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [wb, flow]);
}

/** Back from another window, node states are read again: dataset files may have changed meanwhile. */
function useRecheckOnFocus() {
  const wb = useWorkbench();
  useEffect(() => {
    const recheck = (): void => void wb.recheck();
    window.addEventListener('focus', recheck);
    return () => window.removeEventListener('focus', recheck);
  }, [wb]);
}

/** Bottom panel height limits and the key where the chosen height is kept. */
const BOTTOM_MIN = 140;
const BOTTOM_KEY = 'phi.bottomPanelHeight';

/** The bar between canvas and bottom panel: drag it, or focus it and use the arrow keys. */
function PanelResizer({ height, onChange }: { height: number; onChange(height: number): void }) {
  const clamp = (h: number) => Math.round(Math.min(window.innerHeight * 0.7, Math.max(BOTTOM_MIN, h)));
  return (
    <div
      className="resizer"
      role="separator"
      aria-orientation="horizontal"
      aria-label="Resize the bottom panel"
      aria-valuenow={height}
      aria-valuemin={BOTTOM_MIN}
      tabIndex={0}
      onPointerDown={(e) => {
        const startY = e.clientY;
        const start = height;
        const target = e.currentTarget;
        target.setPointerCapture(e.pointerId);
        const move = (ev: PointerEvent) => onChange(clamp(start + startY - ev.clientY));
        const up = () => {
          target.removeEventListener('pointermove', move);
          target.removeEventListener('pointerup', up);
        };
        target.addEventListener('pointermove', move);
        target.addEventListener('pointerup', up);
      }}
      onKeyDown={(e) => {
        if (e.key === 'ArrowUp') onChange(clamp(height + 24));
        if (e.key === 'ArrowDown') onChange(clamp(height - 24));
      }}
    />
  );
}

const Workspace = observer(function Workspace() {
  const wb = useWorkbench();
  useShortcuts();
  useRecheckOnFocus();
  const [bottomHeight, setHeight] = useState(() => Number(localStorage.getItem(BOTTOM_KEY)) || 280);
  const setBottomHeight = (h: number) => {
    setHeight(h);
    localStorage.setItem(BOTTOM_KEY, String(h));
  };
  return (
    <div className="app">
      <Toolbar />
      <TrustBanner />
      <div className="main">
        <Palette />
        <div className="center" style={{ ['--bottom-height' as string]: `${bottomHeight}px` }}>
          <div className="canvas-area">
            <FlowCanvas />
            <Toasts />
          </div>
          <PanelResizer height={bottomHeight} onChange={setBottomHeight} />
          <BottomPanel />
        </div>
        <RightPanel />
      </div>
      <StatusBar />
      {wb.askingSampleSize && <SampleSizeDialog />}
      {wb.customModules.wizardOpen && <ModuleWizard />}
      {wb.customModules.listOpen && <ModuleList />}
      {wb.customModules.editorOpen && <ModuleEditor />}
      {wb.builder.node && <NetworkBuilder />}
      <ProjectDialogs />
      <PacsDialogs />
      <ClusterDialog />
      <ExportModelDialog />
      <ProjectSettingsDialog />
    </div>
  );
});

function AppView() {
  const wb = useWorkbench();
  if (!wb.loaded) {
    return (
      <div className="gate">
        <div className="gate-card muted" role="status">
          Connecting to the engine…
        </div>
      </div>
    );
  }
  if (!wb.project)
    return (
      <>
        <ProjectGate />
        <ProjectDialogs />
      </>
    );
  return (
    <ReactFlowProvider>
      <Workspace />
    </ReactFlowProvider>
  );
}

/** See the module comment. */
export const App = observer(AppView);
