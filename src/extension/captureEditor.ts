/**
 * The read-only summary editor for captures (offered through "Reopen Editor With…", priority
 * "option", so it never fights a pcap viewer the user already has). The webview runs no script:
 * it is static HTML built from escaped text, with command links to the decoded view.
 */
import * as vscode from 'vscode';
import { formatProblemLocation, summarizeMessage } from '../core/present';
import { countProblems } from '../core/problemLimit';
import { ruleDocUrl } from '../core/rules/index';
import { CapturedMessage } from './analysis';
import type { CaptureEntry, CaptureService } from './captures';
import { COMMANDS } from './commands';
import { CancelledError } from './workerProtocol';
import { CONFIG_SECTION, EDITOR_SETTINGS, maxLogChars } from './config';

export { CAPTURE_EDITOR_VIEW_TYPE } from './ids';

/** What a summary editor shows: waiting for the user (above maxFileSizeMB), reading, the summary, or an error. */
export type CaptureSummaryState = 'too-large' | 'reading' | 'summary' | 'failed';
const MAX_ROWS = 500;

class CaptureDocument implements vscode.CustomDocument {
  constructor(
    readonly uri: vscode.Uri,
    private readonly onDispose: () => void,
  ) {}
  dispose(): void {
    this.onDispose();
  }
}

export class CaptureEditorProvider implements vscode.CustomReadonlyEditorProvider<CaptureDocument> {
  /** The capture of the summary editor that is active, for commands run from the palette. */
  activeCapture: vscode.Uri | undefined;
  private readonly activeChanged = new vscode.EventEmitter<vscode.Uri | undefined>();
  /** Fires when a summary editor becomes active or stops being active (the status bar follows it). */
  readonly onDidChangeActive = this.activeChanged.event;

  /** State of each open summary editor, by capture URI (read by the in-editor tests). */
  private readonly states = new Map<string, CaptureSummaryState>();

  constructor(private readonly captures: CaptureService) {}

  summaryState(uri: vscode.Uri): CaptureSummaryState | undefined {
    return this.states.get(uri.toString());
  }

  private setActive(uri: vscode.Uri | undefined): void {
    if (uri?.toString() === this.activeCapture?.toString()) return;
    this.activeCapture = uri;
    this.activeChanged.fire(uri);
  }

  openCustomDocument(uri: vscode.Uri): CaptureDocument {
    this.captures.retain(uri);
    return new CaptureDocument(uri, () => this.captures.release(uri));
  }

  async resolveCustomEditor(document: CaptureDocument, panel: vscode.WebviewPanel): Promise<void> {
    panel.webview.options = { enableScripts: false, enableCommandUris: [COMMANDS.showDecoded, COMMANDS.checkCapture, 'workbench.action.openSettings'] };
    const track = () => {
      if (panel.active) this.setActive(document.uri);
      else if (this.activeCapture?.toString() === document.uri.toString()) this.setActive(undefined);
    };
    track();
    panel.onDidChangeViewState(track);
    panel.onDidDispose(() => {
      if (this.activeCapture?.toString() === document.uri.toString()) this.setActive(undefined);
    });
    const key = document.uri.toString();
    const name = document.uri.path.split('/').pop() ?? '';
    panel.onDidDispose(() => this.states.delete(key));
    const render = async (): Promise<void> => {
      this.states.set(key, 'reading');
      panel.webview.html = page(panel.webview, vscode.l10n.t('Reading {0}…', name), '');
      try {
        const entry = await this.captures.get(document.uri);
        panel.webview.html = summaryPage(panel.webview, entry);
        this.states.set(key, 'summary');
      } catch (e) {
        // Cancelled: the capture's last view closed while it was read (this panel is gone).
        if (e instanceof CancelledError) return;
        panel.webview.html = page(
          panel.webview,
          vscode.l10n.t('Cannot read {0}', document.uri.toString(true)),
          `<p>${esc(e instanceof Error ? e.message : String(e))}</p>`,
        );
        this.states.set(key, 'failed');
      }
    };
    // Like a log, a capture above sipTraceInspector.maxFileSizeMB is read only when the user
    // asks: opening a probe's 200 MB capture must not start minutes of work by itself.
    const size = this.captures.loadedEntry(document.uri) ? undefined : await fileSize(document.uri);
    const limit = maxLogChars(document.uri);
    if (size !== undefined && size > limit) {
      this.states.set(key, 'too-large');
      const setting = `${CONFIG_SECTION}.${EDITOR_SETTINGS.maxFileSizeMB}`;
      panel.webview.html = page(
        panel.webview,
        name,
        `<p>${esc(vscode.l10n.t('{0} is {1} MB, above {2} ({3} MB): it is not checked on open.', name, (size / 1048576).toFixed(1), setting, (limit / 1048576).toFixed(1)))}</p>` +
          `<p class="actions">${commandLink(COMMANDS.checkCapture, [key, { show: false }], vscode.l10n.t('Check Anyway'))}` +
          `${commandLink('workbench.action.openSettings', [setting], vscode.l10n.t('Change the limit'))}</p>`,
      );
      // "Check Anyway" (or the check command from elsewhere) loads it: show the summary then.
      const sub = this.captures.onDidUpdate((u) => {
        if (u.toString() !== key || !this.captures.loadedEntry(u)) return;
        sub.dispose();
        void render();
      });
      panel.onDidDispose(() => sub.dispose());
      return;
    }
    // Not awaited: VS Code shows the editor once this returns, so the "Reading…" page is seen
    // while a large capture is read (the read can take a minute).
    void render();
  }
}

async function fileSize(uri: vscode.Uri): Promise<number | undefined> {
  try {
    return (await vscode.workspace.fs.stat(uri)).size;
  } catch {
    return undefined;
  }
}

function esc(s: string | number | undefined): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function nonce(): string {
  let s = '';
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  for (let i = 0; i < 32; i++) s += chars.charAt(Math.floor(Math.random() * chars.length));
  return s;
}

function commandLink(command: string, args: unknown[], label: string): string {
  return `<a href="command:${command}?${encodeURIComponent(JSON.stringify(args))}">${esc(label)}</a>`;
}

function page(webview: vscode.Webview, title: string, body: string): string {
  const n = nonce();
  return `<!DOCTYPE html>
<html lang="${esc(vscode.env.language)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${n}'; img-src ${webview.cspSource};">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${esc(title)}</title>
<style nonce="${n}">
  body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 16px 16px; }
  table { border-collapse: collapse; margin: 8px 0 16px; }
  th, td { text-align: left; padding: 2px 12px 2px 0; vertical-align: top; }
  th { font-weight: 600; border-bottom: 1px solid var(--vscode-panel-border); }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  code, td.mono { font-family: var(--vscode-editor-font-family); white-space: nowrap; }
  .error { color: var(--vscode-errorForeground); }
  .warning { color: var(--vscode-editorWarning-foreground); }
  .info { color: var(--vscode-editorInfo-foreground); }
  .actions a { margin-right: 16px; }
  .muted { color: var(--vscode-descriptionForeground); }
</style>
</head>
<body>
<h1>${esc(title)}</h1>
${body}
</body>
</html>`;
}

function summaryPage(webview: vscode.Webview, e: CaptureEntry): string {
  const a = e.analysis;
  const name = e.capture.path.split('/').pop() ?? '';
  const count = (sev: string) => a.findings.filter((f) => f.severity === sev).length;
  const frameOf = (i: number) => a.messages[i]?.frame;
  const parts: string[] = [];
  parts.push(
    `<p class="muted">${esc(
      vscode.l10n.t('{0} · {1} bytes · read in {2} ms', a.format ?? vscode.l10n.t('unknown format'), a.bytes, a.elapsedMs),
    )}</p>`,
  );
  parts.push(`<table>
<tr><td>${esc(vscode.l10n.t('SIP messages'))}</td><td class="num">${a.messages.length}</td></tr>
<tr><td>${esc(vscode.l10n.t('REGISTER exchanges'))}</td><td class="num">${a.exchanges.length}</td></tr>
<tr><td class="error">${esc(vscode.l10n.t('Errors'))}</td><td class="num">${count('error')}</td></tr>
<tr><td class="warning">${esc(vscode.l10n.t('Warnings'))}</td><td class="num">${count('warning')}</td></tr>
<tr><td class="info">${esc(vscode.l10n.t('Information'))}</td><td class="num">${count('info')}</td></tr>
<tr><td>${esc(vscode.l10n.t('Reading problems'))}</td><td class="num">${countProblems(a.problems)}</td></tr>
</table>`);
  parts.push(
    `<p class="actions">${commandLink(COMMANDS.showDecoded, [e.capture.toString()], vscode.l10n.t('Show decoded messages with diagnostics'))}` +
      `${commandLink(COMMANDS.checkCapture, [e.capture.toString(), { force: true }], vscode.l10n.t('Check again'))}</p>`,
  );
  if (a.findings.length) {
    parts.push(`<h2>${esc(vscode.l10n.t('Findings'))}</h2><table><tr><th>${esc(vscode.l10n.t('Severity'))}</th><th>${esc(vscode.l10n.t('Rule'))}</th><th>${esc(vscode.l10n.t('Frame'))}</th><th>${esc(vscode.l10n.t('Message'))}</th></tr>`);
    for (const f of a.findings.slice(0, MAX_ROWS)) {
      const doc = ruleDocUrl(f.ruleId);
      const rule = doc ? `<a href="${esc(doc)}">${esc(f.ruleId)}</a>` : esc(f.ruleId);
      parts.push(`<tr><td class="${esc(f.severity)}">${esc(f.severity)}</td><td class="mono">${rule}</td><td class="num">${esc(frameOf(f.messageIndex))}</td><td>${esc(f.message)}</td></tr>`);
    }
    parts.push('</table>');
  }
  if (a.problems.length) {
    parts.push(`<h2>${esc(vscode.l10n.t('Reading problems'))}</h2><table><tr><th>${esc(vscode.l10n.t('Code'))}</th><th>${esc(vscode.l10n.t('Where'))}</th><th>${esc(vscode.l10n.t('Message'))}</th></tr>`);
    for (const p of a.problems.slice(0, MAX_ROWS)) {
      parts.push(`<tr><td class="mono ${esc(p.severity)}">${esc(p.code)}</td><td>${esc(formatProblemLocation(p))}</td><td>${esc(p.message)}</td></tr>`);
    }
    parts.push('</table>');
  }
  if (a.messages.length) {
    parts.push(
      `<h2>${esc(vscode.l10n.t('SIP messages'))}</h2><table><tr><th>${esc(vscode.l10n.t('Frame'))}</th><th>${esc(vscode.l10n.t('Time'))}</th><th>${esc(vscode.l10n.t('From → to'))}</th><th>${esc(vscode.l10n.t('Message'))}</th><th>Call-ID</th><th>CSeq</th></tr>`,
    );
    for (const m of a.messages.slice(0, MAX_ROWS)) {
      const s = summarizeMessage(m instanceof CapturedMessage ? m.forListing() : m);
      parts.push(
        `<tr><td class="num">${esc(s.frame)}</td><td class="mono">${esc(s.time)}</td><td class="mono">${esc(s.transport)} ${esc(s.src)} → ${esc(s.dst)}</td>` +
          `<td>${esc(s.method ?? s.status)}</td><td class="mono">${esc(s.callId)}</td><td class="mono">${esc(s.cseq)}</td></tr>`,
      );
    }
    parts.push('</table>');
  }
  const hidden = Math.max(a.findings.length, a.problems.length, a.messages.length) - MAX_ROWS;
  if (hidden > 0) parts.push(`<p class="muted">${esc(vscode.l10n.t('Tables show the first {0} rows; the decoded view has everything.', MAX_ROWS))}</p>`);
  return page(webview, name, parts.join('\n'));
}
