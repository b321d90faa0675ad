/** Renderer entry: connect to the engine, start the store, render the workbench. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@xyflow/react/dist/style.css';
import './styles/app.css';
import { connectEngine } from './api/engine';
import { App } from './components/App';
import { WorkbenchContext } from './components/context';
import { Workbench } from './stores/workbench';

const workbench = new Workbench(connectEngine());
void workbench.start();
window.phiShell?.onOpenPath(
  (path) => void workbench.openProject(path).catch((e: unknown) => workbench.toast('error', String(e))),
);
window.addEventListener('beforeunload', () => workbench.dispose());
// Exposed for the browser tests and the 200-node benchmark, which read the store directly.
(window as unknown as { __phi: Workbench }).__phi = workbench;

const root = document.getElementById('root');
if (!root) throw new Error('index.html lacks #root');
createRoot(root).render(
  <StrictMode>
    <WorkbenchContext.Provider value={workbench}>
      <App />
    </WorkbenchContext.Provider>
  </StrictMode>,
);
