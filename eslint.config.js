// Lint: TypeScript rules plus the layer rule of docs/design.md section 1, so that a
// wrong import across layers fails `npm run lint`. ESLint's own
// no-restricted-imports carries the rule: per folder, the packages and the
// relative paths that folder may not import.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const uiPackages = ['electron', 'react', 'react-dom', 'mobx', 'mobx-react-lite', 'echarts', 'monaco-editor'];

const engineRule = {
  paths: uiPackages.map((name) => ({ name, message: 'engine/ must not import UI or Electron packages.' })),
  patterns: [
    { group: ['@xyflow/*', 'react/*', 'electron/*'], message: 'engine/ must not import UI packages.' },
    {
      regex: '^(\\.\\./)+(main|preload|renderer)(/|$)',
      message: 'The engine knows nothing of Electron or React (docs/design.md section 1).',
    },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'test-results/**', 'resources/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/engine/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', engineRule] },
  },
  {
    // The study report draws its charts with ECharts' server-side SVG renderer (no DOM).
    files: ['src/engine/report/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { ...engineRule, paths: engineRule.paths.filter((path) => path.name !== 'echarts') },
      ],
    },
  },
  {
    files: ['src/engine/api/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...engineRule,
          patterns: [
            ...engineRule.patterns,
            {
              regex: '^\\.\\./',
              message: 'engine/api is the contract: it imports nothing from the rest of the engine.',
            },
          ],
        },
      ],
    },
  },
  {
    // The wire code every transport shares lives in api/wire/: it may use the rest of api/, nothing beyond.
    files: ['src/engine/api/wire/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...engineRule,
          patterns: [
            ...engineRule.patterns,
            {
              regex: '^\\.\\./\\.\\./',
              message: 'engine/api is the contract: it imports nothing from the rest of the engine.',
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
            {
              regex: '/engine/(?!api(/|$))',
              message: 'The renderer speaks only the engine/api contract (docs/design.md section 1).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['bin/**/*.mjs', 'tools/**/*.mjs', '*.config.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
