/**
 * Picks the engine transport: the desktop preload's `window.phi` when present,
 * else the WebSocket of `phi serve` with the token from the page URL.
 */
import { connectWebSocket, webSocketUrl } from './ws-client';
import type { PhiApi } from '../../engine/api/wire/client';

declare global {
  interface Window {
    /** Set by the desktop preload (contextBridge). */
    phi?: PhiApi;
    /** Desktop-only extras from the preload (file association, menus). */
    phiShell?: {
      /** Called when the OS or the menu asks to open a project file. */
      onOpenPath(listener: (path: string) => void): () => void;
      /** The native dialog: a folder or a `.phiproj`; null when cancelled. */
      pickPath?(kind: 'folder' | 'project'): Promise<string | null>;
    };
  }
}

/** The engine API for this window. */
export function connectEngine(): PhiApi {
  if (window.phi) return window.phi;
  return connectWebSocket(webSocketUrl(window.location), (url) => new WebSocket(url));
}
