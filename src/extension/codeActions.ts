/**
 * Code actions on our diagnostics, keyed on `diagnostic.code` (the rule id), the vscode-eslint
 * way: the rule's quick fix(es) (fixes.ts; one marked preferred, so "Auto Fix" applies it), "Show
 * documentation for <id>", "Disable <id> in this workspace", "Open a compliant REGISTER template"
 * (the templates panel on the finding's flow), and a `source.fixAll` action (also run by
 * `editor.codeActionsOnSave`). The decoded view of a capture is read-only: it gets every action
 * but the edits.
 */
import * as vscode from 'vscode';
import { ALL_RULES, ruleById, ruleDocUrl } from '../core/rules/index';
import { resolveSettings } from '../core/settings';
import type { TraceMessage } from '../core/types';
import { analyzeText, type LocatedFinding, type MessageLines } from './analysis';
import { DECODED_SCHEME, captureUriOf } from './captures';
import { COMMANDS } from './commands';
import { readSettings, setRuleLevel } from './config';
import { DIAGNOSTIC_SOURCE } from './diagnostics';
import { FIXABLE_RULES, fixesFor, mergeEdits, type Fix } from './fixes';
import { directRegistrar, type Registrar } from './registrar';
import { type LogDiagnostics, type LogResult, toRange } from './logDiagnostics';

export const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append('sipTraceInspector');

/** Lines of context read before a message when re-parsing it alone (log markers precede it). */
const CONTEXT_LINES = 8;

/** The templates panel, when that part of the extension is present (templates/index.ts). */
export interface TemplatesLink {
  command: string;
}

export function ruleIdOf(d: vscode.Diagnostic): string | undefined {
  if (d.source !== DIAGNOSTIC_SOURCE || d.code === undefined) return undefined;
  const id = typeof d.code === 'object' ? String(d.code.value) : String(d.code);
  return ruleById(id) ? id : undefined;
}

/** Documents whose text the quick fixes may change (not our decoded views, not git's old versions). */
function editable(doc: vscode.TextDocument): boolean {
  return doc.uri.scheme !== DECODED_SCHEME && doc.uri.scheme !== 'git';
}

/**
 * The parsed message `index` of a checked log: from the in-place analysis, or (a log checked in the
 * worker keeps no parsed messages) by reading just its lines again, with a few lines of context
 * for the log's own marker lines, and shifting the line map back to document lines.
 */
export function messageOf(doc: vscode.TextDocument, result: LogResult, index: number): TraceMessage | undefined {
  if (result.full) return result.full.messages[index];
  const lines: MessageLines | undefined = result.data.messages[index];
  if (!lines || lines.endLine >= doc.lineCount) return undefined;
  const from = Math.max(0, lines.startLine - CONTEXT_LINES);
  const to = Math.min(doc.lineCount - 1, lines.endLine + 1);
  const text = doc.getText(new vscode.Range(from, 0, to, doc.lineAt(to).text.length));
  for (const m of analyzeText(text).messages) {
    const map = m.lineMap;
    if (!map?.length || map[0].line - 1 + from !== lines.startLine) continue;
    return { ...m, line: (m.line ?? map[0].line) + from, lineMap: map.map((e) => ({ ...e, line: e.line + from })) };
  }
  return undefined;
}

function sameRange(doc: vscode.TextDocument, f: LocatedFinding, r: vscode.Range): boolean {
  return doc.validateRange(toRange(f.range)).isEqual(r);
}

export class SipCodeActions implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix, FIX_ALL_KIND],
  };

  constructor(
    private readonly logs: LogDiagnostics,
    private readonly templates: TemplatesLink | undefined,
    /** The message of a trace shown at a document line (a log's, or a decoded capture's). */
    private readonly messageAt: (doc: vscode.TextDocument, line: number) => number | undefined,
  ) {}

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const only = context.only;
    const wantQuick = !only || only.contains(vscode.CodeActionKind.QuickFix);
    const wantFixAll = !only || only.contains(FIX_ALL_KIND) || FIX_ALL_KIND.contains(only);
    const actions: vscode.CodeAction[] = [];
    const result = this.currentResult(doc);
    if (wantQuick) {
      const seen = new Set<string>();
      let templateOffered = false;
      for (const diag of context.diagnostics) {
        const id = ruleIdOf(diag);
        if (!id) continue;
        const finding = result?.data.findings.find((f) => f.ruleId === id && sameRange(doc, f, diag.range));
        if (result && finding && editable(doc)) {
          for (const fix of this.fixes(doc, result, finding)) {
            const a = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
            a.diagnostics = [diag];
            a.isPreferred = fix.preferred;
            a.edit = new vscode.WorkspaceEdit();
            a.edit.set(doc.uri, fix.edits);
            actions.push(a);
          }
        }
        if (this.templates && !templateOffered && id.startsWith('OMA-IM-REG-')) {
          templateOffered = true;
          const a = new vscode.CodeAction(vscode.l10n.t('Open a compliant REGISTER template'), vscode.CodeActionKind.QuickFix);
          a.diagnostics = [diag];
          const trace = doc.uri.scheme === DECODED_SCHEME ? captureUriOf(doc.uri) : doc.uri;
          const ref: { capture: string; messageIndex?: number } = { capture: trace.toString() };
          const index = finding?.messageIndex ?? this.messageAt(doc, diag.range.start.line);
          if (index !== undefined) ref.messageIndex = index;
          a.command = { command: this.templates.command, title: a.title, arguments: [ref] };
          actions.push(a);
        }
        if (seen.has(id)) continue;
        seen.add(id);
        const docs = new vscode.CodeAction(vscode.l10n.t('Show documentation for {0}', id), vscode.CodeActionKind.QuickFix);
        docs.command = { command: COMMANDS.showRuleDocumentation, title: docs.title, arguments: [id] };
        docs.diagnostics = [diag];
        const off = new vscode.CodeAction(vscode.l10n.t('Disable {0} in this workspace', id), vscode.CodeActionKind.QuickFix);
        off.command = { command: COMMANDS.disableRule, title: off.title, arguments: [id] };
        off.diagnostics = [diag];
        actions.push(docs, off);
      }
    }
    if (wantFixAll && result && editable(doc)) {
      const edits = this.fixAllEdits(doc, result);
      if (edits.length) {
        const a = new vscode.CodeAction(vscode.l10n.t('Fix all auto-fixable SIP registration problems'), FIX_ALL_KIND);
        a.edit = new vscode.WorkspaceEdit();
        a.edit.set(doc.uri, edits);
        actions.push(a);
      }
    }
    return actions;
  }

  /** The log's result when it matches the document's text (quick fixes need exact positions). */
  private currentResult(doc: vscode.TextDocument): LogResult | undefined {
    return this.logs.currentResult(doc);
  }

  private fixes(doc: vscode.TextDocument, result: LogResult, finding: LocatedFinding, cache?: Map<number, TraceMessage | undefined>): Fix[] {
    if (!FIXABLE_RULES.has(finding.ruleId)) return [];
    let message = cache?.get(finding.messageIndex);
    if (!cache?.has(finding.messageIndex)) {
      message = messageOf(doc, result, finding.messageIndex);
      cache?.set(finding.messageIndex, message);
    }
    if (!message || message.sip.text.length < finding.span.end) return [];
    try {
      return fixesFor({ doc, message, finding, exchanges: result.data.exchanges, imRelease: resolveSettings(readSettings(doc.uri)).imRelease });
    } catch {
      // A message whose line map does not cover the span (should not happen): no fix rather than a wrong one.
      return [];
    }
  }

  /** Every finding's preferred fix, merged into edits that do not overlap. */
  fixAllEdits(doc: vscode.TextDocument, result: LogResult): vscode.TextEdit[] {
    const cache = new Map<number, TraceMessage | undefined>();
    const groups: vscode.TextEdit[][] = [];
    for (const f of result.data.findings) {
      if (!FIXABLE_RULES.has(f.ruleId)) continue;
      const preferred = this.fixes(doc, result, f, cache).find((x) => x.preferred);
      if (preferred) groups.push(preferred.edits);
    }
    return mergeEdits(groups);
  }

  /** "SIP: Fix All Auto-Fixable Problems" on the active log; resolves to the number of edits applied. */
  async fixAllInActiveEditor(): Promise<number> {
    const editor = vscode.window.activeTextEditor;
    if (!editor || !editable(editor.document)) return 0;
    const result = this.currentResult(editor.document);
    if (!result) return 0;
    const edits = this.fixAllEdits(editor.document, result);
    if (!edits.length) {
      void vscode.window.showInformationMessage(vscode.l10n.t('No auto-fixable SIP registration problems in {0}.', editor.document.uri.path.split('/').pop() ?? ''));
      return 0;
    }
    const we = new vscode.WorkspaceEdit();
    we.set(editor.document.uri, edits);
    return (await vscode.workspace.applyEdit(we)) ? edits.length : 0;
  }
}

/** The message of a checked log that covers a document line. */
export function messageIndexAt(logs: LogDiagnostics, doc: vscode.TextDocument, line: number): number | undefined {
  const r = logs.resultFor(doc.uri);
  if (!r) return undefined;
  const i = r.data.messages.findIndex((m) => m.startLine <= line && line <= m.endLine);
  return i >= 0 ? i : undefined;
}

/** Where the documentation page of a rule is: the extension's own copy when it ships one, else the web page. */
export async function ruleDocumentationUri(extensionUri: vscode.Uri, id: string): Promise<vscode.Uri> {
  const local = vscode.Uri.joinPath(extensionUri, 'docs', 'rules', `${id}.md`);
  try {
    await vscode.workspace.fs.stat(local);
    return local;
  } catch {
    return vscode.Uri.parse(ruleDocUrl(id));
  }
}

async function pickRule(placeHolder: string): Promise<string | undefined> {
  const picked = await vscode.window.showQuickPick(
    ALL_RULES.map((r) => ({ label: r.id, description: r.title.replace(/`/g, ''), detail: r.clause })),
    { placeHolder, matchOnDescription: true },
  );
  return picked?.label;
}

/** The rule commands: show documentation, disable in the workspace, fix all. */
export function registerRuleCommands(extensionUri: vscode.Uri, actions: SipCodeActions, registrar: Registrar = directRegistrar): vscode.Disposable[] {
  return [
    registrar.registerCommand(COMMANDS.showRuleDocumentation, async (arg?: unknown) => {
      const id = typeof arg === 'string' && ruleById(arg) ? arg : await pickRule(vscode.l10n.t('Rule whose documentation to show'));
      if (!id) return undefined;
      const uri = await ruleDocumentationUri(extensionUri, id);
      if (uri.scheme === 'http' || uri.scheme === 'https') await vscode.env.openExternal(uri);
      else await vscode.commands.executeCommand('markdown.showPreview', uri);
      return uri.toString();
    }),
    registrar.registerCommand(COMMANDS.disableRule, async (arg?: unknown) => {
      const id = typeof arg === 'string' && ruleById(arg) ? arg : await pickRule(vscode.l10n.t('Rule to turn off in this workspace'));
      if (!id) return undefined;
      const target = await setRuleLevel(id, 'off');
      const where = target === vscode.ConfigurationTarget.Workspace ? vscode.l10n.t('workspace settings') : vscode.l10n.t('user settings');
      const open = vscode.l10n.t('Open Settings');
      void vscode.window.showInformationMessage(vscode.l10n.t('{0} is off in the {1} ("sipTraceInspector.rules").', id, where), open).then((a) => {
        if (a === open) void vscode.commands.executeCommand(target === vscode.ConfigurationTarget.Workspace ? 'workbench.action.openWorkspaceSettingsFile' : 'workbench.action.openSettingsJson');
      });
      return id;
    }),
    registrar.registerCommand(COMMANDS.fixAll, () => actions.fixAllInActiveEditor()),
  ];
}
