/**
 * The preload (sandboxed, context-isolated): exposes `window.phi`, the
 * engine API over a MessagePort, and `window.phiShell` for "open this
 * project" requests from the OS and the menu. Nothing else of Electron or
 * Node reaches the page.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { OPEN_PATH_CHANNEL, PICK_PATH_CHANNEL } from '../main/channels';
import { createPreloadApi } from './bridge';

const api = createPreloadApi({
  send: (channel) => ipcRenderer.send(channel),
  on: (channel, listener) => ipcRenderer.on(channel, (event) => listener({ ports: event.ports })),
});

contextBridge.exposeInMainWorld('phi', api);
contextBridge.exposeInMainWorld('phiShell', {
  onOpenPath(listener: (path: string) => void): () => void {
    const wrapped = (_event: unknown, path: unknown) => {
      if (typeof path === 'string') listener(path);
    };
    ipcRenderer.on(OPEN_PATH_CHANNEL, wrapped);
    return () => ipcRenderer.off(OPEN_PATH_CHANNEL, wrapped);
  },
  /** The native dialog for New project (a folder) and Open (a `.phiproj`). */
  async pickPath(kind: 'folder' | 'project'): Promise<string | null> {
    const path: unknown = await ipcRenderer.invoke(
      PICK_PATH_CHANNEL,
      kind === 'folder' ? 'folder' : 'project',
    );
    return typeof path === 'string' ? path : null;
  },
});
