/// <reference types="mocha" />
/**
 * The TextMate grammars as the editor runs them: the tokenizer (vscode-textmate + oniguruma) and
 * the Markdown grammar are the ones shipped inside the running VS Code (env.appRoot); our grammars
 * are read from the installed extension through its `contributes.grammars`.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { EXTENSION_ID, fixture } from './util';

interface Token {
  startIndex: number;
  endIndex: number;
  scopes: string[];
}
interface Grammar {
  tokenizeLine(line: string, stack: unknown): { tokens: Token[]; ruleStack: unknown };
}

let registryPromise: Promise<{ load(scope: string): Promise<Grammar>; initial: unknown }> | undefined;

function editorModule(name: string): string | undefined {
  for (const dir of ['node_modules', 'node_modules.asar']) {
    const p = path.join(vscode.env.appRoot, dir, name);
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}

function registry() {
  registryPromise ??= (async () => {
    const tmPath = editorModule('vscode-textmate');
    const onigPath = editorModule('vscode-oniguruma');
    if (!tmPath || !onigPath) throw new Error(`no vscode-textmate/vscode-oniguruma under ${vscode.env.appRoot}`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const tm = require(tmPath);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const onig = require(onigPath);
    const wasm = fs.readFileSync(path.join(onigPath, 'release', 'onig.wasm'));
    await onig.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    const files = new Map<string, string>();
    const injections = new Map<string, string[]>();
    for (const ext of vscode.extensions.all) {
      for (const g of (ext.packageJSON?.contributes?.grammars ?? []) as { scopeName: string; path: string; injectTo?: string[] }[]) {
        files.set(g.scopeName, path.join(ext.extensionPath, g.path));
        for (const target of g.injectTo ?? []) injections.set(target, [...(injections.get(target) ?? []), g.scopeName]);
      }
    }
    const ours = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ours);
    const reg = new tm.Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (patterns: string[]) => new onig.OnigScanner(patterns),
        createOnigString: (s: string) => new onig.OnigString(s),
      }),
      loadGrammar: async (scopeName: string) => {
        const file = files.get(scopeName);
        return file ? tm.parseRawGrammar(fs.readFileSync(file, 'utf8'), file) : null;
      },
      getInjections: (scopeName: string) => injections.get(scopeName),
    });
    return { load: (scope: string) => reg.loadGrammar(scope) as Promise<Grammar>, initial: tm.INITIAL };
  })();
  return registryPromise;
}

/** Every token of a document: its text and its scopes. */
async function tokenize(scope: string, text: string): Promise<{ text: string; scopes: string }[]> {
  const r = await registry();
  const g = await r.load(scope);
  assert.ok(g, `grammar ${scope} loads`);
  const out: { text: string; scopes: string }[] = [];
  let stack = r.initial;
  for (const line of text.split(/\r?\n/)) {
    const res = g.tokenizeLine(line, stack);
    for (const t of res.tokens) out.push({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes.join(' ') });
    stack = res.ruleStack;
  }
  return out;
}

function scopesOf(tokens: { text: string; scopes: string }[], text: string): string {
  const t = tokens.find((x) => x.text === text);
  assert.ok(t, `no token ${JSON.stringify(text)} among ${tokens.map((x) => JSON.stringify(x.text)).join(' ')}`);
  return t.scopes;
}

suite('Grammars (the editor\'s own TextMate tokenizer)', () => {
  test('SIP log: start lines, header names, URIs, parameters and feature tags', async () => {
    const text = fs.readFileSync(fixture('broken-register.sip').fsPath, 'utf8');
    const tokens = await tokenize('source.sip-log', text);
    assert.match(scopesOf(tokens, 'REGISTER'), /keyword\.other\.method\.sip-log/);
    assert.match(scopesOf(tokens, 'SIP/2.0'), /constant\.language\.version\.sip-log/);
    assert.match(scopesOf(tokens, 'Contact'), /support\.type\.property-name\.header\.sip-log/);
    assert.match(scopesOf(tokens, 'sip'), /markup\.underline\.link\.scheme\.sip-log/);
    assert.match(scopesOf(tokens, '+g.oma.sip-im.system-message'), /entity\.other\.attribute-name\.feature-tag\.sip-log/);
    assert.match(scopesOf(tokens, 'branch'), /variable\.parameter\.sip-log/);
    assert.match(scopesOf(tokens, 'z9hG4bK-editor-1'), /string\.unquoted\.parameter-value\.sip-log/);
    assert.match(scopesOf(tokens, '200'), /constant\.numeric\.status\.success\.sip-log/);
    assert.match(scopesOf(tokens, 'OK'), /string\.unquoted\.reason-phrase\.sip-log/);
  });

  test('decoded capture view: frame headings', async () => {
    const tokens = await tokenize('source.sip-log', '### frame 1 · UDP 192.0.2.10:5060 → 192.0.2.1:5060\nREGISTER sip:a.example SIP/2.0');
    assert.match(scopesOf(tokens, '### frame 1 · UDP 192.0.2.10:5060 → 192.0.2.1:5060'), /markup\.heading\.frame\.sip-log/);
  });

  test('Markdown: a ```sip fence is highlighted as SIP', async () => {
    const text = fs.readFileSync(fixture('fenced.md').fsPath, 'utf8');
    const tokens = await tokenize('text.html.markdown', text);
    const tag = scopesOf(tokens, '+g.oma.sip-im');
    assert.match(tag, /meta\.embedded\.block\.sip-log/);
    assert.match(tag, /entity\.other\.attribute-name\.feature-tag\.sip-log/);
    assert.match(scopesOf(tokens, 'REGISTER'), /keyword\.other\.method\.sip-log/);
  });
});
