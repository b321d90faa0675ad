// The renderer's Vite config, shared by electron-vite (desktop) and by
// `phi serve`, which builds the renderer alone (no Electron needed).
import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  root: resolve(import.meta.dirname, 'src/renderer'),
  // Relative asset URLs: the same build loads from file:// (Electron) and http:// (phi serve).
  base: './',
  plugins: [react()],
  build: {
    outDir: resolve(import.meta.dirname, 'out/renderer'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 4096,
    rollupOptions: { input: { index: resolve(import.meta.dirname, 'src/renderer/index.html') } },
  },
});
