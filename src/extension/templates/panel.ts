/**
 * The templates panel on the host side: creates the webview (strict CSP with a nonce, resources
 * only from dist/webview and the codicon font), answers the webview's typed messages
 * (src/core/protocol.ts, validated before use) with the template session (src/core/templates/
 * session.ts), and performs the actions that need the editor: copy, insert at cursor, open as a
 * new SIP document, save the flow as a SIPp scenario, save the ladder as SVG.
 */
import * as vscode from 'vscode';
import { parseFromWebview, type FromWebview, type PanelOrigin, type TemplateAction, type ToWebview } from '../../core/protocol';
import { ladderSvg } from '../../core/ladder/svg';
import { TemplateSession } from '../../core/templates/session';
import { TEMPLATE_KIND_LABELS } from '../../core/templates/model';
import { TEMPLATES_STYLE } from './style';
import { TEMPLATES_VIEW_TYPE } from '../ids';

export { TEMPLATES_VIEW_TYPE };

/**
 * The codicon stylesheet and font: copied next to the webview bundle by the build (packaged .vsix),
 * else read from node_modules (development checkout; `vsce --no-dependencies` leaves node_modules out).
 */
export async function resolveCodicons(extensionUri: vscode.Uri): Promise<vscode.Uri> {
  const bundled = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
  try {
    await vscode.workspace.fs.stat(vscode.Uri.joinPath(bundled, 'codicon.css'));
    return bundled;
  } catch {
    return vscode.Uri.joinPath(extensionUri, 'node_modules', '@vscode', 'codicons', 'dist');
  }
}

export interface PanelHost {
  log?: vscode.LogOutputChannel;
  /** The text editor the user worked in last (the panel itself takes the focus). */
  lastEditor(): vscode.TextEditor | undefined;
  /** Shows message `index` of the trace the panel came from. */
  reveal?(capture: vscode.Uri, messageIndex: number): Thenable<unknown> | void;
}

function nonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < 32; i++) s += chars.charAt(Math.floor(Math.random() * chars.length));
  return s;
}

/** Webview options: scripts on, local resources limited to the bundle and the icon font. */
export function webviewOptions(extensionUri: vscode.Uri, codicons: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  const bundle = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
  return {
    enableScripts: true,
    enableFindWidget: true,
    localResourceRoots: codicons.toString() === bundle.toString() ? [bundle] : [bundle, codicons],
  };
}

function escAttr(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The page: no inline script, no remote resource; styles and the font from the extension only. */
export function templatesHtml(webview: vscode.Webview, extensionUri: vscode.Uri, codiconsDir: vscode.Uri): string {
  const n = nonce();
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', 'webview.js'));
  const codicons = webview.asWebviewUri(vscode.Uri.joinPath(codiconsDir, 'codicon.css'));
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${n}'`,
    `style-src ${webview.cspSource} 'nonce-${n}'`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="${escAttr(vscode.env.language)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escAttr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" id="vscode-codicon-stylesheet" nonce="${n}" href="${escAttr(codicons.toString())}">
<title>${escAttr(vscode.l10n.t('REGISTER templates'))}</title>
<style nonce="${n}">${TEMPLATES_STYLE}</style>
</head>
<body>
<script nonce="${n}" src="${escAttr(script.toString())}"></script>
</body>
</html>`;
}


/** One open templates panel. */
export class TemplatesPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly session: TemplateSession,
    private readonly origin: PanelOrigin,
    extensionUri: vscode.Uri,
    codicons: vscode.Uri,
    private readonly host: PanelHost,
  ) {
    panel.webview.options = webviewOptions(extensionUri, codicons);
    panel.webview.html = templatesHtml(panel.webview, extensionUri, codicons);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((data: unknown) => {
        const m = parseFromWebview(data);
        if (!m) {
          host.log?.warn('templates webview: ignored a message that is not part of the protocol');
          return;
        }
        void this.handle(m).catch((e) => host.log?.error('templates webview: handling a message failed', e));
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  private post(m: ToWebview): void {
    void this.panel.webview.postMessage(m);
  }

  private async handle(m: FromWebview): Promise<void> {
    switch (m.type) {
      case 'ready':
        if (m.restored) this.session.restore(m.restored);
        this.post({ ...this.session.init(), origin: this.origin });
        this.post(this.session.ladderMessage());
        return;
      case 'update':
        this.post(this.session.update(m.state, m.requestId));
        return;
      case 'reveal':
        if (this.origin.capture && this.host.reveal) await this.host.reveal(vscode.Uri.parse(this.origin.capture, true), m.messageIndex);
        return;
      case 'action':
        await this.act(m.action, m.flow);
        return;
    }
  }

  private result(action: TemplateAction, ok: boolean, message: string): void {
    this.post({ type: 'actionResult', action, ok, message });
  }

  private async act(action: TemplateAction, flow?: Parameters<TemplateSession['flow']>[0]): Promise<void> {
    const t = this.session.current();
    if (action === 'copy' || action === 'insert' || action === 'open') {
      if (!t) return this.result(action, false, vscode.l10n.t('No template yet.'));
      if (!t.ready) return this.result(action, false, vscode.l10n.t('Fill the «» placeholders or accept them first (rule catalog 11.1).'));
    }
    switch (action) {
      case 'copy':
        await vscode.env.clipboard.writeText(t!.text);
        return this.result(action, true, vscode.l10n.t('{0} copied to the clipboard.', TEMPLATE_KIND_LABELS[t!.kind]));
      case 'insert': {
        const editor = this.host.lastEditor();
        if (!editor || editor.document.isClosed) return this.result(action, false, vscode.l10n.t('No text editor to insert into: use "Open as SIP document".'));
        // Insert as plain text (not a snippet: `$` in SIP must stay as it is), in the editor's line ends.
        const text = t!.text.replace(/\r\n/g, editor.document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n');
        const ok = await editor.edit((b) => {
          for (const s of editor.selections) b.replace(s, text);
        });
        return this.result(action, ok, ok ? vscode.l10n.t('Inserted into {0}.', baseName(editor.document.uri)) : vscode.l10n.t('The editor refused the edit.'));
      }
      case 'open': {
        const doc = await vscode.workspace.openTextDocument({ language: 'sip-log', content: t!.text.replace(/\r\n/g, '\n') });
        await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.Beside });
        return this.result(action, true, vscode.l10n.t('Opened as a new SIP document.'));
      }
      case 'saveSipp': {
        const x = this.session.sipp(flow, 'sip-trace-inspector-flow');
        const target = await vscode.window.showSaveDialog({
          defaultUri: defaultTarget('registration-flow.xml'),
          filters: { [vscode.l10n.t('SIPp scenario')]: ['xml'] },
          saveLabel: vscode.l10n.t('Save SIPp scenario'),
        });
        if (!target) return this.result(action, false, vscode.l10n.t('Not saved.'));
        await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(x.xml));
        if (x.problems.length) {
          void vscode.window.showWarningMessage(vscode.l10n.t('The SIPp scenario was saved, but it will not run as is: {0}', x.problems.join('; ')));
          return this.result(action, false, vscode.l10n.t('Saved {0}; to fix before running: {1}', baseName(target), x.problems.join('; ')));
        }
        return this.result(action, true, vscode.l10n.t('Saved {0}. Run: {1}', baseName(target), x.commandLine));
      }
      case 'saveLadder': {
        const model = this.session.ladderModel;
        if (!model) return this.result(action, false, vscode.l10n.t('No ladder: the panel was not opened on a trace.'));
        const target = await vscode.window.showSaveDialog({ defaultUri: defaultTarget('ladder.svg'), filters: { SVG: ['svg'] } });
        if (!target) return this.result(action, false, vscode.l10n.t('Not saved.'));
        await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(ladderSvg(model)));
        return this.result(action, true, vscode.l10n.t('Saved {0}.', baseName(target)));
      }
    }
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function baseName(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1) || uri.toString();
}

function defaultTarget(name: string): vscode.Uri | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return folder ? vscode.Uri.joinPath(folder, name) : undefined;
}
