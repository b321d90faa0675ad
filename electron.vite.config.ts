import { join, resolve } from 'node:path';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import type { Plugin } from 'vite';
import { buildWorkerScripts } from './src/engine/workers/build';
import { WORKERS_DIR } from './src/engine/workers/prebuilt';
import renderer from './vite.renderer.config';

// The engine's worker scripts cannot come from its bundle (their sources are not packaged):
// esbuild writes them into out/main/workers/ after each main build (src/engine/workers/).
function workerScripts(): Plugin {
  return {
    name: 'phi-worker-scripts',
    async writeBundle(options) {
      await buildWorkerScripts(join(options.dir ?? resolve('out/main'), WORKERS_DIR));
    },
  };
}

// Three targets: main (Node, Electron), preload (sandboxed bridge), renderer (web).
// The renderer's config lives in vite.renderer.config.ts so `phi serve` can build it alone.
export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin(), workerScripts()],
    build: {
      rollupOptions: {
        input: { index: resolve('src/main/index.ts'), engine: resolve('src/main/engine-process.ts') },
      },
    },
  },
  preload: {
    // A sandboxed preload cannot require packages: bundle everything it uses.
    build: {
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer,
});
