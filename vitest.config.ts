import { defineConfig } from 'vitest/config';

// Engine tests use native modules (sharp, better-sqlite3) and tf.js wasm: run them
// in forked processes, generous timeouts for real training on 2 cores.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'bench/**/*.test.ts', 'e2e/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 300_000,
    reporters: ['default'],
    // Load tf.js through Node's own resolution (its CJS node bundles), exactly as the
    // CLI and the Electron main process do, so tests see one tf.js instance.
    server: { deps: { external: [/@tensorflow\//] } },
  },
});
