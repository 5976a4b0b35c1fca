/**
 * The "SIP Registrations" view in the Explorer: trace -> flow (address-of-record) -> REGISTER
 * exchange (its kind and final status) -> finding. Selecting an exchange reveals its REGISTER,
 * selecting a finding reveals the exact place (a log: the line; a capture: its decoded view).
 * Findings that belong to no REGISTER exchange (a PUBLISH, an orphan response) are listed under
 * "Other findings" of their trace.
 */
import * as vscode from 'vscode';
import type { ExchangeSummary } from '../core/register/index';
import type { Severity } from '../core/types';
import { COMMANDS } from './commands';
import { countBySeverity, type TraceFinding, type TraceIndex, type TraceSummary } from './traces';

export { REGISTRATIONS_VIEW_ID } from './ids';
const MAX_LABEL = 120;
/**
 * Children listed under one node: a 20 MB log has tens of thousands of flows, and every tree item
 * is built on the extension host and sent to the workbench; the Problems panel and the log itself
 * have the rest.
 */
const MAX_CHILDREN = 500;
/** Flows start expanded only in small traces. */
const EXPAND_FLOWS_UP_TO = 20;

export type RegistrationNode =
  | { type: 'trace'; trace: TraceSummary }
  | { type: 'flow'; trace: TraceSummary; aor: string; exchanges: ExchangeSummary[] }
  | { type: 'exchange'; trace: TraceSummary; exchange: ExchangeSummary; findings: TraceFinding[] }
  | { type: 'other'; trace: TraceSummary; findings: TraceFinding[] }
  | { type: 'finding'; trace: TraceSummary; finding: TraceFinding }
  | { type: 'more'; trace: TraceSummary; hidden: number; id: string };

/** A plain copy of the tree (labels, descriptions, children), for tests and diagnostics. */
export interface TreeSnapshot {
  label: string;
  description?: string;
  children?: TreeSnapshot[];
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

function worst(findings: readonly TraceFinding[]): Severity | undefined {
  let w: Severity | undefined;
  for (const f of findings) if (!w || SEVERITY_ORDER[f.severity] < SEVERITY_ORDER[w]) w = f.severity;
  return w;
}

function severityIcon(s: Severity | undefined): vscode.ThemeIcon {
  switch (s) {
    case 'error':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'));
    case 'warning':
      return new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
    case 'info':
      return new vscode.ThemeIcon('info', new vscode.ThemeColor('problemsInfoIcon.foreground'));
    default:
      return new vscode.ThemeIcon('pass');
  }
}

function exchangesText(n: number): string {
  return n === 1 ? vscode.l10n.t('1 exchange') : vscode.l10n.t('{0} exchanges', n);
}

function clip(s: string): string {
  return s.length > MAX_LABEL ? `${s.slice(0, MAX_LABEL - 1)}…` : s;
}

/** Which exchange each message belongs to (request, responses, retransmissions). */
function exchangeOfMessage(exchanges: readonly ExchangeSummary[]): Map<number, ExchangeSummary> {
  const m = new Map<number, ExchangeSummary>();
  for (const x of exchanges) {
    m.set(x.requestIndex, x);
    for (const i of x.responseIndexes) if (!m.has(i)) m.set(i, x);
    for (const i of x.retransmissionIndexes) if (!m.has(i)) m.set(i, x);
  }
  return m;
}

interface Grouped {
  flows: { aor: string; exchanges: ExchangeSummary[] }[];
  byExchange: Map<number, TraceFinding[]>;
  other: TraceFinding[];
}

export class RegistrationsProvider implements vscode.TreeDataProvider<RegistrationNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RegistrationNode | undefined | void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly grouped = new WeakMap<TraceSummary, Grouped>();
  private readonly sub: vscode.Disposable;

  constructor(private readonly traces: TraceIndex) {
    this.sub = traces.onDidChange(() => this.changed.fire());
  }

  private group(t: TraceSummary): Grouped {
    let g = this.grouped.get(t);
    if (g) return g;
    const flows = new Map<string, ExchangeSummary[]>();
    for (const x of t.exchanges) {
      const list = flows.get(x.aor);
      if (list) list.push(x);
      else flows.set(x.aor, [x]);
    }
    const owner = exchangeOfMessage(t.exchanges);
    const byExchange = new Map<number, TraceFinding[]>();
    const other: TraceFinding[] = [];
    for (const f of t.findings) {
      const x = owner.get(f.messageIndex);
      if (!x) {
        other.push(f);
        continue;
      }
      const list = byExchange.get(x.id);
      if (list) list.push(f);
      else byExchange.set(x.id, [f]);
    }
    g = { flows: [...flows].map(([aor, exchanges]) => ({ aor, exchanges })), byExchange, other };
    this.grouped.set(t, g);
    return g;
  }

  getChildren(node?: RegistrationNode): RegistrationNode[] {
    if (!node) return this.traces.all().map((trace) => ({ type: 'trace', trace }));
    switch (node.type) {
      case 'trace': {
        const g = this.group(node.trace);
        const out: RegistrationNode[] = capped(g.flows, node.trace, 'flows', (f) => ({ type: 'flow', trace: node.trace, aor: f.aor, exchanges: f.exchanges }));
        if (g.other.length) out.push({ type: 'other', trace: node.trace, findings: g.other });
        return out;
      }
      case 'flow': {
        const g = this.group(node.trace);
        return capped(node.exchanges, node.trace, `exchanges:${node.aor}`, (exchange) => ({ type: 'exchange', trace: node.trace, exchange, findings: g.byExchange.get(exchange.id) ?? [] }));
      }
      case 'exchange':
      case 'other':
        return capped(node.findings, node.trace, `findings:${node.type === 'exchange' ? node.exchange.id : 'other'}`, (finding) => ({ type: 'finding', trace: node.trace, finding }));
      default:
        return [];
    }
  }

  getTreeItem(node: RegistrationNode): vscode.TreeItem {
    switch (node.type) {
      case 'trace': {
        const t = node.trace;
        const n = countBySeverity(t);
        const item = new vscode.TreeItem(t.label, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `trace:${t.uri.toString()}`;
        item.resourceUri = t.uri;
        item.description = `${exchangesText(t.exchanges.length)} · ${vscode.l10n.t('{0} errors, {1} warnings', n.error, n.warning)}`;
        item.tooltip = t.uri.toString(true);
        item.contextValue = `trace.${t.kind}`;
        item.command = { command: COMMANDS.reveal, title: vscode.l10n.t('Show'), arguments: [t.target.toString(), new vscode.Range(0, 0, 0, 0)] };
        return item;
      }
      case 'flow': {
        const expand = this.group(node.trace).flows.length <= EXPAND_FLOWS_UP_TO;
        const item = new vscode.TreeItem(node.aor || vscode.l10n.t('(no address-of-record)'), expand ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `flow:${node.trace.uri.toString()}:${node.aor}`;
        item.description = exchangesText(node.exchanges.length);
        item.iconPath = new vscode.ThemeIcon('account');
        item.contextValue = 'flow';
        return item;
      }
      case 'exchange': {
        const x = node.exchange;
        const item = new vscode.TreeItem(
          x.finalStatus !== undefined ? `${x.kind} → ${x.finalStatus}` : vscode.l10n.t('{0} → no final response', x.kind),
          node.findings.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
        );
        item.id = `exchange:${node.trace.uri.toString()}:${x.id}`;
        item.description = `CSeq ${x.cseq} · ${x.callId}`;
        item.iconPath = severityIcon(worst(node.findings));
        item.tooltip = vscode.l10n.t('{0} (CSeq {1}, Call-ID {2}): {3} findings', x.kind, x.cseq, x.callId, node.findings.length);
        item.contextValue = 'exchange';
        const range = node.trace.messageRange(x.requestIndex);
        if (range) item.command = { command: COMMANDS.reveal, title: vscode.l10n.t('Show the REGISTER'), arguments: [node.trace.target.toString(), range] };
        return item;
      }
      case 'other': {
        const item = new vscode.TreeItem(vscode.l10n.t('Other findings'), vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `other:${node.trace.uri.toString()}`;
        item.description = String(node.findings.length);
        item.iconPath = severityIcon(worst(node.findings));
        return item;
      }
      case 'more': {
        const item = new vscode.TreeItem(vscode.l10n.t('{0} more not listed here (the Problems panel lists every finding)', node.hidden), vscode.TreeItemCollapsibleState.None);
        item.id = `more:${node.trace.uri.toString()}:${node.id}`;
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        return item;
      }
      case 'finding': {
        const f = node.finding;
        const item = new vscode.TreeItem(clip(f.message), vscode.TreeItemCollapsibleState.None);
        item.description = f.ruleId;
        item.iconPath = severityIcon(f.severity);
        item.tooltip = new vscode.MarkdownString().appendText(`${f.ruleId} (${f.severity}): ${f.message}`);
        item.contextValue = 'finding';
        item.command = { command: COMMANDS.reveal, title: vscode.l10n.t('Show'), arguments: [node.trace.target.toString(), f.range] };
        return item;
      }
    }
  }

  /** The whole tree as plain data (what the view shows, for tests). */
  snapshot(): TreeSnapshot[] {
    const walk = (n: RegistrationNode): TreeSnapshot => {
      const item = this.getTreeItem(n);
      const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
      const s: TreeSnapshot = { label };
      if (typeof item.description === 'string') s.description = item.description;
      const kids = this.getChildren(n);
      if (kids.length) s.children = kids.map(walk);
      return s;
    };
    return this.getChildren().map(walk);
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }
}

/** The first MAX_CHILDREN items as nodes, and one node saying how many more there are. */
function capped<T>(items: readonly T[], trace: TraceSummary, id: string, node: (item: T) => RegistrationNode): RegistrationNode[] {
  const out = items.slice(0, MAX_CHILDREN).map(node);
  if (items.length > MAX_CHILDREN) out.push({ type: 'more', trace, hidden: items.length - MAX_CHILDREN, id });
  return out;
}

/** Opens `uri` (a log, or a capture's decoded view) with `range` selected and in view. */
export async function revealInTrace(uri: unknown, range: unknown): Promise<void> {
  const target = uri instanceof vscode.Uri ? uri : typeof uri === 'string' ? vscode.Uri.parse(uri, true) : undefined;
  if (!target) return;
  const doc = await vscode.workspace.openTextDocument(target);
  const r = range instanceof vscode.Range ? range : toRangeArg(range);
  const editor = await vscode.window.showTextDocument(doc, { preview: true, selection: r ? doc.validateRange(r) : undefined });
  if (r) editor.revealRange(doc.validateRange(r), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

/** A range that went through JSON (a command argument from a restored view item). */
function toRangeArg(v: unknown): vscode.Range | undefined {
  const a = v as { start?: { line: number; character: number }; end?: { line: number; character: number } } | [{ line: number; character: number }, { line: number; character: number }];
  if (Array.isArray(a) && a.length === 2) return new vscode.Range(a[0].line, a[0].character, a[1].line, a[1].character);
  if (a && !Array.isArray(a) && a.start && a.end) return new vscode.Range(a.start.line, a.start.character, a.end.line, a.end.character);
  return undefined;
}
