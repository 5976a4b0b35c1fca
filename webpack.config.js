// @ts-check
'use strict';
// Four bundles from one source tree (DEVELOPERS.md "Design"): the desktop extension host, the web
// extension host (vscode.dev, web worker), the webview UI and the command-line tool. Targets whose
// entry file does not exist yet are left out, so the config never points at a stub.
const fs = require('fs');
const path = require('path');
const webpack = require('webpack');

/**
 * Copies files into the output folder after a build (the codicon font and its CSS for the
 * webview: the .vsix ships no node_modules, and the webview loads nothing from the network).
 * @param {{ from: string, to: string }[]} files
 */
function copyFiles(files) {
  return {
    /** @param {import('webpack').Compiler} compiler */
    apply(compiler) {
      compiler.hooks.afterEmit.tap('CopyFiles', () => {
        for (const f of files) {
          fs.mkdirSync(path.dirname(f.to), { recursive: true });
          fs.copyFileSync(f.from, f.to);
        }
      });
    },
  };
}

/** @param {string} entry */
const has = (entry) => fs.existsSync(path.join(__dirname, entry));

const tsRule = {
  test: /\.ts$/,
  exclude: /node_modules/,
  use: [{ loader: 'ts-loader', options: { transpileOnly: true, compilerOptions: { sourceMap: true } } }],
};

/** @type {(env: unknown, argv: { mode?: string }) => import('webpack').Configuration[]} */
module.exports = (_env, argv) => {
  const mode = argv.mode === 'development' ? 'development' : 'production';
  const common = {
    mode,
    devtool: 'nosources-source-map',
    resolve: { extensionAlias: { '.js': ['.ts', '.js'] }, extensions: ['.ts', '.js'] },
    module: { rules: [tsRule] },
    performance: { hints: false },
    infrastructureLogging: { level: 'warn' },
    stats: 'errors-warnings',
  };
  /** @type {import('webpack').Configuration[]} */
  const configs = [];
  if (has('src/extension/extension.ts')) {
    configs.push({
      ...common,
      name: 'extension',
      target: 'node',
      // The activation is a small bundle of its own; the features (core, rules, templates) are in
      // extension-main.js, which it loads on first use (src/extension/activation.ts): evaluating
      // them takes longer than the whole activation may (under 50 ms, the performance issue).
      entry: {
        extension: './src/extension/extension.ts',
        'extension-main': './src/extension/nodeHost.ts',
        worker: './src/extension/worker.ts',
      },
      output: { path: path.join(__dirname, 'dist'), filename: '[name].js', libraryTarget: 'commonjs2' },
      externals: { vscode: 'commonjs vscode' },
    });
  }
  if (has('src/extension/webExtension.ts')) {
    configs.push({
      ...common,
      name: 'web-extension',
      target: 'webworker',
      // Only the extension is a CommonJS module (the web extension host loads it with its own
      // `exports`); the worker is a plain script: a library wrapper would end in `exports[...]`,
      // a ReferenceError in a Web Worker, which failed the worker's start every time.
      entry: {
        extension: { import: './src/extension/webExtension.ts', library: { type: 'commonjs' } },
        worker: './src/extension/webWorker.ts',
      },
      output: { path: path.join(__dirname, 'dist', 'web'), filename: '[name].js' },
      externals: { vscode: 'commonjs vscode' },
      resolve: { ...common.resolve, fallback: { path: false, fs: false, worker_threads: false } },
    });
  }
  if (has('src/webview/main.ts')) {
    configs.push({
      ...common,
      name: 'webview',
      target: 'web',
      entry: { webview: './src/webview/main.ts' },
      output: { path: path.join(__dirname, 'dist', 'webview'), filename: '[name].js' },
      plugins: [
        copyFiles(
          ['codicon.css', 'codicon.ttf'].map((name) => ({
            from: path.join(path.dirname(require.resolve('@vscode/codicons/package.json')), 'dist', name),
            to: path.join(__dirname, 'dist', 'webview', name),
          })),
        ),
      ],
    });
  }
  if (has('src/cli/main.ts')) {
    configs.push({
      ...common,
      name: 'cli',
      target: 'node',
      entry: { cli: './src/cli/main.ts' },
      output: { path: path.join(__dirname, 'dist'), filename: '[name].js', libraryTarget: 'commonjs2' },
      plugins: [new webpack.BannerPlugin({ banner: '#!/usr/bin/env node', raw: true, entryOnly: true })],
    });
  }
  return configs;
};
