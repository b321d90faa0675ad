/**
 * Electron main: one window (contextIsolation, sandbox, no nodeIntegration,
 * strict CSP from the page, no navigation or new windows), the engine in a
 * utility process, the port relay, the menu and `.phiproj` file association.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BrowserWindow,
  Menu,
  MessageChannelMain,
  app,
  dialog,
  ipcMain,
  nativeTheme,
  safeStorage,
  utilityProcess,
  type MenuItemConstructorOptions,
  type UtilityProcess,
} from 'electron';
import { OPEN_PATH_CHANNEL, PICK_PATH_CHANNEL } from './channels';
import { esbuildBinaryEnv } from './esbuild-binary';
import { projectFromArgv } from './project-path';
import { installRelay, isAppFrame } from './relay';
import { secretsKeyEnv } from './secrets-key';

const here = dirname(fileURLToPath(import.meta.url));
const devServer = process.env.ELECTRON_RENDERER_URL;
let engineProcess: UtilityProcess | null = null;
let window: BrowserWindow | null = null;
let pendingPath: string | undefined = projectFromArgv(process.argv);

/** The engine process, started (again) on demand: a crash costs a reconnect, not the app. */
function engine(): UtilityProcess {
  if (!engineProcess) {
    engineProcess = utilityProcess.fork(join(here, 'engine.js'), [], {
      serviceName: 'Phi Studio Engine',
      stdio: 'inherit',
      env: { ...esbuildBinaryEnv(), ...secretsKeyEnv(safeStorage, app.getPath('userData')), ...process.env },
    });
    engineProcess.once('exit', (code) => {
      engineProcess = null;
      if (code !== 0 && window && !window.isDestroyed()) {
        dialog.showErrorBox(
          'Phi Studio',
          `The engine stopped (exit code ${code}). The window reloads to restart it; saved work is kept.`,
        );
        window.reload();
      }
    });
  }
  return engineProcess;
}

function openPath(path: string): void {
  if (window && !window.webContents.isLoading()) window.webContents.send(OPEN_PATH_CHANNEL, path);
  else pendingPath = path;
}

function createWindow(): void {
  window = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 1024,
    minHeight: 640,
    show: false,
    title: 'Phi Studio',
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#14171c' : '#f4f5f7',
    webPreferences: {
      preload: join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window?.show());
  window.webContents.on('did-finish-load', () => {
    if (pendingPath) {
      window?.webContents.send(OPEN_PATH_CHANNEL, pendingPath);
      pendingPath = undefined;
    }
  });
  if (devServer) void window.loadURL(devServer);
  else void window.loadFile(join(here, '../renderer/index.html'));
}

function buildMenu(): void {
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        {
          // Ctrl+O, Ctrl+N and Ctrl+S are the window's own (File menu of the toolbar, same dialogs).
          label: 'Open Project…',
          click: async () => {
            const result = await dialog.showOpenDialog({
              filters: [{ name: 'Phi Studio project', extensions: ['phiproj'] }],
              properties: ['openFile'],
            });
            if (!result.canceled && result.filePaths[0]) openPath(result.filePaths[0]);
          },
        },
        { type: 'separator' },
        process.platform === 'darwin' ? { role: 'close' } : { role: 'quit' },
      ],
    },
    // Undo/redo/copy/paste of the flow space are the app's own shortcuts; the roles serve text fields.
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', (_event, argv) => {
    const path = projectFromArgv(argv);
    if (path) openPath(path);
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  });
  // macOS delivers file association opens as events, possibly before ready.
  app.on('open-file', (event, path) => {
    event.preventDefault();
    openPath(path);
  });
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (e, url) => {
      if (!devServer || !url.startsWith(devServer)) e.preventDefault();
    });
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
  app.whenReady().then(() => {
    installRelay(ipcMain, engine, () => new MessageChannelMain(), devServer);
    // The folder picker of New project / Open: the native dialog, for the app's own frames only.
    ipcMain.handle(PICK_PATH_CHANNEL, async (event, kind: unknown) => {
      if (!isAppFrame(event.senderFrame?.url, devServer)) return null;
      const folder = kind === 'folder';
      const result = await dialog.showOpenDialog({
        properties: [folder ? 'openDirectory' : 'openFile'],
        ...(folder ? {} : { filters: [{ name: 'Phi Studio project', extensions: ['phiproj'] }] }),
      });
      return result.canceled ? null : (result.filePaths[0] ?? null);
    });
    buildMenu();
    createWindow();
    window?.webContents.session.setPermissionRequestHandler((_contents, _permission, callback) =>
      callback(false),
    );
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  });
  app.on('window-all-closed', () => {
    engineProcess?.kill();
    if (process.platform !== 'darwin') app.quit();
  });
}
