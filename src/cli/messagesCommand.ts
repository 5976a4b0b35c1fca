/**
 * `sip-inspect messages <files...> [--json]`: every SIP message and every problem met.
 *
 * `writeMessages` streams: a message is summarised and written as it is read, so memory does not
 * grow with the file (a 1 GB capture holds hundreds of thousands of messages). The output is
 * byte for byte what rendering the whole result at once gives (`renderMessagesText`,
 * `JSON.stringify(messagesJson(r), null, 2)`). The text table aligns its columns over all rows
 * and its first line counts them, so a file with more than TEXT_ROWS_IN_MEMORY messages is read
 * twice: once to count and measure, once to print.
 */
import { once } from 'events';
import * as fs from 'fs';
import { formatProblemLocation, summarizeMessage, type MessageSummary } from '../core/present';
import { countProblems } from '../core/problemLimit';
import type { TraceFormat } from '../core/trace';
import type { Problem, TraceMessage } from '../core/types';
import { readTraceFile } from './files';
import { readTraceFileFast } from './parallelRead';

export interface MessagesFileResult {
  file: string;
  format: string;
  messages: MessageSummary[];
  problems: Problem[];
  /** The file could not be read at all (missing, unreadable, unknown format). */
  unreadable: boolean;
}

export async function listMessages(file: string): Promise<MessagesFileResult> {
  const messages: MessageSummary[] = [];
  const problems: Problem[] = [];
  try {
    const r = await readTraceFile(file, {
      message: (m) => messages.push(summarizeMessage(m)),
      problem: (p) => problems.push(p),
    });
    const format = r.format ?? 'unknown';
    return { file, format, messages, problems, unreadable: format === 'unknown' };
  } catch (e) {
    problems.push({ code: 'read-error', message: `Cannot read the file: ${(e as Error).message}`, severity: 'error' });
    return { file, format: 'unknown', messages, problems, unreadable: true };
  }
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** Columns wider than this are not padded further (a long Call-ID just sticks out). */
const MAX_COLUMN_WIDTH = 48;

function textHeadline(file: string, format: string, messages: number, problems: number): string {
  return `${file}: ${format}, ${messages} SIP message${messages === 1 ? '' : 's'}, ${problems} problem${problems === 1 ? '' : 's'}`;
}

function columnTitles(isLog: boolean): string[] {
  return [isLog ? 'line' : 'frame', 'time', 'transport', 'source -> destination', 'message', 'Call-ID', 'CSeq'];
}

function textRow(m: MessageSummary, isLog: boolean): string[] {
  return [
    String(isLog ? m.line ?? '' : m.frame ?? ''),
    m.time ?? '',
    m.transport,
    m.src || m.dst ? `${m.src ?? '?'} -> ${m.dst ?? '?'}` : '',
    m.method ?? (m.status !== undefined ? String(m.status) : '?'),
    m.callId ?? '',
    m.cseq ?? '',
  ];
}

function initialWidths(isLog: boolean): number[] {
  return columnTitles(isLog).map((h) => Math.min(MAX_COLUMN_WIDTH, h.length));
}

function widen(widths: number[], row: string[]): void {
  for (let i = 0; i < row.length; i++) if (row[i].length > widths[i]) widths[i] = Math.min(MAX_COLUMN_WIDTH, row[i].length);
}

function textLine(cells: string[], widths: number[]): string {
  return '  ' + cells.map((c, i) => pad(c, widths[i])).join('  ').trimEnd();
}

function problemLine(p: Problem): string {
  return `  ${p.severity} ${p.code} (${formatProblemLocation(p)}): ${p.message}`;
}

export function renderMessagesText(r: MessagesFileResult): string {
  const out: string[] = [];
  out.push(textHeadline(r.file, r.format, r.messages.length, countProblems(r.problems)));
  const isLog = r.format === 'log';
  const rows = r.messages.map((m) => textRow(m, isLog));
  const widths = initialWidths(isLog);
  for (const row of rows) widen(widths, row);
  if (rows.length) {
    out.push(textLine(columnTitles(isLog), widths));
    for (const row of rows) out.push(textLine(row, widths));
  }
  for (const p of r.problems) out.push(problemLine(p));
  return out.join('\n');
}

export function messagesJson(r: MessagesFileResult): object {
  return { file: r.file, format: r.format, messages: r.messages, problems: r.problems };
}

// ---------------------------------------------------------------------------------------------
// Streaming
// ---------------------------------------------------------------------------------------------

/** Rows a text listing keeps to print after one read; a longer file is read a second time. */
export const TEXT_ROWS_IN_MEMORY = 20000;

/**
 * Collects output into large writes. Standard output is written with blocking writes: Node
 * writes a pipe asynchronously, queueing in memory whatever the reader has not taken yet, and a
 * burst of findings that comes without a pause for `ready()` (the end of a capture: one summary
 * per binding) queued tens of MB. Blocking, the output waits for the reader and memory stays
 * flat. When the reader is gone (`check … | head`), the process ends quietly with 141, the
 * status of a command stopped by SIGPIPE (Node ignores the signal). Other streams (tests) are
 * written through `write`, with `ready()` waiting for 'drain'.
 */
export class OutputBuffer {
  private parts: string[] = [];
  private size = 0;
  private full = false;
  private readonly fd: number | undefined;

  constructor(private readonly stream: NodeJS.WritableStream) {
    const fd = (stream as { fd?: unknown }).fd;
    this.fd = stream === process.stdout && typeof fd === 'number' ? fd : undefined;
  }

  write(s: string): void {
    this.parts.push(s);
    this.size += s.length;
    if (this.size >= 1 << 16) this.flush();
  }

  flush(): void {
    if (this.size === 0) return;
    const chunk = this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (this.fd !== undefined) writeBlocking(this.fd, chunk);
    else if (!this.stream.write(chunk)) this.full = true;
  }

  /** Resolves once the stream takes more (pipes can be asynchronous: respect backpressure). */
  async ready(): Promise<void> {
    if (!this.full) return;
    this.full = false;
    await once(this.stream, 'drain');
  }
}

/** Exit status of a command whose output pipe closed (128 + SIGPIPE). */
export const EXIT_OUTPUT_CLOSED = 141;
const pause = new Int32Array(new SharedArrayBuffer(4));

/** Writes all of `text` to `fd`, waiting while a non-blocking pipe is full. */
function writeBlocking(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let done = 0;
  while (done < bytes.length) {
    try {
      done += fs.writeSync(fd, bytes, done, bytes.length - done);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(pause, 0, 0, 1);
        continue;
      }
      if (code === 'EPIPE') process.exit(EXIT_OUTPUT_CLOSED);
      throw e;
    }
  }
}

interface ReadOutcome {
  format: string;
  unreadable: boolean;
  problems: Problem[];
}

/**
 * Reads `file` through the trace engine in 1 MiB chunks. `onMessage` gets each message and the
 * format; header values are not validated (a listing never shows `sip.problems`).
 */
async function readMessages(file: string, onMessage: (m: TraceMessage, format: TraceFormat) => void, out: OutputBuffer): Promise<ReadOutcome> {
  const problems: Problem[] = [];
  let format: TraceFormat | 'unknown' | undefined;
  try {
    let known: TraceFormat = 'log';
    const r = await readTraceFileFast(
      file,
      { message: (m) => onMessage(m, known), problem: (p) => problems.push(p) },
      { validate: false, between: () => out.ready(), onFormat: (f) => (known = f) },
    );
    format = r.format;
  } catch (e) {
    problems.push({ code: 'read-error', message: `Cannot read the file: ${(e as Error).message}`, severity: 'error' });
    return { format: 'unknown', unreadable: true, problems };
  }
  const f = format ?? 'unknown';
  return { format: f, unreadable: f === 'unknown', problems };
}

function indentJson(value: unknown, indent: string): string {
  return JSON.stringify(value, null, 2).replace(/\n/g, '\n' + indent);
}

/**
 * `indentJson(s, indent)` for a message summary (a flat object of strings and numbers), without
 * the general pretty-printer: this runs once per message.
 */
function summaryJson(s: MessageSummary, indent: string): string {
  let out = '';
  const fields = s as unknown as Record<string, string | number | undefined>;
  for (const k in fields) {
    const v = fields[k];
    if (v === undefined) continue;
    const value = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : 'null') : jsonString(v);
    out += `${out ? ',\n' : '{\n'}${indent}  "${k}": ${value}`;
  }
  return out ? `${out}\n${indent}}` : '{}';
}

/** JSON.stringify(v), without its cost when nothing needs escaping (quote, backslash, controls, surrogates). */
function jsonString(v: string): string {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(v);
  }
  return `"${v}"`;
}

/** One file as the JSON object `messagesJson` describes, written at nesting `indent`. */
async function writeFileJson(file: string, indent: string, out: OutputBuffer): Promise<boolean> {
  const inner = indent + '  ';
  const item = inner + '  ';
  let count = 0;
  const head = (format: string): string => `{\n${inner}"file": ${JSON.stringify(file)},\n${inner}"format": ${JSON.stringify(format)},\n${inner}"messages": `;
  const r = await readMessages(file, (m, format) => {
    out.write(count++ === 0 ? `${head(format)}[\n${item}` : `,\n${item}`);
    out.write(summaryJson(summarizeMessage(m), item));
  }, out);
  out.write(count === 0 ? `${head(r.format)}[],\n` : `\n${inner}],\n`);
  out.write(`${inner}"problems": ${indentJson(r.problems, inner)}\n${indent}}`);
  return r.unreadable;
}

/** One file as `renderMessagesText` renders it, followed by an empty line. */
async function writeFileText(file: string, out: OutputBuffer): Promise<boolean> {
  let rows: string[][] | undefined = [];
  let count = 0;
  let widths: number[] | undefined;
  const first = await readMessages(file, (m, format) => {
    const isLog = format === 'log';
    const row = textRow(summarizeMessage(m), isLog);
    widths ??= initialWidths(isLog);
    widen(widths, row);
    count++;
    if (rows && rows.length < TEXT_ROWS_IN_MEMORY) rows.push(row);
    else rows = undefined;
  }, out);
  const isLog = first.format === 'log';
  out.write(textHeadline(file, first.format, count, countProblems(first.problems)) + '\n');
  if (count > 0 && widths) {
    const w = widths;
    out.write(textLine(columnTitles(isLog), w) + '\n');
    if (rows) {
      for (const row of rows) out.write(textLine(row, w) + '\n');
    } else {
      // Too many rows to keep: read again and print them with the widths measured above.
      await readMessages(file, (m) => out.write(textLine(textRow(summarizeMessage(m), isLog), w) + '\n'), out);
    }
  }
  for (const p of first.problems) out.write(problemLine(p) + '\n');
  out.write('\n');
  return first.unreadable;
}

/**
 * Writes the listing of `files` to `stream`, as text or JSON (one object, or an array of them
 * unless `single`). Returns true when a file could not be read at all.
 */
export async function writeMessages(files: string[], opts: { json: boolean; single: boolean }, stream: NodeJS.WritableStream): Promise<boolean> {
  const out = new OutputBuffer(stream);
  let unreadable = false;
  if (!opts.json) {
    for (const file of files) if (await writeFileText(file, out)) unreadable = true;
  } else if (opts.single && files.length === 1) {
    unreadable = await writeFileJson(files[0], '', out);
    out.write('\n');
  } else if (files.length === 0) {
    out.write('[]\n');
  } else {
    out.write('[\n');
    for (let i = 0; i < files.length; i++) {
      out.write(i === 0 ? '  ' : ',\n  ');
      if (await writeFileJson(files[i], '  ', out)) unreadable = true;
    }
    out.write('\n]\n');
  }
  out.flush();
  await out.ready();
  return unreadable;
}
