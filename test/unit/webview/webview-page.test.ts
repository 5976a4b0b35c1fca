/**
 * The built webview (dist/webview/webview.js) in a real browser (Chromium via playwright-core)
 * under the panel's Content Security Policy, with the host played by the real TemplateSession in
 * Node: every message the page posts goes through parseFromWebview and the session, and the
 * answers go back to the page. Checks: no CSP violation, the form fills from init, the template
 * shows as text, hostile trace text in the ladder stays text, only a window of the rows is in the
 * DOM, getState keeps the form but never the password.
 *
 * Skipped when chromium or the webview bundle is missing (npm test builds the bundle;
 * scripts/editor/install.sh installs chromium).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import type { TraceMessage } from '../../../src/core/types';
import { parseSipMessage } from '../../../src/core/sip/parser';
import { parseFromWebview, type ToWebview } from '../../../src/core/protocol';
import { TemplateSession, seededRng } from '../../../src/core/templates/index';
import { repoRoot } from '../../helpers/paths';
import { TEMPLATES_STYLE } from '../../../src/extension/templates/style';

// The callbacks below run inside Chromium (page.evaluate); the root compile has no DOM types on
// purpose (they would leak into the extension code), so the page globals are declared here only.
declare const window: any;
declare const document: any;
type HTMLElement = any;

const bundle = join(repoRoot, 'dist', 'webview', 'webview.js');
const codicons = join(repoRoot, 'node_modules', '@vscode', 'codicons', 'dist');
const chromiumPath = process.env.SIP_EDITOR_CHROMIUM || '/usr/bin/chromium';
const skip = !existsSync(chromiumPath) ? `chromium not installed (${chromiumPath})` : !existsSync(bundle) ? 'dist/webview/webview.js not built (npm run build)' : false;

const ORIGIN = 'https://webview.test';
/** A dark theme's variables, as the editor sets them on a webview's <html>. */
const THEME = `html { background: #1e1e1e; --vscode-font-family: sans-serif; --vscode-font-size: 13px; --vscode-foreground: #cccccc;
--vscode-descriptionForeground: #9d9d9d; --vscode-editor-background: #1e1e1e; --vscode-editor-font-family: monospace; --vscode-editor-font-size: 13px;
--vscode-textCodeBlock-background: #2b2b2b; --vscode-panel-border: #3c3c3c; --vscode-editorWidget-background: #252526; --vscode-errorForeground: #f48771;
--vscode-editorWarning-foreground: #cca700; --vscode-editorInfo-foreground: #3794ff; --vscode-textLink-foreground: #3794ff; --vscode-list-hoverBackground: #2a2d2e;
--vscode-focusBorder: #007fd4; }`;
const NONCE = 'TestNonce0123456789abcdefABCDEF0';

function page(): string {
  const csp = `default-src 'none'; script-src 'nonce-${NONCE}'; style-src ${ORIGIN} 'nonce-${NONCE}'; font-src ${ORIGIN}; img-src ${ORIGIN}`;
  // The stub stands in for the webview host: acquireVsCodeApi, state kept in the page.
  return `<!DOCTYPE html><html><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<link rel="stylesheet" id="vscode-codicon-stylesheet" nonce="${NONCE}" href="${ORIGIN}/codicon.css">
<style nonce="${NONCE}">${THEME}${TEMPLATES_STYLE}</style>
</head><body>
<script nonce="${NONCE}">
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
window.__state = window.__savedState;
window.acquireVsCodeApi = () => ({
  postMessage: (m) => window.toHost(JSON.parse(JSON.stringify(m))),
  getState: () => window.__state,
  setState: (s) => { window.__state = s; },
});
</script>
<script nonce="${NONCE}" src="${ORIGIN}/webview.js"></script>
</body></html>`;
}

const HOSTILE_UA = '<img src=x onerror=alert(1)></script><script>alert(2)</script>';

function hostileTrace(n: number): TraceMessage[] {
  const out: TraceMessage[] = [];
  const client = { ip: '192.0.2.10', port: 5060 };
  const server = { ip: '198.51.100.1', port: 5060 };
  for (let i = 0; i < n; i += 2) {
    const cseq = i / 2 + 1;
    const req = `REGISTER sip:ims.example.net SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK${cseq}\r\nMax-Forwards: 70\r\nFrom: <sip:alice@ims.example.net>;tag=1\r\nTo: <sip:alice@ims.example.net>\r\nCall-ID: javascript:alert(3)\r\nCSeq: ${cseq} REGISTER\r\nContact: <sip:alice@192.0.2.10:5060>;+g.oma.sip-im;+g.oma.sip-im.system-message;+g.oma.sip-im.large-message\r\nExpires: 3600\r\nRequire: pref\r\nUser-Agent: IM-client/OMA1.0 ${HOSTILE_UA}\r\nContent-Length: 0\r\n\r\n`;
    const res = `SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK${cseq}\r\nFrom: <sip:alice@ims.example.net>;tag=1\r\nTo: <sip:alice@ims.example.net>;tag=2\r\nCall-ID: javascript:alert(3)\r\nCSeq: ${cseq} REGISTER\r\nContact: <sip:alice@192.0.2.10:5060>;expires=3600\r\nServer: ${HOSTILE_UA}\r\nContent-Length: 0\r\n\r\n`;
    out.push({ index: i, frame: i + 1, transport: 'UDP', src: client, dst: server, ts: { sec: 1700000000 + i * 30, nsec: 0 }, sip: parseSipMessage(req) });
    out.push({ index: i + 1, frame: i + 2, transport: 'UDP', src: server, dst: client, ts: { sec: 1700000000 + i * 30, nsec: 20_000_000 }, sip: parseSipMessage(res) });
  }
  return out;
}

async function openPage(browser: Browser, session: TemplateSession, saved?: unknown): Promise<{ page: Page; posted: unknown[]; rejected: unknown[] }> {
  const p = await browser.newPage();
  const posted: unknown[] = [];
  const rejected: unknown[] = [];
  const errors: string[] = [];
  p.on('pageerror', (e) => errors.push(String(e)));
  await p.route(`${ORIGIN}/**`, (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/') return route.fulfill({ contentType: 'text/html', body: page() });
    if (url.pathname === '/webview.js') return route.fulfill({ contentType: 'text/javascript', body: readFileSync(bundle) });
    if (url.pathname === '/codicon.css') return route.fulfill({ contentType: 'text/css', body: readFileSync(join(codicons, 'codicon.css')) });
    if (url.pathname.startsWith('/codicon.ttf')) return route.fulfill({ contentType: 'font/ttf', body: readFileSync(join(codicons, 'codicon.ttf')) });
    return route.fulfill({ status: 404, body: '' });
  });
  // Nothing else may be fetched: any other request fails the test.
  const offsite: string[] = [];
  p.on('request', (r) => {
    if (!r.url().startsWith(ORIGIN)) offsite.push(r.url());
  });
  const send = (m: ToWebview) => p.evaluate((msg) => window.postMessage(msg, '*'), m as unknown as Record<string, unknown>);
  await p.exposeFunction('toHost', async (data: unknown) => {
    posted.push(data);
    const m = parseFromWebview(data);
    if (!m) {
      rejected.push(data);
      return;
    }
    if (m.type === 'ready') {
      if (m.restored) session.restore(m.restored);
      await send({ ...session.init(), origin: { capture: 'file:///trace.pcap' } });
      await send(session.ladderMessage());
    } else if (m.type === 'update') await send(session.update(m.state, m.requestId));
  });
  if (saved !== undefined) await p.addInitScript((s) => ((window as unknown as { __savedState: unknown }).__savedState = s), saved);
  await p.goto(`${ORIGIN}/`);
  await p.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
  assert.deepEqual(errors, []);
  assert.deepEqual(offsite, []);
  return { page: p, posted, rejected };
}

test('the webview runs under the panel CSP, fills the form, shows the checked template and the virtualised ladder', { skip, timeout: 60000 }, async () => {
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  try {
    const messages = hostileTrace(1000);
    const session = new TemplateSession({}, { label: 'trace.pcap', messages, exchanges: [], findings: [] }, {}, seededRng(5));
    const { page: p, rejected } = await openPage(browser, session);
    assert.deepEqual(rejected, []);
    assert.deepEqual(await p.evaluate(() => (window as unknown as { __violations: string[] }).__violations), []);

    // Template: the generated text as text, the checker's verdict, the actions enabled.
    const text = await p.textContent('#template-text');
    assert.match(text ?? '', /^REGISTER sip:ims\.example\.net SIP\/2\.0\r?\n/);
    assert.equal(await p.getAttribute('#template-status', 'data-errors'), '0');
    assert.equal(await p.getAttribute('#template-status', 'data-ready'), 'true');
    assert.equal(await p.evaluate(() => document.getElementById('btn-copy')!.hasAttribute('disabled')), false);

    if (process.env.WEBVIEW_SCREENSHOT) await p.screenshot({ path: process.env.WEBVIEW_SCREENSHOT, fullPage: true });
    // Ladder: 1000 rows in the model, a window of them in the DOM, hostile text only as text.
    assert.equal(await p.evaluate(() => document.querySelectorAll('#ladder-body .ladder-row').length < 60), true);
    assert.equal(await p.evaluate(() => document.querySelectorAll('#ladder-body img, #ladder-body script, #ladder-header img').length), 0);
    const agent = await p.evaluate(() => Array.from(document.querySelectorAll('#ladder-header .ladder-lane-agent')).map((t: any) => t.textContent));
    assert.ok(agent.some((a) => a?.includes('<img src=x onerror=alert(1)>')), JSON.stringify(agent));
    await p.evaluate(() => {
      const s = document.getElementById('ladder-scroll')!;
      s.scrollTop = 20000;
      s.dispatchEvent(new Event('scroll'));
    });
    await p.waitForFunction(() => Number(document.getElementById('ladder-body')!.getAttribute('data-first-row')) > 400);
    assert.ok(await p.evaluate(() => document.querySelectorAll('#ladder-body .ladder-row').length < 60));

    // Editing a field regenerates; the password computes the Digest and is not kept in state.
    await p.evaluate(() => {
      const kind = document.getElementById('template-kind') as HTMLElement & { value: string };
      kind.value = 'credentials';
      kind.dispatchEvent(new Event('change'));
    });
    await p.fill('#field-realm input', 'ims.example.net');
    await p.fill('#field-nonce input', 'abc123');
    await p.fill('#field-password input', 's3cret');
    await p.waitForFunction(() => /response="[0-9a-f]{32}"/.test(document.getElementById('template-text')!.textContent ?? ''));
    const state = await p.evaluate(() => (window as unknown as { __state: { state: { kind: string; form: Record<string, string> } } }).__state);
    assert.equal(state.state.kind, 'credentials');
    assert.equal(state.state.form.nonce, 'abc123');
    assert.equal(state.state.form.password, '');
    assert.deepEqual(await p.evaluate(() => (window as unknown as { __violations: string[] }).__violations), []);
    await p.close();

    // Reload with that state: the form comes back (without the password).
    const again = await openPage(browser, new TemplateSession({}, { label: 'trace.pcap', messages, exchanges: [], findings: [] }, {}, seededRng(6)), state);
    assert.equal(await again.page.evaluate(() => (document.getElementById('field-nonce') as HTMLElement & { value: string }).value), 'abc123');
    assert.equal(await again.page.getAttribute('#template-text', 'data-kind'), 'credentials');
    assert.match((await again.page.textContent('#template-text')) ?? '', /response="«response»"/);
    await again.page.close();
  } finally {
    await browser.close();
  }
});
