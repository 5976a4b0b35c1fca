/**
 * Finds SIP messages in text logs, streaming: bytes go in through `push`, lines are split as
 * they come, and each message is handed to the sink as soon as its last line is read. Only the
 * lines of the message being read are kept, and every line is cut to `maxLineLength`, so memory
 * stays bounded whatever the input (a 200 MB log on a single line, random bytes).
 *
 * How a message is found (see markers.ts for the tools' own lines):
 * 1. A marker line of a known tool ("<--- Received SIP request ...", "recv N bytes from ...",
 *    "UDP message sent (N bytes):", ...) announces a message; its start line follows, after at
 *    most a few empty or separator lines.
 * 2. Otherwise any SIP start line followed by a header-looking line is a message: at column 1
 *    (a plain dump, or a log that writes the message bare under its own log line) or after a
 *    prefix (time stamp, level, indent) that the following lines repeat.
 * 3. tshark text output is rebuilt from its dissection tree (tshark.ts); syslog lines whose
 *    line breaks were escaped as "#015#012" (rsyslog) give a message on one log line.
 *
 * Where a message ends: after the empty line that ends its header section and a body of
 * Content-Length bytes (RFC 3261 §18.3; counted as the UTF-8 bytes of each body line plus CRLF);
 * or at a separator or closing line, a new marker, a line without the message's prefix, or (for
 * lines written bare, when the length is unknown) the next log record. The text handed on is
 * made of the log's own line texts (prefix removed) each followed by CRLF, except a last body
 * line that Content-Length shows to end without a line break.
 */
import { ansiBounds, contentLengthOf, findStartLine, isBinaryLine, isBlank, isContinuation, isDelimiterLine, isHeaderLike, isSeparatorLine, looksLikeLogRecord, makePrefixMatcher, SIPP_SEPARATOR, utf8Length } from './text';
import type { PrefixMatcher } from './text';
import { detectMarker, guessDialect } from './markers';
import type { MarkerContext } from './markers';
import { LogClock, epochTimestamp, timestampOf } from './time';
import { TsharkAssembler } from './tshark';
import type { RebuiltLine } from './tshark';
import { endpointOf, transportName } from './address';
import type { LogMeta, LogReaderOptions, LogSink } from './types';
import type { LineMapEntry, Problem, Timestamp } from '../types';

const MiB = 1024 * 1024;

/**
 * What a line may hold, known from the chunk it was cut from: searching a 1 MiB chunk once for
 * ESC and "<---" spares a search of each of its lines (the marker check runs on every line).
 */
const LINE_MAY_HOLD_ESC = 1;
const LINE_MAY_HOLD_ARROW = 2;
const LINE_MAY_HOLD_ALL = LINE_MAY_HOLD_ESC | LINE_MAY_HOLD_ARROW;

/** A message being read. */
interface Frame {
  format: string;
  meta: LogMeta;
  /** Announced by a marker line (true) or found by its start line alone (false). */
  fromMarker: boolean;
  state: 'sipdump-meta' | 'await-start' | 'headers' | 'body';
  /** Empty or separator lines still allowed between a marker and the start line. */
  budget: number;
  /** The prefix of the start line, until the second line shows whether the others repeat it. */
  prefixCandidate?: PrefixMatcher;
  modeDecided: boolean;
  /** The prefix every line of this message repeats; undefined when they are written bare. */
  prefix?: PrefixMatcher;
  /** A message found by its start line alone is kept only if a header-looking line follows. */
  confirmed: boolean;
  startLine: number;
  texts: string[];
  map: LineMapEntry[];
  textLength: number;
  /** Index in `texts` of the empty line ending the header section. */
  headerEnd: number;
  contentLength?: number;
  bodyBytes: number;
  oversize: boolean;
  /** Kamailio sipdump: fields of the record header. */
  dump?: { srcip?: string; srcport?: string; dstip?: string; dstport?: string };
}

/** rsyslog escapes control characters as '#' + 3 octal digits: CR LF = "#015#012". */
const SYSLOG_BREAK = /(?:#015)?#012/g;

class Engine {
  private frame?: Frame;
  private readonly clock = new LogClock();
  /** One context for every detectMarker call (no object per line); sippTs is set around idle's call. */
  private readonly markerCtx: MarkerContext = { clock: this.clock, sippTs: undefined };
  private readonly tshark: TsharkAssembler;
  private prevContent = '';
  private prevLine = 0;
  private sippTs?: { ts: Timestamp; line: number };
  private sipdumpEq = 0;
  private binaryFrom = 0;
  private binaryTo = 0;
  /**
   * A marker's message that ended exactly at its Content-Length: a start line right after it is
   * the next message of the same read (several messages in one TCP segment or WebSocket read),
   * with the same dialect, addresses and time.
   */
  private follow?: { line: number; format: string; meta: LogMeta };

  constructor(
    private readonly sink: LogSink,
    private readonly maxMessage: number,
  ) {
    this.tshark = new TsharkAssembler(
      (lines, meta) => this.emitRebuilt(lines, meta),
      (p) => this.sink.problem(p),
    );
  }

  /**
   * `hints` (LINE_* bits) says what the chunk the line was cut from may hold; a line pieced
   * together from several chunks gets them all.
   */
  line(raw: string, lineNo: number, hints = LINE_MAY_HOLD_ALL): void {
    this.markerCtx.noArrow = (hints & LINE_MAY_HOLD_ARROW) === 0;
    let content = raw;
    let start = 0;
    if ((hints & LINE_MAY_HOLD_ESC) !== 0 && raw.indexOf('\x1b') >= 0) {
      const b = ansiBounds(raw);
      start = b.start;
      if (b.start !== 0 || b.end !== raw.length) content = raw.slice(b.start, b.end);
    }
    if (this.tshark.active && this.tshark.line(content, lineNo)) return;
    if (this.frame && this.frameLine(content, start, lineNo)) return;
    this.idle(content, start, lineNo);
  }

  finish(): void {
    this.tshark.finish();
    if (this.frame) this.finishFrame();
    this.flushBinary();
  }

  // ----------------------------------------------------------------------------------------
  // Outside a message
  // ----------------------------------------------------------------------------------------

  private idle(content: string, col0: number, lineNo: number): void {
    if (isBinaryLine(content)) {
      if (this.binaryTo !== lineNo - 1) this.flushBinary();
      if (this.binaryFrom === 0) this.binaryFrom = lineNo;
      this.binaryTo = lineNo;
      this.prevContent = '';
      return;
    }
    if (this.binaryFrom !== 0) this.flushBinary();
    this.clock.observe(content);
    if (this.tshark.idleLine(content, lineNo)) {
      this.remember(content, lineNo);
      return;
    }
    const ctx = this.markerCtx;
    ctx.sippTs = this.sippTs && this.sippTs.line === lineNo - 1 ? this.sippTs.ts : undefined;
    const hit = detectMarker(content, ctx);
    ctx.sippTs = undefined;
    if (hit) {
      this.frame = this.newFrame(hit.format, hit.meta, true, 'await-start', lineNo);
      this.remember(content, lineNo);
      return;
    }
    const c = content.charCodeAt(0);
    if (c === 0x2d /* - */) {
      const m = SIPP_SEPARATOR.exec(content);
      if (m) {
        this.clock.setDate(Number(m[1]), Number(m[2]), Number(m[3]));
        this.sippTs = { ts: timestampOf(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), m[7]), line: lineNo };
        this.remember(content, lineNo);
        return;
      }
    }
    // Kamailio sipdump module text files (sipdump_write.c, run here with Kamailio 5.6.3):
    // "====================" (20), "tag: rcv|snd", "key: value" lines, "~~~~~~~~~~~~~~~~~~~~",
    // the message, "||||||||||||||||||||".
    if (c === 0x3d && content === '====================') {
      this.sipdumpEq = lineNo;
      this.remember(content, lineNo);
      return;
    }
    if (this.sipdumpEq === lineNo - 1 && (content === 'tag: rcv' || content === 'tag: snd')) {
      this.frame = this.newFrame('kamailio', {}, true, 'sipdump-meta', lineNo);
      this.frame.dump = {};
      this.remember(content, lineNo);
      return;
    }
    if (content.indexOf('#012') >= 0 && this.escapedLine(content, col0, lineNo)) {
      this.remember(content, lineNo);
      return;
    }
    const pos = findStartLine(content, true);
    const lenientAtStart = pos < 0 && findStartLine(content, false) === 0;
    if (pos >= 0 || lenientAtStart) {
      const at = pos >= 0 ? pos : 0;
      const prefix = content.slice(0, at);
      const prev = this.prevLine === lineNo - 1 ? this.prevContent : '';
      const follow = this.follow?.line === lineNo - 1 ? this.follow : undefined;
      const format = follow?.format ?? guessDialect(prefix) ?? guessDialect(prev) ?? (at === 0 ? 'plain' : 'generic');
      const meta: LogMeta = follow ? { ...follow.meta } : {};
      const ts = (at > 0 ? this.clock.leading(prefix) : undefined) ?? (prev && format !== 'plain' ? this.clock.leading(prev) : undefined);
      if (ts && !follow) meta.ts = ts;
      const f = this.newFrame(format, meta, false, 'headers', lineNo);
      f.prefixCandidate = makePrefixMatcher(prefix);
      f.modeDecided = f.prefixCandidate === undefined;
      this.frame = f;
      this.add(f, content.slice(at), lineNo, col0 + at + 1);
    }
    this.remember(content, lineNo);
  }

  private remember(content: string, lineNo: number): void {
    this.prevContent = content;
    this.prevLine = lineNo;
  }

  private flushBinary(): void {
    if (this.binaryFrom === 0) return;
    const from = this.binaryFrom;
    const to = this.binaryTo;
    this.binaryFrom = this.binaryTo = 0;
    this.sink.problem({
      code: 'log-binary-data',
      severity: 'warning',
      line: from,
      column: 1,
      message: from === to ? `Line ${from} is not text (binary data); it was skipped.` : `Lines ${from}-${to} are not text (binary data); they were skipped.`,
    });
  }

  private newFrame(format: string, meta: LogMeta, fromMarker: boolean, state: Frame['state'], lineNo: number): Frame {
    return {
      format,
      meta,
      fromMarker,
      state,
      budget: 3,
      modeDecided: false,
      confirmed: fromMarker,
      startLine: lineNo,
      texts: [],
      map: [],
      textLength: 0,
      headerEnd: -1,
      bodyBytes: 0,
      oversize: false,
    };
  }

  /**
   * A syslog line carrying a whole message with its line breaks escaped (rsyslog's
   * EscapeControlCharactersOnReceive turns CR LF into "#015#012"; seen in OpenSIPS and Kamailio
   * logs). Every message line maps to the same log line at its own column.
   */
  private escapedLine(content: string, col0: number, lineNo: number): boolean {
    SYSLOG_BREAK.lastIndex = 0;
    const first = SYSLOG_BREAK.exec(content);
    if (!first) return false;
    const head = content.slice(0, first.index);
    const at = findStartLine(head, true);
    if (at < 0) return false;
    const prefix = content.slice(0, at);
    const f = this.newFrame(guessDialect(prefix) ?? 'generic', {}, false, 'headers', lineNo);
    const ts = this.clock.leading(prefix);
    if (ts) f.meta.ts = ts;
    f.modeDecided = true;
    let from = at;
    let brk: RegExpExecArray | null = first;
    let done = false;
    while (!done) {
      const to = brk ? brk.index : content.length;
      const text = content.slice(from, to);
      const col = col0 + from + 1;
      if (f.texts.length === 1 && !(isHeaderLike(text) || isContinuation(text))) return false;
      done = this.segment(f, text, lineNo, col) || !brk;
      if (brk) {
        from = brk.index + brk[0].length;
        brk = SYSLOG_BREAK.exec(content);
      }
    }
    f.confirmed = true;
    this.frame = f;
    this.finishFrame();
    return true;
  }

  /** One line of an escaped message; true when the message is complete. */
  private segment(f: Frame, text: string, lineNo: number, col: number): boolean {
    if (f.texts.length === 0) {
      this.add(f, text, lineNo, col);
      return false;
    }
    if (f.state === 'headers') {
      if (isBlank(text)) {
        this.endHeaders(f, lineNo, col);
        return f.contentLength === 0;
      }
      if (f.contentLength === undefined) f.contentLength = contentLengthOf(text);
      this.add(f, text, lineNo, col);
      return false;
    }
    this.add(f, text, lineNo, col);
    if (f.contentLength === undefined) return false;
    f.bodyBytes += utf8Length(text) + 2;
    return f.bodyBytes >= f.contentLength;
  }

  // ----------------------------------------------------------------------------------------
  // Inside a message
  // ----------------------------------------------------------------------------------------

  /** True when the line was taken; false when it ended the message and must be read anew. */
  private frameLine(content: string, col0: number, lineNo: number): boolean {
    const f = this.frame as Frame;
    if (f.state === 'sipdump-meta') return this.sipdumpMeta(f, content);
    if (f.state === 'await-start') {
      if (isBlank(content) || isSeparatorLine(content)) {
        if (f.budget-- > 0) return true;
        this.frame = undefined;
        return false;
      }
      const pos = findStartLine(content, false);
      if (pos < 0) {
        this.frame = undefined; // a marker without SIP after it (keep-alive, MEGACO, ...)
        return false;
      }
      f.startLine = lineNo;
      f.prefixCandidate = makePrefixMatcher(content.slice(0, pos));
      f.modeDecided = f.prefixCandidate === undefined;
      f.state = 'headers';
      this.add(f, content.slice(pos), lineNo, col0 + pos + 1);
      return true;
    }

    if (!f.modeDecided) {
      const cand = f.prefixCandidate as PrefixMatcher;
      const k = cand.match(content);
      const stripped = k >= 0 ? content.slice(k) : undefined;
      if (stripped !== undefined && (isHeaderLike(stripped) || isContinuation(stripped))) f.prefix = cand;
      else if (isHeaderLike(content)) f.prefix = undefined; // only the first line had the prefix
      else if (f.fromMarker) f.prefix = stripped !== undefined ? cand : undefined;
      else {
        this.frame = undefined;
        return false;
      }
      f.modeDecided = true;
    }
    let text = content;
    let col = col0 + 1;
    if (f.prefix) {
      const k = f.prefix.match(content);
      if (k < 0) {
        this.finishFrame();
        return false;
      }
      text = content.slice(k);
      col = col0 + k + 1;
    }
    if (!f.confirmed) {
      if (!(isHeaderLike(text) || isContinuation(text))) {
        this.frame = undefined;
        return false;
      }
      f.confirmed = true;
    }
    if (isDelimiterLine(text) || this.isMarker(text)) {
      this.finishFrame();
      return false;
    }
    const bare = f.prefix === undefined;
    if (f.state === 'headers') {
      if (isBlank(text)) {
        this.endHeaders(f, lineNo, col);
        if (f.contentLength === 0) this.finishFrame(true);
        return true;
      }
      if (isHeaderLike(text)) {
        if (f.contentLength === undefined) f.contentLength = contentLengthOf(text);
      } else if (!isContinuation(text) && (findStartLine(text, false) === 0 || (bare && looksLikeLogRecord(text)))) {
        this.finishFrame();
        return false;
      }
      // Header lines, folded lines and lines the parser will find malformed all stay.
      this.add(f, text, lineNo, col);
      return true;
    }
    // Body.
    if (f.contentLength !== undefined) {
      this.add(f, text, lineNo, col);
      f.bodyBytes += utf8Length(text) + 2;
      if (f.bodyBytes >= f.contentLength) this.finishFrame(true);
      return true;
    }
    if (findStartLine(text, false) === 0 || (bare && looksLikeLogRecord(text))) {
      this.finishFrame();
      return false;
    }
    this.add(f, text, lineNo, col);
    return true;
  }

  private isMarker(text: string): boolean {
    return text.length >= 8 && detectMarker(text, this.markerCtx) !== undefined;
  }

  private sipdumpMeta(f: Frame, content: string): boolean {
    if (content === '~~~~~~~~~~~~~~~~~~~~') {
      const d = f.dump ?? {};
      if (d.srcip && d.srcport) {
        const ep = endpointOf(d.srcip, d.srcport);
        if (ep) f.meta.src = ep;
      }
      if (d.dstip && d.dstport) {
        const ep = endpointOf(d.dstip, d.dstport);
        if (ep) f.meta.dst = ep;
      }
      f.state = 'await-start';
      f.budget = 0;
      return true;
    }
    const kv = /^([a-z]+): (.*)$/.exec(content);
    if (!kv) {
      this.frame = undefined;
      return false;
    }
    const [, key, value] = kv;
    const d = (f.dump ??= {});
    if (key === 'time') {
      const t = /^(\d+)\.?(\d*)$/.exec(value);
      if (t) f.meta.ts = epochTimestamp(t[1], t[2]);
    } else if (key === 'proto') {
      f.meta.transport = transportName(value.split(' ')[0]);
    } else if (key === 'srcip' || key === 'srcport' || key === 'dstip' || key === 'dstport') {
      d[key] = value;
    }
    return true;
  }

  private endHeaders(f: Frame, lineNo: number, col: number): void {
    f.headerEnd = f.texts.length;
    this.add(f, '', lineNo, col);
    f.state = 'body';
  }

  private add(f: Frame, text: string, line: number, column: number): void {
    if (f.oversize) return;
    if (f.textLength + text.length + 2 > this.maxMessage) {
      f.oversize = true;
      this.sink.problem({
        code: 'log-message-too-large',
        severity: 'warning',
        line,
        column,
        message: `The SIP message starting at line ${f.startLine} is larger than ${this.maxMessage} bytes; it is read only up to line ${line}.`,
      });
      return;
    }
    f.map.push({ textOffset: f.textLength, line, column });
    f.texts.push(text);
    f.textLength += text.length + 2;
  }

  /** Emits the message being read; `complete` when it ended at its Content-Length. */
  private finishFrame(complete = false): void {
    const f = this.frame;
    this.frame = undefined;
    this.follow = undefined;
    if (!f || !f.confirmed || f.texts.length === 0 || f.state === 'await-start' || f.state === 'sipdump-meta') return;
    if (complete && f.fromMarker) {
      this.follow = { line: f.map[f.map.length - 1].line, format: f.format, meta: f.meta };
    }
    if (f.state === 'body' && f.contentLength === undefined) {
      // With no Content-Length the body ran to whatever came next: drop the blank lines before it.
      while (f.texts.length > f.headerEnd + 1 && isBlank(f.texts[f.texts.length - 1])) {
        f.texts.pop();
        f.map.pop();
      }
    }
    this.emit(f.texts, f.map, f.format, f.meta, bodyEndsWithoutBreak(f.contentLength, f.bodyBytes));
  }

  private emitRebuilt(lines: RebuiltLine[], meta: LogMeta): void {
    const texts: string[] = [];
    const map: LineMapEntry[] = [];
    let offset = 0;
    let contentLength: number | undefined;
    let bodyBytes = -1;
    for (const l of lines) {
      if (bodyBytes >= 0) bodyBytes += utf8Length(l.text) + 2;
      else if (l.text === '') bodyBytes = 0;
      else if (contentLength === undefined) contentLength = contentLengthOf(l.text);
    }
    for (const l of lines) {
      if (offset + l.text.length + 2 > this.maxMessage) {
        this.sink.problem({
          code: 'log-message-too-large',
          severity: 'warning',
          line: l.line,
          column: l.column,
          message: `The SIP message starting at line ${lines[0].line} is larger than ${this.maxMessage} bytes; it is read only up to line ${l.line}.`,
        });
        break;
      }
      map.push({ textOffset: offset, line: l.line, column: l.column });
      texts.push(l.text);
      offset += l.text.length + 2;
    }
    this.emit(texts, map, 'tshark', meta, texts.length === lines.length && bodyEndsWithoutBreak(contentLength, bodyBytes));
  }

  /** `noFinalBreak`: the last body line is not followed by CRLF (see bodyEndsWithoutBreak). */
  private emit(texts: string[], map: LineMapEntry[], format: string, meta: LogMeta, noFinalBreak = false): void {
    if (texts.length === 0) return;
    // The final CRLF comes from an empty last element: join gives one flat string, where a
    // `+ '\r\n'` would give a cons string that the parser's first read must flatten again.
    if (!noFinalBreak) texts.push('');
    const text = texts.join('\r\n');
    this.sink.message({ text, line: map[0].line, lineMap: map, format, ...meta });
  }
}

/**
 * A log shows lines, not line breaks, so each message line is given CRLF. When the body's lines
 * with their CRLF come to exactly Content-Length + 2, the body ended without a line break (as
 * "Hello world!" with Content-Length: 12 does): the CRLF added after it is not part of the
 * message (RFC 3261 §18.3, §20.14) and is left out.
 */
function bodyEndsWithoutBreak(contentLength: number | undefined, bodyBytes: number): boolean {
  return contentLength !== undefined && contentLength > 0 && bodyBytes - contentLength === 2;
}

/**
 * Reads a text log pushed in chunks of bytes (UTF-8; a BOM is skipped; bytes that are not UTF-8
 * become U+FFFD) and hands each SIP message found to `sink.message`, and anything odd to
 * `sink.problem`. Lines end at LF, CRLF or CR. Line and column numbers are 1-based; columns
 * count UTF-16 code units, as editors do.
 */
export class LogReader {
  private readonly decoder = new TextDecoder('utf-8');
  private readonly engine: Engine;
  private readonly maxLine: number;
  private pending = '';
  private cut = false;
  private skipLF = false;
  private lineNo = 0;
  private ended = false;

  constructor(
    private readonly sink: LogSink,
    opts: LogReaderOptions = {},
  ) {
    this.maxLine = Math.max(1, opts.maxLineLength ?? MiB);
    this.engine = new Engine(sink, Math.max(64, opts.maxMessageBytes ?? MiB));
  }

  push(chunk: Uint8Array): void {
    if (this.ended || chunk.length === 0) return;
    this.feed(this.decoder.decode(chunk, { stream: true }));
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.feed(this.decoder.decode());
    if (this.pending.length > 0 || this.cut) this.endLine();
    this.engine.finish();
  }

  private feed(s: string): void {
    let i = 0;
    const n = s.length;
    if (n === 0) return;
    if (this.skipLF) {
      this.skipLF = false;
      if (s.charCodeAt(0) === 10) i = 1;
    }
    // Line breaks are found with indexOf (much cheaper than a global /[\r\n]/ regex); the next
    // CR and LF are each searched once and reused until the scan passes them.
    let lf = -2;
    let cr = -2;
    const hints = (s.indexOf('\x1b', i) >= 0 ? LINE_MAY_HOLD_ESC : 0) | (s.indexOf('<---', i) >= 0 ? LINE_MAY_HOLD_ARROW : 0);
    while (i < n) {
      if (lf !== -1 && lf < i) lf = s.indexOf('\n', i);
      if (cr !== -1 && cr < i) cr = s.indexOf('\r', i);
      const j = lf < 0 ? cr : cr < 0 || lf < cr ? lf : cr;
      if (j < 0) {
        this.append(s, i, n);
        return;
      }
      if (this.pending.length === 0 && !this.cut && j - i <= this.maxLine) {
        this.engine.line(s.slice(i, j), ++this.lineNo, hints); // the whole line is in this chunk: no copy into `pending`
      } else {
        this.append(s, i, j);
        this.endLine();
      }
      if (j !== cr) i = j + 1;
      else if (j + 1 < n) i = s.charCodeAt(j + 1) === 10 ? j + 2 : j + 1;
      else {
        this.skipLF = true; // CR at the end of a chunk: an LF may start the next one
        i = n;
      }
    }
  }

  private append(s: string, from: number, to: number): void {
    if (from >= to) return;
    const room = this.maxLine - this.pending.length;
    if (room <= 0) {
      this.cut = true;
      return;
    }
    if (to - from > room) {
      to = from + room;
      this.cut = true;
    }
    this.pending = this.pending.length === 0 && from === 0 && to === s.length ? s : this.pending + s.slice(from, to);
  }

  private endLine(): void {
    const line = ++this.lineNo;
    const text = this.pending;
    this.pending = '';
    if (this.cut) {
      this.cut = false;
      const p: Problem = {
        code: 'log-line-too-long',
        severity: 'warning',
        line,
        column: this.maxLine + 1,
        message: `Line ${line} is longer than ${this.maxLine} characters; only its first ${this.maxLine} characters are read.`,
      };
      this.sink.problem(p);
    }
    this.engine.line(text, line);
  }
}
