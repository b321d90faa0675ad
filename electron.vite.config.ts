import { resolve } from 'node:path';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import renderer from './vite.renderer.config';

// Three targets: main (Node, Electron), preload (sandboxed bridge), renderer (web).
// The renderer's config lives in vite.renderer.config.ts so `phi serve` can build it alone.
export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
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
