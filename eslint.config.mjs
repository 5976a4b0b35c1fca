// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.vscode-test/**', 'test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // The core serves the extension, the web extension and the CLI: no editor API, no Node built-ins.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['vscode'], message: 'src/core must not import the editor API.' },
          { group: ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads', 'buffer', 'stream', 'zlib', 'crypto', 'util', 'events'], message: 'src/core must not import Node built-ins.' },
        ],
      }],
      'no-restricted-globals': ['error', { name: 'Buffer', message: 'Use Uint8Array/DataView in the core.' }, { name: 'process', message: 'No Node globals in the core.' }],
    },
  },
  {
    files: ['scripts/**/*.mjs', 'scripts/**/*.js', 'webpack.config.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', require: 'readonly', module: 'writable', __dirname: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Playwright drivers: the callbacks given to page.evaluate run in the browser.
    files: ['scripts/editor/**/*.mjs', 'scripts/editor-tests.mjs'],
    languageOptions: { globals: { document: 'readonly', window: 'readonly' } },
  },
);
