/**
 * The IPC channels between main and preload: the whole whitelist. Engine
 * requests do not use IPC at all; they go over a MessagePort that main hands
 * out (large results cross by port, not through contextBridge copies).
 */

/** Preload -> main: "give this window a port to the engine". */
export const CONNECT_CHANNEL = 'phi:connect-engine';
/** Main -> preload: carries the window's engine MessagePort. */
export const PORT_CHANNEL = 'phi:engine-port';
/** Main -> preload: a project file to open (file association, File > Open). */
export const OPEN_PATH_CHANNEL = 'phi:open-path';

/** Message main sends the engine process along with a new port. */
export interface ConnectMessage {
  type: 'connect';
}

/** Preload -> main (invoke): the native dialog for a folder or a `.phiproj`; answers a path or null. */
export const PICK_PATH_CHANNEL = 'phi:pick-path';
