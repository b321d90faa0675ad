/**
 * Entry of the Electron utility process that runs the engine, so training
 * never freezes the window (docs/design.md section 2). Windows connect through ports
 * main hands over (see relay.ts and engine-host.ts).
 */
import { dispatch } from '../engine/service/dispatch';
import { Engine } from '../engine/service/engine';
import { RecentProjects } from '../engine/store/recent-projects';
import { hostEngine, type ParentPortLike } from './engine-host';

// Opened and created projects are listed for the window's Open recent.
const engine = new Engine({ recentProjects: new RecentProjects() });
const parent = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
if (!parent) throw new Error('engine-process must run in an Electron utility process');
hostEngine(
  parent,
  (method, params, signal) => dispatch(engine, method, params, signal),
  (listener) => engine.onDidEmit(listener),
);
process.on('exit', () => engine.closeProject());
