/**
 * One pass of the core over a whole trace: bytes -> SIP messages (TraceReader) -> REGISTER
 * exchanges and findings (RegisterChecker). Host-neutral (no `vscode`, no Node built-ins) so it
 * runs in the extension host, in a worker thread (worker.ts) and in a web worker (webWorker.ts).
 *
 * Two shapes of result:
 * - `Analysis`: everything, parsed messages included. Captures (the decoded view shows every
 *   message) and small logs (quick fixes and hovers read the parsed messages) use it.
 * - `LogCheckData`: a log's findings and problems already placed on document lines, the exchanges
 *   and where each message lies, without the messages themselves. A large log is checked in a
 *   worker and only this comes back: posting a 20 MB log's parsed messages back to the extension
 *   host would cost seconds of structured-clone work on the host's own thread.
 */
import { TraceReader, type TraceFormat } from '../core/trace';
import { RegisterChecker, type ExchangeSummary, type PackedRecordStore } from '../core/register/index';
import { resolveSettings, type Settings } from '../core/settings';
import { logPosition } from '../core/locate';
import { parseSipMessage } from '../core/sip/parser';
import type { Endpoint, Finding, LineMapEntry, Problem, Severity, SipMessage, Span, Timestamp, TraceMessage, TransportName } from '../core/types';

export interface Analysis {
  format: TraceFormat | 'unknown' | undefined;
  /** Every SIP message, in the order found; `messages[i].index === i`. */
  messages: TraceMessage[];
  problems: Problem[];
  exchanges: ExchangeSummary[];
  findings: Finding[];
  bytes: number;
  elapsedMs: number;
}

/** Called between chunks with the bytes read so far and the total. */
export type ProgressFn = (done: number, total: number) => void;

/** Bytes handed to the reader at a time (progress is reported between chunks). */
const CHUNK_BYTES = 1 << 20;

/** Analyses the whole trace held in `bytes` (a capture or the UTF-8 text of a log). */
export function analyzeBytes(bytes: Uint8Array, settings: Settings = {}, onProgress?: ProgressFn): Analysis {
  const started = Date.now();
  const messages: TraceMessage[] = [];
  const problems: Problem[] = [];
  const checker = new RegisterChecker(resolveSettings(settings));
  const reader = new TraceReader({
    message: (m) => {
      messages.push(m);
      checker.add(m);
    },
    problem: (p) => problems.push(p),
  });
  for (let o = 0; o < bytes.length; o += CHUNK_BYTES) {
    reader.push(bytes.subarray(o, Math.min(bytes.length, o + CHUNK_BYTES)));
    onProgress?.(Math.min(bytes.length, o + CHUNK_BYTES), bytes.length);
  }
  reader.end();
  const { exchanges, findings } = checker.end();
  return { format: reader.format, messages, problems, exchanges, findings, bytes: reader.bytesRead, elapsedMs: Date.now() - started };
}

// ---------------------------------------------------------------------------------------------
// Captures in parts: analysed in the worker, handed to the host a few hundred messages at a time
// ---------------------------------------------------------------------------------------------

/** What a capture's analysis found since the previous part (messages in capture order). */
export interface CapturePart {
  messages: TraceMessage[];
  /** Final findings (the checker's streaming mode), on these or earlier messages. */
  findings: Finding[];
  problems: Problem[];
  /**
   * Exchange summaries (only in the parts after the last message: the checker knows them once
   * the capture ends; a large capture has ~50k, sent a few thousand at a time).
   */
  exchanges?: ExchangeSummary[];
}

/**
 * A captured message as a capture part carries it to the host: everything but the parse tree,
 * its text instead. A parsed message is a few hundred objects (headers, values, parameters, each
 * with its spans); the host keeps every message of the capture but reads few parse trees (the
 * summary's first rows, a quick fix, the templates on one flow), and each object it keeps makes
 * every young-generation GC of the extension host slower: with whole parse trees, 100k messages
 * cost ~50 ms pauses every few hundred ms while a 200 MB capture streamed in.
 */
export type WireMessage = Omit<TraceMessage, 'sip'> & { sipText: string };
/** A message in a capture part: a WireMessage, or (messages of a text log) the whole message. */
export type PartMessage = TraceMessage | WireMessage;

/** The wire form of a message (messages of a text log, parsed with the log's octets, go whole). */
export function toWireMessage(m: TraceMessage): PartMessage {
  if (m.line !== undefined || m.lineMap !== undefined) return m;
  const { sip, ...rest } = m;
  return { ...rest, sipText: sip.text };
}

/**
 * Makes the host's copies of the values many messages and findings share one object each: a
 * structured clone gives every message its own endpoint objects and address strings, and every
 * finding its own rule id and severity strings (a 200 MB capture: ~200k endpoints, ~180k
 * strings), each kept while the capture is open and each one more object for the extension
 * host's garbage collector to go through. One per capture being read; bounded.
 */
export class WireInterner {
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly strings = new Map<string, string>();

  endpoint(e: Endpoint | undefined): Endpoint | undefined {
    if (e === undefined) return undefined;
    const key = `${e.port} ${e.ip}`;
    const known = this.endpoints.get(key);
    if (known) return known;
    if (this.endpoints.size < MAX_INTERNED) this.endpoints.set(key, e);
    return e;
  }

  string<T extends string>(s: T): T {
    const known = this.strings.get(s);
    if (known !== undefined) return known as T;
    if (this.strings.size < MAX_INTERNED) this.strings.set(s, s);
    return s;
  }

  /**
   * The finding with its rule id, severity and messages shared with the findings before it (a
   * 200 MB capture: 88k findings say 10k different things; their 27k related notes say 7).
   */
  finding(f: Finding): Finding {
    f.ruleId = this.string(f.ruleId);
    f.severity = this.string(f.severity);
    f.message = this.string(f.message);
    if (f.related) for (const r of f.related) r.message = this.string(r.message);
    return f;
  }
}

/** Values of each kind an interner keeps at most (beyond, values are not shared). */
const MAX_INTERNED = 1 << 16;

/** The host's message for a part's message. */
export function fromWireMessage(m: PartMessage, interner?: WireInterner): TraceMessage {
  return 'sipText' in m ? new CapturedMessage(m, interner) : m;
}

/** Where a captured message's text can be read back (the decoded view it was rendered into). */
export interface MessageTextSource {
  /** The text of the message whose `index` is `index`. */
  messageText(index: number): string;
}

/**
 * A captured message whose parse tree is rebuilt from its text on first use: the text is
 * `latin1` of the captured bytes and the parser is deterministic, so `sip` equals what the
 * worker's reader built (`traceMessageFromPdu`, header values validated). Once the message is
 * rendered into a decoded view, it gives its own copy of the text up and reads it back from the
 * view (`readTextFrom`): the host keeps each captured message's text once.
 */
export class CapturedMessage implements TraceMessage {
  readonly index: number;
  readonly frame?: number;
  readonly fileOffset?: number;
  readonly transport: TransportName;
  readonly src?: Endpoint;
  readonly dst?: Endpoint;
  /**
   * `frames` when the message took more than one frame; `ts` as two numbers: objects kept per
   * message are what the host's young-generation GC goes through while a capture streams in.
   */
  private readonly multiFrames: number[] | undefined;
  private readonly oneFrame: boolean;
  private readonly tsSec: number | undefined;
  private readonly tsNsec: number;
  /** The text, until a decoded view holds it (then `source`). */
  private text: string | undefined;
  private source: MessageTextSource | undefined;
  private parsed: SipMessage | undefined;

  constructor(w: WireMessage, interner?: WireInterner) {
    this.index = w.index;
    this.frame = w.frame;
    this.oneFrame = w.frames !== undefined && w.frames.length === 1 && w.frames[0] === w.frame;
    this.multiFrames = this.oneFrame ? undefined : w.frames;
    this.fileOffset = w.fileOffset;
    this.tsSec = w.ts?.sec;
    this.tsNsec = w.ts?.nsec ?? 0;
    this.transport = interner ? interner.string(w.transport) : w.transport;
    this.src = interner ? interner.endpoint(w.src) : w.src;
    this.dst = interner ? interner.endpoint(w.dst) : w.dst;
    this.text = w.sipText;
  }

  /** Every frame that contributed bytes (a new array when it is the one frame `frame`). */
  get frames(): number[] | undefined {
    return this.oneFrame ? [this.frame!] : this.multiFrames;
  }

  get ts(): Timestamp | undefined {
    return this.tsSec === undefined ? undefined : { sec: this.tsSec, nsec: this.tsNsec };
  }

  /** The message's SIP text (latin1 of its bytes). */
  get sipText(): string {
    return this.text ?? this.source!.messageText(this.index);
  }

  /** The message holds its own copy of its text. */
  get ownsText(): boolean {
    return this.text !== undefined;
  }

  /** From now on the text is read from `source` (which must give exactly the same text). */
  readTextFrom(source: MessageTextSource): void {
    this.source = source;
    this.text = undefined;
  }

  get sip(): SipMessage {
    return (this.parsed ??= parseSipMessage(this.sipText));
  }

  /**
   * The message with a parse tree for listing it (start line, Call-ID, CSeq): built without
   * validating header values (a third of the cost) and not kept.
   */
  forListing(): TraceMessage {
    const sip = this.parsed ?? parseSipMessage(this.sipText, { validate: false });
    return { index: this.index, frame: this.frame, frames: this.frames, fileOffset: this.fileOffset, ts: this.ts, transport: this.transport, src: this.src, dst: this.dst, sip };
  }

  /** JSON (and anything that copies own properties) sees a plain TraceMessage. */
  toJSON(): TraceMessage {
    return { index: this.index, frame: this.frame, frames: this.frames, fileOffset: this.fileOffset, ts: this.ts, transport: this.transport, src: this.src, dst: this.dst, sip: this.sip };
  }
}

/** A message's SIP text, without building its parse tree when it has none yet. */
export function sipTextOf(m: TraceMessage): string {
  return m instanceof CapturedMessage ? m.sipText : m.sip.text;
}

/** The rest of a capture's analysis, known once the whole capture is read. */
export interface CaptureEnd {
  format: Analysis['format'];
  exchanges: ExchangeSummary[];
  bytes: number;
  elapsedMs: number;
}

/** The order of `Analysis.findings` (the core checker's: message, position, rule id). */
export function compareFindings(a: Finding, b: Finding): number {
  return a.messageIndex - b.messageIndex || a.span.start - b.span.start || a.ruleId.localeCompare(b.ruleId);
}

/**
 * A capture analysed as its bytes come: `push` bytes, `take` what was found so far, `end` once.
 * Findings come from the checker's streaming mode (final as soon as no later message can change
 * them), so a part can be shown at once.
 */
export class CaptureAnalysis {
  private messages: TraceMessage[] = [];
  private findings: Finding[] = [];
  private problems: Problem[] = [];
  private readonly checker: RegisterChecker;
  private readonly reader: TraceReader;
  private readonly started = Date.now();

  /** `packedRecords`: where the checker keeps quiet AORs' packed state (default: memory). */
  constructor(settings: Settings = {}, packedRecords?: PackedRecordStore) {
    this.checker = new RegisterChecker(resolveSettings(settings), undefined, {
      findings: (batch) => {
        for (const f of batch) this.findings.push(f);
      },
      packedRecords,
    });
    this.reader = new TraceReader({
      message: (m) => {
        this.messages.push(m);
        this.checker.add(m);
      },
      problem: (p) => this.problems.push(p),
    });
  }

  push(bytes: Uint8Array): void {
    this.reader.push(bytes);
  }

  /** Messages and findings found since the last `take`. */
  get pendingMessages(): number {
    return this.messages.length;
  }

  get pendingItems(): number {
    return this.messages.length + this.findings.length + this.problems.length;
  }

  /** What was found since the last `take` (undefined: nothing). */
  take(): CapturePart | undefined {
    if (this.pendingItems === 0) return undefined;
    const part: CapturePart = { messages: this.messages, findings: this.findings, problems: this.problems };
    this.messages = [];
    this.findings = [];
    this.problems = [];
    return part;
  }

  /** Ends the capture; what it settles is left for `take`. */
  end(): CaptureEnd {
    this.reader.end();
    const { exchanges } = this.checker.end();
    return { format: this.reader.format, exchanges, bytes: this.reader.bytesRead, elapsedMs: Date.now() - this.started };
  }
}

/** Puts the parts of a capture's analysis together into the `Analysis` analyzeBytes gives. */
export class AnalysisBuilder {
  readonly messages: TraceMessage[] = [];
  /** Findings in the checker's order, as they came (nearly all of them). */
  private readonly inOrder: Finding[] = [];
  /** Findings that came after a later one: expectations closed by time or by the end. */
  private readonly late: Finding[] = [];
  readonly problems: Problem[] = [];

  add(part: CapturePart): void {
    // One push per item: spreading tens of thousands of arguments overflows the stack.
    for (const m of part.messages) this.messages.push(m);
    for (const f of part.findings) {
      const last = this.inOrder[this.inOrder.length - 1];
      (last === undefined || compareFindings(last, f) <= 0 ? this.inOrder : this.late).push(f);
    }
    for (const p of part.problems) this.problems.push(p);
    if (part.exchanges) for (const e of part.exchanges) this.exchanges.push(e);
  }

  /** Exchanges that came in parts (those of the end, if any, follow them). */
  private readonly exchanges: ExchangeSummary[] = [];

  finish(end: CaptureEnd): Analysis {
    // The checker's order (its stable sort) by merging the few late findings into the rest:
    // sorting ~100k findings on the extension host's thread would hold it for tens of ms.
    const late = this.late.sort(compareFindings);
    let findings = this.inOrder;
    if (late.length > 0) {
      findings = [];
      let i = 0;
      for (const f of this.inOrder) {
        while (i < late.length && compareFindings(late[i], f) < 0) findings.push(late[i++]);
        findings.push(f);
      }
      while (i < late.length) findings.push(late[i++]);
    }
    let exchanges = end.exchanges;
    if (this.exchanges.length > 0) {
      for (const e of end.exchanges) this.exchanges.push(e);
      exchanges = this.exchanges;
    }
    return { format: end.format, messages: this.messages, problems: this.problems, exchanges, findings, bytes: end.bytes, elapsedMs: end.elapsedMs };
  }
}

/** Analyses the text of a log as the CLI would read the file: UTF-8 bytes through the core. */
export function analyzeText(text: string, settings: Settings = {}): Analysis {
  return analyzeBytes(new TextEncoder().encode(text), settings);
}

// ---------------------------------------------------------------------------------------------
// Logs: results placed on document lines
// ---------------------------------------------------------------------------------------------

/** 0-based [startLine, startCharacter, endLine, endCharacter], as the editor counts. */
export type LineRange = [number, number, number, number];

export interface LocatedFinding {
  ruleId: string;
  severity: Severity;
  message: string;
  messageIndex: number;
  /** The finding's span in its message's text (to re-find the item a quick fix edits). */
  span: Span;
  range: LineRange;
  related?: { messageIndex: number; range: LineRange; message: string }[];
}

/** Where one message of a log lies: 0-based document lines of its first and last line. */
export interface MessageLines {
  startLine: number;
  endLine: number;
}

export interface LogCheckData {
  format: TraceFormat | 'unknown' | undefined;
  messages: MessageLines[];
  findings: LocatedFinding[];
  problems: Problem[];
  exchanges: ExchangeSummary[];
  bytes: number;
  elapsedMs: number;
}

/** Place in the log of a span of a message, from the message's line map (core/locate.ts). */
function rangeIn(m: { lineMap?: LineMapEntry[] }, span: Span): LineRange | undefined {
  const s = logPosition(m as TraceMessage, span.start);
  if (!s) return undefined;
  const e = logPosition(m as TraceMessage, Math.max(span.start, span.end)) ?? s;
  const start: LineRange = [s.line - 1, s.column - 1, e.line - 1, e.column - 1];
  if (start[2] < start[0] || (start[2] === start[0] && start[3] < start[1])) return [start[0], start[1], start[0], start[1]];
  return start;
}

function messageLines(m: { line?: number; lineMap?: LineMapEntry[] }): MessageLines {
  const map = m.lineMap ?? [];
  const first = map.length ? map[0].line : (m.line ?? 1);
  const last = map.length ? map[map.length - 1].line : first;
  return { startLine: first - 1, endLine: last - 1 };
}

/** Places the findings of a log analysis on document lines (findings whose message has no line map are dropped). */
export function locateFindings(findings: readonly Finding[], messages: readonly { lineMap?: LineMapEntry[] }[]): LocatedFinding[] {
  const out: LocatedFinding[] = [];
  for (const f of findings) {
    const m = messages[f.messageIndex];
    const range = m && rangeIn(m, f.span);
    if (!range) continue;
    const lf: LocatedFinding = { ruleId: f.ruleId, severity: f.severity, message: f.message, messageIndex: f.messageIndex, span: f.span, range };
    const related: NonNullable<LocatedFinding['related']> = [];
    for (const r of f.related ?? []) {
      const rm = messages[r.messageIndex];
      const rr = rm && rangeIn(rm, r.span);
      if (rr) related.push({ messageIndex: r.messageIndex, range: rr, message: r.message });
    }
    if (related.length) lf.related = related;
    out.push(lf);
  }
  return out;
}

/** The located form of a full analysis of a log (in-process checks). */
export function locateLog(a: Analysis): LogCheckData {
  return {
    format: a.format,
    messages: a.messages.map(messageLines),
    findings: locateFindings(a.findings, a.messages),
    problems: a.problems,
    exchanges: a.exchanges,
    bytes: a.bytes,
    elapsedMs: a.elapsedMs,
  };
}

/**
 * Checks a log keeping only what LogCheckData needs: each message's line map is kept, its parsed
 * text is dropped as soon as the checker has seen it, so memory and the result stay small for a
 * large log (what the worker runs). The log comes as UTF-8 chunks (cut anywhere).
 */
export function checkLogChunks(chunks: readonly Uint8Array[], settings: Settings = {}, onProgress?: ProgressFn): LogCheckData {
  const started = Date.now();
  const maps: { line?: number; lineMap?: LineMapEntry[] }[] = [];
  const problems: Problem[] = [];
  const checker = new RegisterChecker(resolveSettings(settings));
  const reader = new TraceReader({
    message: (m) => {
      maps.push({ line: m.line, lineMap: m.lineMap });
      checker.add(m);
    },
    problem: (p) => problems.push(p),
  });
  const total = chunks.reduce((n, c) => n + c.length, 0);
  let done = 0;
  for (const chunk of chunks) {
    for (let o = 0; o < chunk.length; o += CHUNK_BYTES) {
      const part = chunk.subarray(o, Math.min(chunk.length, o + CHUNK_BYTES));
      reader.push(part);
      done += part.length;
      onProgress?.(done, total);
    }
  }
  reader.end();
  const { exchanges, findings } = checker.end();
  return {
    format: reader.format,
    messages: maps.map(messageLines),
    findings: locateFindings(findings, maps),
    problems,
    exchanges,
    bytes: reader.bytesRead,
    elapsedMs: Date.now() - started,
  };
}

/** checkLogChunks on a string (in place, when no worker is available). */
export function checkLogText(text: string, settings: Settings = {}, onProgress?: ProgressFn): LogCheckData {
  return checkLogChunks([new TextEncoder().encode(text)], settings, onProgress);
}
