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
import { ALL_RULES, ruleDocUrl } from '../core/rules/index';
import type { SarifInput, SarifLocation, SarifResultInput, SarifRuleInfo } from '../core/report/sarif';
import { countProblems } from '../core/problemLimit';
import { nestedJson } from '../core/report/json';
import { resolveSettings } from '../core/settings';
import { firstHeader } from '../core/sip/parser';
import type { Finding, LineMapEntry, Problem, Severity, Span, TraceMessage } from '../core/types';
import type { ConfigResolver } from './config';
import { readTraceFile } from './files';
import { IndexedRecordFile } from '../node/indexedRecordFile';
import { PackedRecordFile } from '../node/packedRecordFile';

export type OutputFormat = 'text' | 'json' | 'sarif';
export type FailOn = 'error' | 'warning' | 'info' | 'never';

/**
 * Texts of recent REGISTER/PUBLISH-related messages kept for the snippets of findings that
 * close after their message (an expectation met or missed later). Findings on the message being
 * read use its own text; older ones than this get no snippet.
 */
const RECENT_TEXTS = 4096;

interface MessageLocation {
  frame?: number;
  fileOffset?: number;
  line?: number;
  lineMap?: LineMapEntry[];
  text?: string;
}

/** Where a finding is, resolved while its message (or a recent one) is still at hand. */
export interface ResolvedFinding {
  ruleId: string;
  severity: Severity;
  message: string;
  messageIndex: number;
  span: Span;
  pos: ResolvedPosition;
  snippet?: Snippet;
  related: { message: string; pos: ResolvedPosition; snippet?: Snippet }[];
}

export interface FileCheckResult {
  path: string;
  format: string;
  unreadable: boolean;
  exchanges: (ExchangeSummary & { where: { frame?: number; line?: number } })[];
  exchangeCount: number;
  /** Collected findings, sorted (none when they were streamed to `onFinding`). */
  findings: ResolvedFinding[];
  /** Findings per severity (streamed or not). */
  counts: Record<Severity, number>;
  problems: Problem[];
  settingsSource?: string;
}

function keepsText(m: TraceMessage): boolean {
  const sl = m.sip.startLine;
  if (sl?.kind === 'request') return sl.method === 'REGISTER' || sl.method === 'PUBLISH';
  const cseq = firstHeader(m.sip, 'cseq')?.value ?? '';
  return /\b(REGISTER|PUBLISH)\s*$/i.test(cseq);
}

/**
 * Where every message is, in flat memory: frame, file offset and first line in typed arrays
 * (24 bytes a message); a log's line map only for REGISTER/PUBLISH-related messages (the ones a
 * later finding or related location can point at); texts only for the most recent of those.
 */
class MessageLocations {
  private frames = new Float64Array(4096);
  private offsets = new Float64Array(4096);
  private lines = new Float64Array(4096);
  /**
   * Line maps as (textOffset, line, column) Int32 triples, in a temporary file (made at the first
   * one: only logs have them), so memory does not grow with the log.
   */
  private lineMaps: IndexedRecordFile | undefined;
  private readonly texts = new Map<number, string>();
  private current: TraceMessage | undefined;

  add(m: TraceMessage): void {
    const i = m.index;
    if (i >= this.frames.length) {
      const grow = (a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> => {
        const b = new Float64Array(Math.max(a.length * 2, i + 1));
        b.set(a);
        return b;
      };
      this.frames = grow(this.frames);
      this.offsets = grow(this.offsets);
      this.lines = grow(this.lines);
    }
    this.frames[i] = m.frame ?? NaN;
    this.offsets[i] = m.fileOffset ?? NaN;
    this.lines[i] = m.line ?? NaN;
    this.current = m;
    if (keepsText(m)) {
      if (m.lineMap) (this.lineMaps ??= new IndexedRecordFile('line-maps.bin')).set(i, packLineMap(m.lineMap));
      this.texts.set(i, m.sip.text);
      if (this.texts.size > RECENT_TEXTS) this.texts.delete(this.texts.keys().next().value as number);
    }
  }

  get(i: number): MessageLocation | undefined {
    const c = this.current;
    if (c && c.index === i) return { frame: c.frame, fileOffset: c.fileOffset, line: c.line, lineMap: c.lineMap, text: c.sip.text };
    if (i < 0 || i >= this.frames.length) return undefined;
    const num = (v: number): number | undefined => (Number.isNaN(v) ? undefined : v);
    const loc: MessageLocation = { frame: num(this.frames[i]), fileOffset: num(this.offsets[i]), line: num(this.lines[i]) };
    const map = this.lineMaps?.get(i);
    if (map) loc.lineMap = unpackLineMap(map);
    const text = this.texts.get(i);
    if (text !== undefined) loc.text = text;
    return loc;
  }

  /** The message's first line (logs) or frame (captures). */
  where(i: number): { line: number } | { frame: number | undefined } {
    const line = i >= 0 && i < this.lines.length ? this.lines[i] : NaN;
    if (!Number.isNaN(line)) return { line };
    const frame = i >= 0 && i < this.frames.length ? this.frames[i] : NaN;
    return { frame: Number.isNaN(frame) ? undefined : frame };
  }

  /** After the read: nothing more resolves against the last message's own text. */
  done(): void {
    this.current = undefined;
  }

  /** Why line maps were kept in memory (see IndexedRecordFile.fallback), or undefined. */
  get fallback(): string | undefined {
    return this.lineMaps?.fallback;
  }

  /** Removes the line maps' file: after the last finding was resolved. */
  close(): void {
    this.lineMaps?.close();
  }
}

function packLineMap(map: readonly LineMapEntry[]): Uint8Array {
  const out = new Int32Array(map.length * 3);
  for (let k = 0; k < map.length; k++) {
    out[3 * k] = map[k].textOffset;
    out[3 * k + 1] = map[k].line;
    out[3 * k + 2] = map[k].column;
  }
  return new Uint8Array(out.buffer);
}

function unpackLineMap(bytes: Uint8Array): LineMapEntry[] {
  // The bytes come from the file or a copy: their own buffer, from offset 0, aligned.
  const packed = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2);
  const out: LineMapEntry[] = new Array(packed.length / 3);
  for (let k = 0; k < out.length; k++) out[k] = { textOffset: packed[3 * k], line: packed[3 * k + 1], column: packed[3 * k + 2] };
  return out;
}

function resolveFinding(f: Finding, locations: MessageLocations): ResolvedFinding {
  const loc = locations.get(f.messageIndex);
  const rf: ResolvedFinding = {
    ruleId: f.ruleId,
    severity: f.severity,
    message: f.message,
    messageIndex: f.messageIndex,
    span: f.span,
    pos: resolvePosition(loc, f.span),
    related: (f.related ?? []).map((rel) => {
      const rl = locations.get(rel.messageIndex);
      return { message: rel.message, pos: resolvePosition(rl, rel.span), snippet: snippet(rl, rel.span) };
    }),
  };
  const snip = snippet(loc, f.span);
  if (snip) rf.snippet = snip;
  return rf;
}

export interface CheckFileOptions {
  /** Streams each finding here as soon as it is final (flat memory); else they are collected. */
  onFinding?: (f: ResolvedFinding) => void;
  /** Awaited between input chunks: lets the caller wait for its output to drain. */
  between?: () => Promise<void>;
  /** false: only count the exchanges (the text output lists none). */
  listExchanges?: boolean;
}

export async function checkFile(file: string, configs: ConfigResolver, opts: CheckFileOptions = {}): Promise<FileCheckResult> {
  const config = configs.forTrace(file);
  const locations = new MessageLocations();
  const collected: ResolvedFinding[] = [];
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  const take = (batch: Finding[]): void => {
    for (const f of batch) {
      counts[f.severity]++;
      const rf = resolveFinding(f, locations);
      if (opts.onFinding) opts.onFinding(rf);
      else collected.push(rf);
    }
  };
  // Quiet AORs' packed state goes to a temporary file: memory does not grow with their number.
  const packedRecords = PackedRecordFile.tryOpen();
  const checker = new RegisterChecker(resolveSettings(config.settings), undefined, { findings: take, exchanges: opts.listExchanges !== false, exchangeIndexes: false, packedRecords });
  const problems: Problem[] = [];
  let format = 'unknown';
  try {
    const r = await readTraceFile(
      file,
      {
        message: (m) => {
          locations.add(m);
          checker.add(m);
        },
        problem: (p) => problems.push(p),
      },
      { between: opts.between },
    );
    format = r.format ?? 'unknown';
  } catch (e) {
    problems.push({ code: 'read-error', message: `Cannot read the file: ${(e as Error).message}`, severity: 'error' });
  }
  locations.done();
  let result: ReturnType<RegisterChecker['end']>;
  try {
    result = checker.end();
  } finally {
    if (packedRecords?.fallback) process.stderr.write(`sip-inspect: ${file}: the temporary file for quiet registrations failed (${packedRecords.fallback}); the rest was kept in memory\n`);
    packedRecords?.close();
    if (locations.fallback) process.stderr.write(`sip-inspect: ${file}: the temporary file for the log's line maps failed (${locations.fallback}); the rest was kept in memory\n`);
    locations.close();
  }
  collected.sort((a, b) => a.messageIndex - b.messageIndex || a.span.start - b.span.start || a.ruleId.localeCompare(b.ruleId));
  return {
    path: file,
    format,
    unreadable: format === 'unknown',
    // Where each exchange is, added to the checker's own summaries (a copy of tens of thousands
    // would double them at the end of a large capture).
    exchanges: result.exchanges.map((e) => Object.assign(e, { where: locations.where(e.requestIndex) })),
    exchangeCount: result.exchangeCount,
    findings: collected,
    counts,
    problems,
    settingsSource: config.source,
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

interface Snippet {
  line: string;
  from: number;
  to: number;
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
  if (loc.line !== undefined) return { line: loc.line, column: 1 };
  const cap = capturePosition(tm, span.start);
  if (cap) return { frame: cap.frame, offset: cap.fileOffset, length: cap.fileOffset !== undefined ? span.end - span.start : undefined };
  return {};
}

/** The line of the message text that holds `span.start`, and where the span sits in it. */
function snippet(loc: MessageLocation | undefined, span: Span): Snippet | undefined {
  const text = loc?.text;
  if (text === undefined || span.start > text.length) return undefined;
  const lineStart = Math.max(text.lastIndexOf('\n', span.start - 1) + 1, 0);
  let lineEnd = text.indexOf('\n', span.start);
  if (lineEnd < 0) lineEnd = text.length;
  if (lineEnd > lineStart && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
  // A one-line 200 MB "message" must not be copied whole into the output.
  const line = text.slice(lineStart, Math.min(lineEnd, lineStart + 4096));
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
  return results.some((r) => (Object.keys(r.counts) as Severity[]).some((s) => r.counts[s] > 0 && RANK[s] >= threshold)) ? 1 : 0;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** One finding, compiler style: `path:line:col: severity RULE message` and the offending line. */
export function textOfFinding(path: string, f: ResolvedFinding): string {
  const pos = f.pos;
  const where = pos.line !== undefined ? `${path}:${pos.line}:${pos.column}` : pos.frame !== undefined ? `${path}#frame ${pos.frame}` : path;
  let out = `${where}: ${f.severity} ${f.ruleId} ${f.message}\n`;
  const snip = f.snippet;
  if (snip) {
    const shown = snip.line.length > 160 ? snip.line.slice(0, 160) + '…' : snip.line;
    out += `    ${shown}\n`;
    if (snip.from < 160) out += `    ${' '.repeat(snip.from)}${'^'.repeat(Math.max(1, Math.min(snip.to, 160) - snip.from))}\n`;
  }
  return out;
}

/** What follows a file's findings in the text output: its reading problems. */
export function textOfProblems(r: FileCheckResult): string {
  return r.problems.map((p) => `${r.path}: ${p.severity} ${p.code} (${formatProblemLocation(p)}): ${p.message}\n`).join('');
}

export function textSummary(results: FileCheckResult[]): string {
  const totals = { error: 0, warning: 0, info: 0, exchanges: 0, problems: 0 };
  for (const r of results) {
    totals.exchanges += r.exchangeCount;
    totals.problems += countProblems(r.problems);
    for (const s of ['error', 'warning', 'info'] as const) totals[s] += r.counts[s];
  }
  return (
    `${plural(results.length, 'file')} checked: ${plural(totals.exchanges, 'REGISTER exchange')}, ` +
    `${plural(totals.error, 'error')}, ${plural(totals.warning, 'warning')}, ${totals.info} info, ${plural(totals.problems, 'reading problem')}`
  );
}

/** The text output of collected results (findings in message order). */
export function renderText(results: FileCheckResult[]): string {
  let out = '';
  for (const r of results) {
    for (const f of r.findings) out += textOfFinding(r.path, f);
    out += textOfProblems(r);
  }
  return out + textSummary(results);
}

function jsonPosition(pos: ResolvedPosition): object {
  return pos.line !== undefined
    ? { line: pos.line, column: pos.column, endLine: pos.endLine, endColumn: pos.endColumn }
    : { frame: pos.frame, ...(pos.offset !== undefined ? { offset: pos.offset, length: pos.length } : {}) };
}

/** One finding of the JSON output. */
export function jsonOfFinding(f: ResolvedFinding): object {
  return {
    ruleId: f.ruleId,
    severity: f.severity,
    message: f.message,
    ...jsonPosition(f.pos),
    ...(f.related.length
      ? { related: f.related.map((rel) => ({ message: rel.message, ...(rel.pos.line !== undefined ? { line: rel.pos.line, column: rel.pos.column } : { frame: rel.pos.frame }) })) }
      : {}),
  };
}

function jsonOfExchange(e: FileCheckResult['exchanges'][number]): object {
  return {
    callId: e.callId,
    cseq: e.cseq,
    aor: e.aor,
    kind: e.kind,
    ...(e.uncertain ? { uncertain: true } : {}),
    ...e.where,
    finalStatus: e.finalStatus ?? null,
    findings: e.findingRuleIds,
  };
}

/**
 * The rest of a file's JSON object after its streamed findings, in pieces: one per exchange, so
 * a capture's tens of thousands of exchanges are never one string (nor one object tree).
 */
export function* jsonFileRestPieces(r: FileCheckResult): Generator<string> {
  yield `\n      "format": ${JSON.stringify(r.format)},`;
  if (r.settingsSource) yield `\n      "settings": ${JSON.stringify(r.settingsSource)},`;
  if (r.exchanges.length === 0) yield '\n      "exchanges": [],';
  else {
    yield '\n      "exchanges": [';
    for (let i = 0; i < r.exchanges.length; i++) yield `${i ? ',' : ''}\n        ${nestedJson(jsonOfExchange(r.exchanges[i]), 4)}`;
    yield '\n      ],';
  }
  yield `\n      "problems": ${nestedJson(r.problems, 3)}\n    }`;
}

function sarifLocation(pos: ResolvedPosition, snip: Snippet | undefined): SarifLocation | undefined {
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

/**
 * The rule descriptors of the SARIF output: known before any file is read, so results can be
 * written as they come. Rules that never report (`noDiagnostic`) are left out.
 */
export function sarifRuleInfos(): SarifRuleInfo[] {
  return ALL_RULES.filter((r) => !r.noDiagnostic).map((r) => ({
    id: r.id,
    title: r.title,
    defaultSeverity: r.defaultSeverity,
    helpText: `${r.docs.what} ${r.docs.why}`.trim(),
    helpMarkdown: `**${r.title}** (${r.clause})\n\n${r.docs.what}\n\n${r.docs.why}${r.docs.fix ? `\n\nFix: ${r.docs.fix}` : ''}\n\n[Rule documentation](${ruleDocUrl(r.id)})`,
    helpUri: ruleDocUrl(r.id),
    clause: r.clause,
  }));
}

/** A finding as a SARIF result. */
export function sarifResultOf(path: string, f: ResolvedFinding): SarifResultInput {
  const pos = f.pos;
  const location = sarifLocation(pos, f.snippet) ?? { kind: 'binary' as const, frame: 0 };
  const related = f.related
    .map((rel) => ({ message: rel.message, location: sarifLocation(rel.pos, rel.snippet) }))
    .filter((x): x is { message: string; location: SarifLocation } => x.location !== undefined);
  return {
    ruleId: f.ruleId,
    severity: f.severity,
    message: pos.frame !== undefined && pos.line === undefined ? `${f.message} (frame ${pos.frame})` : f.message,
    file: path,
    location,
    related,
    fingerprint: `${f.ruleId}:${pos.line ?? pos.frame}:${pos.column ?? pos.offset ?? 0}`,
  };
}

/** A file's reading problems as SARIF tool execution notifications. */
export function sarifNotificationsOf(r: FileCheckResult): NonNullable<SarifInput['notifications']> {
  return r.problems.map((p) => ({
    file: r.path,
    message: `${p.code}: ${p.message}`,
    severity: p.severity,
    location: p.line !== undefined ? { kind: 'text', startLine: p.line, startColumn: p.column ?? 1, endLine: p.line, endColumn: (p.column ?? 1) + 1 } : p.frame !== undefined ? { kind: 'binary', frame: p.frame, byteOffset: p.offset } : undefined,
  }));
}
