#!/usr/bin/env node
/**
 * The Electron desktop shell is a download of its own (from GitHub or an
 * ELECTRON_MIRROR), which a hospital network or an offline build machine
 * cannot reach. npm must not fail for it: the CLI and web mode (`phi serve`)
 * need no Electron. So electron's own install script is not run by npm
 * (package.json allowScripts) and this script does its work instead:
 *
 *   node tools/electron-shell.mjs fetch   (postinstall) tries the download, bounded in time;
 *                                         a failure is one line, and npm install succeeds
 *   node tools/electron-shell.mjs check   (before npm start / npm run dev) says in one
 *                                         sentence what to do when the shell is missing
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const FETCH_SECONDS = 180;

function electronDir() {
  try {
    return dirname(require.resolve('electron/package.json'));
  } catch {
    return undefined;
  }
}

/** True when electron's binary is in place (what electron's own index.js needs). */
function installed(dir) {
  const pathFile = join(dir, 'path.txt');
  return existsSync(pathFile) && existsSync(join(dir, 'dist', readFileSync(pathFile, 'utf8')));
}

const mode = process.argv[2];
const dir = electronDir();
if (mode === 'fetch') {
  if (!dir || installed(dir) || process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) process.exit(0);
  const result = spawnSync(process.execPath, [join(dir, 'install.js')], {
    stdio: 'pipe',
    timeout: FETCH_SECONDS * 1000,
  });
  if (result.status === 0 && installed(dir)) {
    console.log('Phi Studio: the Electron desktop shell is installed (npm start opens the app).');
  } else {
    console.log(
      'Phi Studio: the Electron desktop shell could not be downloaded here; the CLI and web mode ' +
        '(npx phi serve) work without it. To add it later where its host is reachable: npm run fetch-electron',
    );
  }
  process.exit(0);
}
if (mode === 'check') {
  if (dir && installed(dir)) process.exit(0);
  console.error(
    'The Electron desktop shell is not installed: run "npm run fetch-electron" where GitHub (or an ELECTRON_MIRROR) ' +
      'is reachable, or use the same app in a browser with "npx phi serve".',
  );
  process.exit(1);
}
console.error('usage: node tools/electron-shell.mjs fetch|check');
process.exit(2);
