/**
 * `sip-inspect check`: every REGISTER exchange of each trace and every way it breaks the rules,
 * as compiler-style text, JSON or SARIF 2.1.0, with an exit code for CI.
 *
 * Memory stays bounded on large captures: messages stream through the checker (which keeps only
 * compact state), and this command keeps for each message just where it is (frame, file offset,
 * or the log's line map) plus, within a fixed budget, the text of REGISTER/PUBLISH-related
 * messages so findings can show the offending header.
 */
import { capturePosition, logPosition } from '../core/locate';
import { formatProblemLocation } from '../core/present';
import { RegisterChecker, type ExchangeSummary } from '../core/register/index';
import { ALL_RULES, ruleById, ruleDocUrl } from '../core/rules/index';
import { buildSarif, type SarifLocation, type SarifResultInput, type SarifRuleInfo } from '../core/report/sarif';
import { resolveSettings } from '../core/settings';
import { firstHeader } from '../core/sip/parser';
import type { Finding, LineMapEntry, Problem, Severity, Span, TraceMessage } from '../core/types';
import type { ConfigResolver } from './config';
import { readTraceFile } from './files';

export type OutputFormat = 'text' | 'json' | 'sarif';
export type FailOn = 'error' | 'warning' | 'info' | 'never';

/** Text kept for findings' snippets, in UTF-16 units; beyond it, snippets are left out. */
const TEXT_BUDGET = 32 * 1024 * 1024;

interface MessageLocation {
  frame?: number;
  fileOffset?: number;
  line?: number;
  lineMap?: LineMapEntry[];
  text?: string;
}

export interface FileCheckResult {
  path: string;
  format: string;
  unreadable: boolean;
  exchanges: ExchangeSummary[];
  findings: Finding[];
  problems: Problem[];
  settingsSource?: string;
  /** Where each message is (index = TraceMessage.index). */
  locations: MessageLocation[];
}

function keepsText(m: TraceMessage): boolean {
  const sl = m.sip.startLine;
  if (sl?.kind === 'request') return sl.method === 'REGISTER' || sl.method === 'PUBLISH';
  const cseq = firstHeader(m.sip, 'cseq')?.value ?? '';
  return /\b(REGISTER|PUBLISH)\s*$/i.test(cseq);
}

export async function checkFile(file: string, configs: ConfigResolver): Promise<FileCheckResult> {
  const config = configs.forTrace(file);
  const checker = new RegisterChecker(resolveSettings(config.settings));
  const problems: Problem[] = [];
  const locations: MessageLocation[] = [];
  let textBudget = TEXT_BUDGET;
  let format = 'unknown';
  try {
    const r = await readTraceFile(file, {
      message: (m) => {
        const loc: MessageLocation = {};
        if (m.frame !== undefined) loc.frame = m.frame;
        if (m.fileOffset !== undefined) loc.fileOffset = m.fileOffset;
        if (m.line !== undefined) loc.line = m.line;
        if (m.lineMap) loc.lineMap = m.lineMap;
        if (textBudget > 0 && keepsText(m)) {
          loc.text = m.sip.text;
          textBudget -= m.sip.text.length;
        }
        locations[m.index] = loc;
        checker.add(m);
      },
      problem: (p) => problems.push(p),
    });
    format = r.format ?? 'unknown';
  } catch (e) {
    problems.push({ code: 'read-error', message: `Cannot read the file: ${(e as Error).message}`, severity: 'error' });
  }
  const result = checker.end();
  return {
    path: file,
    format,
    unreadable: format === 'unknown',
    exchanges: result.exchanges,
    findings: result.findings,
    problems,
    settingsSource: config.source,
    locations,
  };
}

// ------------------------------------------------------------------------------------------
// Positions
// ------------------------------------------------------------------------------------------

interface ResolvedPosition {
  /** Logs */
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  /** Captures */
  frame?: number;
  offset?: number;
  length?: number;
}

function asTraceMessage(loc: MessageLocation): TraceMessage {
  // logPosition / capturePosition only read these fields.
  return { index: 0, frame: loc.frame, fileOffset: loc.fileOffset, lineMap: loc.lineMap, transport: 'unknown', sip: undefined as never };
}

function resolvePosition(loc: MessageLocation | undefined, span: Span): ResolvedPosition {
  if (!loc) return {};
  const tm = asTraceMessage(loc);
  if (loc.lineMap) {
    const start = logPosition(tm, span.start);
    const end = logPosition(tm, Math.max(span.start, span.end));
    return { line: start?.line ?? loc.line, column: start?.column ?? 1, endLine: end?.line, endColumn: end?.column };
  }
  const cap = capturePosition(tm, span.start);
  if (cap) return { frame: cap.frame, offset: cap.fileOffset, length: cap.fileOffset !== undefined ? span.end - span.start : undefined };
  return {};
}

/** The line of the message text that holds `span.start`, and where the span sits in it. */
function snippet(loc: MessageLocation | undefined, span: Span): { line: string; from: number; to: number } | undefined {
  const text = loc?.text;
  if (text === undefined || span.start > text.length) return undefined;
  const lineStart = Math.max(text.lastIndexOf('\n', span.start - 1) + 1, 0);
  let lineEnd = text.indexOf('\n', span.start);
  if (lineEnd < 0) lineEnd = text.length;
  if (lineEnd > lineStart && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
  const line = text.slice(lineStart, lineEnd);
  return { line, from: span.start - lineStart, to: Math.min(span.end, lineEnd) - lineStart };
}

// ------------------------------------------------------------------------------------------
// Output
// ------------------------------------------------------------------------------------------

const RANK: Record<Severity, number> = { info: 1, warning: 2, error: 3 };

export function exitCodeFor(results: FileCheckResult[], failOn: FailOn): number {
  if (results.some((r) => r.unreadable)) return 2;
  if (failOn === 'never') return 0;
  const threshold = RANK[failOn];
  return results.some((r) => r.findings.some((f) => RANK[f.severity] >= threshold)) ? 1 : 0;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function renderText(results: FileCheckResult[]): string {
  const out: string[] = [];
  const totals = { error: 0, warning: 0, info: 0, exchanges: 0, problems: 0 };
  for (const r of results) {
    totals.exchanges += r.exchanges.length;
    totals.problems += r.problems.length;
    const sorted = [...r.findings].sort((a, b) => a.messageIndex - b.messageIndex || a.span.start - b.span.start);
    for (const f of sorted) {
      totals[f.severity]++;
      const loc = r.locations[f.messageIndex];
      const pos = resolvePosition(loc, f.span);
      const where = pos.line !== undefined ? `${r.path}:${pos.line}:${pos.column}` : pos.frame !== undefined ? `${r.path}#frame ${pos.frame}` : r.path;
      out.push(`${where}: ${f.severity} ${f.ruleId} ${f.message}`);
      const snip = snippet(loc, f.span);
      if (snip) {
        const shown = snip.line.length > 160 ? snip.line.slice(0, 160) + '…' : snip.line;
        out.push(`    ${shown}`);
        if (snip.from < 160) out.push(`    ${' '.repeat(snip.from)}${'^'.repeat(Math.max(1, Math.min(snip.to, 160) - snip.from))}`);
      }
    }
    for (const p of r.problems) out.push(`${r.path}: ${p.severity} ${p.code} (${formatProblemLocation(p)}): ${p.message}`);
  }
  out.push(
    `${plural(results.length, 'file')} checked: ${plural(totals.exchanges, 'REGISTER exchange')}, ` +
      `${plural(totals.error, 'error')}, ${plural(totals.warning, 'warning')}, ${totals.info} info, ${plural(totals.problems, 'reading problem')}`,
  );
  return out.join('\n');
}

export function renderJson(results: FileCheckResult[]): object {
  return {
    files: results.map((r) => ({
      path: r.path,
      format: r.format,
      ...(r.settingsSource ? { settings: r.settingsSource } : {}),
      exchanges: r.exchanges.map((e) => {
        const loc = r.locations[e.requestIndex];
        const where = loc?.lineMap ? { line: loc.line } : { frame: loc?.frame };
        return {
          callId: e.callId,
          cseq: e.cseq,
          aor: e.aor,
          kind: e.kind,
          ...(e.uncertain ? { uncertain: true } : {}),
          ...where,
          finalStatus: e.finalStatus ?? null,
          findings: e.findingRuleIds,
        };
      }),
      findings: r.findings.map((f) => {
        const pos = resolvePosition(r.locations[f.messageIndex], f.span);
        const where =
          pos.line !== undefined
            ? { line: pos.line, column: pos.column, endLine: pos.endLine, endColumn: pos.endColumn }
            : { frame: pos.frame, ...(pos.offset !== undefined ? { offset: pos.offset, length: pos.length } : {}) };
        return {
          ruleId: f.ruleId,
          severity: f.severity,
          message: f.message,
          ...where,
          ...(f.related?.length
            ? {
                related: f.related.map((rel) => {
                  const rp = resolvePosition(r.locations[rel.messageIndex], rel.span);
                  return { message: rel.message, ...(rp.line !== undefined ? { line: rp.line, column: rp.column } : { frame: rp.frame }) };
                }),
              }
            : {}),
        };
      }),
      problems: r.problems,
    })),
  };
}

function sarifLocation(loc: MessageLocation | undefined, span: Span): SarifLocation | undefined {
  const pos = resolvePosition(loc, span);
  const snip = snippet(loc, span);
  if (pos.line !== undefined) {
    return {
      kind: 'text',
      startLine: pos.line,
      startColumn: pos.column ?? 1,
      endLine: pos.endLine ?? pos.line,
      endColumn: pos.endColumn ?? (pos.column ?? 1) + 1,
      ...(snip ? { snippet: snip.line } : {}),
    };
  }
  if (pos.frame !== undefined) return { kind: 'binary', frame: pos.frame, byteOffset: pos.offset, byteLength: pos.length };
  return undefined;
}

export function renderSarif(results: FileCheckResult[], version: string): object {
  const usedIds = new Set(results.flatMap((r) => r.findings.map((f) => f.ruleId)));
  const rules: SarifRuleInfo[] = ALL_RULES.filter((r) => !r.noDiagnostic || usedIds.has(r.id)).map((r) => ({
    id: r.id,
    title: r.title,
    defaultSeverity: r.defaultSeverity,
    helpText: `${r.docs.what} ${r.docs.why}`.trim(),
    helpMarkdown: `**${r.title}** (${r.clause})\n\n${r.docs.what}\n\n${r.docs.why}${r.docs.fix ? `\n\nFix: ${r.docs.fix}` : ''}\n\n[Rule documentation](${ruleDocUrl(r.id)})`,
    helpUri: ruleDocUrl(r.id),
    clause: r.clause,
  }));
  for (const id of usedIds) {
    if (!ruleById(id)) rules.push({ id, title: id, defaultSeverity: 'warning', helpText: id, helpUri: ruleDocUrl(id) });
  }
  const results2: SarifResultInput[] = [];
  const notifications: NonNullable<Parameters<typeof buildSarif>[0]['notifications']> = [];
  for (const r of results) {
    for (const f of r.findings) {
      const loc = r.locations[f.messageIndex];
      const location = sarifLocation(loc, f.span) ?? { kind: 'binary' as const, frame: loc?.frame ?? 0 };
      const related = (f.related ?? [])
        .map((rel) => ({ message: rel.message, location: sarifLocation(r.locations[rel.messageIndex], rel.span) }))
        .filter((x): x is { message: string; location: SarifLocation } => x.location !== undefined);
      const pos = resolvePosition(loc, f.span);
      results2.push({
        ruleId: f.ruleId,
        severity: f.severity,
        message: pos.frame !== undefined && pos.line === undefined ? `${f.message} (frame ${pos.frame})` : f.message,
        file: r.path,
        location,
        related,
        fingerprint: `${f.ruleId}:${pos.line ?? pos.frame}:${pos.column ?? pos.offset ?? 0}`,
      });
    }
    for (const p of r.problems) {
      notifications.push({
        file: r.path,
        message: `${p.code}: ${p.message}`,
        severity: p.severity,
        location: p.line !== undefined ? { kind: 'text', startLine: p.line, startColumn: p.column ?? 1, endLine: p.line, endColumn: (p.column ?? 1) + 1 } : p.frame !== undefined ? { kind: 'binary', frame: p.frame, byteOffset: p.offset } : undefined,
      });
    }
  }
  return buildSarif({
    toolVersion: version,
    informationUri: 'https://github.com/sip-trace-inspector/sip-trace-inspector',
    rules,
    files: results.map((r) => ({ path: r.path, format: r.format })),
    results: results2,
    notifications,
  });
}
