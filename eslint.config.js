// Lint: TypeScript rules plus the layer rule of DESIGN section 1, so that a
// wrong import across layers fails `npm run lint`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';

const uiPackages = ['electron', 'react', 'react-dom', 'mobx', 'mobx-react-lite', 'echarts', 'monaco-editor'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'test-results/**', 'resources/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    settings: {
      // Resolve extensionless TypeScript imports so the path zones below can see them.
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'] })],
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './src/engine',
              from: ['./src/main', './src/preload', './src/renderer'],
              message: 'The engine knows nothing of Electron or React (DESIGN section 1).',
            },
            {
              target: './src/engine/api',
              from: './src/engine',
              except: ['./api'],
              message: 'engine/api is the contract: it imports nothing from the rest of the engine.',
            },
            {
              target: './src/renderer',
              from: './src/engine',
              except: ['./api'],
              message: 'The renderer speaks only the engine/api contract (DESIGN section 1).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: uiPackages.map((name) => ({
            name,
            message: 'engine/ must not import UI or Electron packages.',
          })),
          patterns: [
            {
              group: ['@xyflow/*', 'react/*', 'electron/*'],
              message: 'engine/ must not import UI packages.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['electron', 'better-sqlite3', 'sharp', 'node:*', '@tensorflow/*'],
              message: 'The renderer is a view: no Node or engine packages.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['bin/**/*.mjs', '*.config.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
