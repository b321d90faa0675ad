/**
 * The main-process half of the desktop relay: when a window's preload asks
 * (on the one whitelisted channel), main makes a MessageChannel, gives one
 * end to the engine utility process and the other to that window. After that
 * main is out of the path: requests and events flow port to port.
 */
import { CONNECT_CHANNEL, PORT_CHANNEL, type ConnectMessage } from './channels';

/** A pair of connected ports (Electron's `MessageChannelMain`). */
export interface PortPair<P> {
  port1: P;
  port2: P;
}

/** The engine utility process as main sees it. */
export interface EngineProcessLike<P> {
  postMessage(message: ConnectMessage, transfer: P[]): void;
}

/** The IPC event of a request from a window. */
export interface ConnectEvent<P> {
  sender: { postMessage(channel: string, message: unknown, transfer: P[]): void };
  senderFrame: { url: string } | null;
}

/** `ipcMain` as the relay uses it. */
export interface IpcMainLike<P> {
  on(channel: string, listener: (event: ConnectEvent<P>) => void): unknown;
}

/** Whether a frame is one of ours (the packaged renderer or the dev server), not a page it navigated to. */
export function isAppFrame(url: string | undefined, devServer?: string): boolean {
  if (!url) return false;
  if (url.startsWith('file://')) return true;
  return devServer !== undefined && url.startsWith(devServer);
}

/** Installs the relay; `engine()` returns the current engine process (restarted if it died). */
export function installRelay<P>(
  ipc: IpcMainLike<P>,
  engine: () => EngineProcessLike<P>,
  createChannel: () => PortPair<P>,
  devServer?: string,
): void {
  ipc.on(CONNECT_CHANNEL, (event) => {
    if (!isAppFrame(event.senderFrame?.url, devServer)) return;
    const { port1, port2 } = createChannel();
    engine().postMessage({ type: 'connect' }, [port1]);
    event.sender.postMessage(PORT_CHANNEL, null, [port2]);
  });
}
