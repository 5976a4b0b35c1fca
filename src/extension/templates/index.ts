/**
 * "SIP: Open REGISTER Templates": the command (blank form from the palette), the API other
 * views use to open the templates on a flow of a trace (capture summary, quick fix, Registrations
 * view), and the serializer that restores open panels after a restart.
 *
 * Wiring (extension.ts / host.ts, by the lead):
 *   const templates = registerTemplates(context, {
 *     analyze: async (uri) => (await captures.get(uri)).analysis,   // or a log's analysis
 *     settings: readSettings,
 *     reveal: (uri, index) => ...,                                   // optional
 *     log,
 *   });
 *   templates.openTemplates({ capture: uri, exchangeId });
 *
 * package.json additions: command `sipTraceInspector.openTemplates` (category SIP, title
 * "%command.openTemplates.title%") and activation event `onWebviewPanel:sipTraceInspector.templates`.
 */
import * as vscode from 'vscode';
import type { ExchangeSummary } from '../../core/register/model';
import type { Settings } from '../../core/settings';
import type { Finding, TraceMessage } from '../../core/types';
import { parsePanelOrigin, type PanelOrigin } from '../../core/protocol';
import { TemplateSession, type CheckedTrace } from '../../core/templates/session';
import { OPEN_TEMPLATES_COMMAND } from '../ids';
import { directRegistrar, type Registrar } from '../registrar';
import { TEMPLATES_VIEW_TYPE, TemplatesPanel, resolveCodicons, webviewOptions } from './panel';

export { TEMPLATES_VIEW_TYPE };

export { OPEN_TEMPLATES_COMMAND };

/** What the templates need from the rest of the extension. */
export interface TemplatesDeps {
  /** The checked trace of a capture or log (messages in order, `messages[i].index === i`). */
  analyze(uri: vscode.Uri): Promise<{ messages: readonly TraceMessage[]; exchanges: readonly ExchangeSummary[]; findings: readonly Finding[] }>;
  /** Checker settings for a resource (imRelease, profile, settings package ... and rule severities). */
  settings(scope?: vscode.Uri): Settings;
  /** Shows message `messageIndex` of a trace (e.g. in its decoded view) when a ladder row is picked. */
  reveal?(uri: vscode.Uri, messageIndex: number): Thenable<unknown> | void;
  log?: vscode.LogOutputChannel;
  /** Where the command and the serializer are registered (default: with VS Code directly). */
  registrar?: Registrar;
  /** The text editor last active before the templates were set up (they may be loaded late). */
  lastEditor?: vscode.TextEditor;
}

/** Which flow to open the templates on; no capture = blank form. */
export interface TemplatesFlowRef {
  capture?: vscode.Uri | string;
  /** ExchangeSummary.id of the checked trace. */
  exchangeId?: number;
  /** TraceMessage.index of any message of the flow. */
  messageIndex?: number;
  callId?: string;
  /** Normalised AOR (ExchangeSummary.aor). */
  aor?: string;
}

export interface TemplatesApi {
  openTemplates(flowRef?: TemplatesFlowRef): Promise<vscode.WebviewPanel | undefined>;
}

function baseName(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1) || uri.toString();
}

function toOrigin(ref: TemplatesFlowRef | undefined): PanelOrigin {
  const o: PanelOrigin = {};
  if (!ref) return o;
  if (ref.capture !== undefined) o.capture = typeof ref.capture === 'string' ? ref.capture : ref.capture.toString();
  if (ref.exchangeId !== undefined) o.exchangeId = ref.exchangeId;
  if (ref.messageIndex !== undefined) o.messageIndex = ref.messageIndex;
  if (ref.callId !== undefined) o.callId = ref.callId;
  if (ref.aor !== undefined) o.aor = ref.aor;
  return o;
}

/** The command's argument: a flow ref, a Uri of a trace, or its string form. */
function refFromArg(arg: unknown): TemplatesFlowRef | undefined {
  if (arg instanceof vscode.Uri) return { capture: arg };
  if (typeof arg === 'string' && arg) return { capture: arg };
  if (typeof arg === 'object' && arg !== null) {
    const r = arg as TemplatesFlowRef;
    return parsePanelOrigin({ ...r, capture: r.capture instanceof vscode.Uri ? r.capture.toString() : r.capture });
  }
  return undefined;
}

export function registerTemplates(context: vscode.ExtensionContext, deps: TemplatesDeps): TemplatesApi {
  let lastEditor = deps.lastEditor ?? vscode.window.activeTextEditor;
  const registrar = deps.registrar ?? directRegistrar;
  const panels = new Set<TemplatesPanel>();
  let codicons: Promise<vscode.Uri> | undefined;
  const codiconsDir = () => (codicons ??= resolveCodicons(context.extensionUri));
  const host = {
    log: deps.log,
    lastEditor: () => (lastEditor && !lastEditor.document.isClosed ? lastEditor : vscode.window.visibleTextEditors[0]),
    reveal: deps.reveal ? (uri: vscode.Uri, i: number) => deps.reveal!(uri, i) : undefined,
  };

  /** The session for an origin: the trace's prefill and ladder, or a blank form. */
  async function sessionFor(origin: PanelOrigin): Promise<{ session: TemplateSession; title: string }> {
    const scope = origin.capture ? vscode.Uri.parse(origin.capture, true) : undefined;
    const settings = deps.settings(scope);
    if (!scope) return { session: new TemplateSession(settings), title: vscode.l10n.t('REGISTER templates') };
    const a = await deps.analyze(scope);
    const trace: CheckedTrace = { label: baseName(scope), messages: a.messages, exchanges: a.exchanges, findings: a.findings };
    return { session: new TemplateSession(settings, trace, origin), title: vscode.l10n.t('REGISTER templates: {0}', baseName(scope)) };
  }

  function attach(panel: vscode.WebviewPanel, session: TemplateSession, origin: PanelOrigin, icons: vscode.Uri): void {
    const p = new TemplatesPanel(panel, session, origin, context.extensionUri, icons, host);
    panels.add(p);
    panel.onDidDispose(() => panels.delete(p));
  }

  async function openTemplates(flowRef?: TemplatesFlowRef): Promise<vscode.WebviewPanel | undefined> {
    const origin = toOrigin(flowRef);
    let built: { session: TemplateSession; title: string };
    try {
      built = await sessionFor(origin);
    } catch (e) {
      deps.log?.error('opening the templates failed', e);
      void vscode.window.showErrorMessage(vscode.l10n.t('Cannot open the templates on {0}: {1}', origin.capture ?? '', e instanceof Error ? e.message : String(e)));
      return undefined;
    }
    const icons = await codiconsDir();
    const panel = vscode.window.createWebviewPanel(TEMPLATES_VIEW_TYPE, built.title, { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, webviewOptions(context.extensionUri, icons));
    attach(panel, built.session, origin, icons);
    return panel;
  }

  context.subscriptions.push(
    vscode.window.onDidChangeActiveTextEditor((e) => {
      if (e) lastEditor = e;
    }),
    registrar.registerCommand(OPEN_TEMPLATES_COMMAND, (arg?: unknown) => openTemplates(refFromArg(arg))),
    registrar.registerWebviewPanelSerializer(TEMPLATES_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
        // The webview's saved state is input too: only a well-formed origin is used.
        const origin = parsePanelOrigin((state as { origin?: unknown } | undefined)?.origin) ?? {};
        let built: { session: TemplateSession; title: string };
        try {
          built = await sessionFor(origin);
        } catch (e) {
          deps.log?.warn(`restoring the templates on ${origin.capture ?? 'a blank form'} failed; opening a blank form`, e);
          built = await sessionFor({});
        }
        panel.title = built.title;
        attach(panel, built.session, origin.capture ? origin : {}, await codiconsDir());
      },
    }),
    { dispose: () => panels.forEach((p) => p.dispose()) },
  );
  return { openTemplates };
}
