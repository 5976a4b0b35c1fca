/**
 * What the extension host and its analysis worker (a worker thread on desktop and remote hosts,
 * a Web Worker on vscode.dev) say to each other, and both ends of it. Host-neutral: worker.ts and
 * webWorker.ts only adapt `serve` to their messaging API, nodeAnalyzer.ts and webExtension.ts only
 * say how a worker is started (`SpawnWorker`).
 *
 * One request per worker; the host terminates the worker when the answer is in, or at once to
 * cancel. A capture's analysis comes back in parts while the worker reads it (`capture-part`: the
 * messages parsed since the last part, the findings settled meanwhile, reading problems), then
 * `analysis` (format, exchanges, sizes): posting a 200 MB capture's 100k parsed messages in one reply would block the
 * host for seconds of structured-clone reading, and its first diagnostics would wait for the
 * whole capture. A log's result comes back in parts (findings and exchanges a thousand at a time,
 * message lines as a transferred Int32Array), each sent only after the host acknowledged the one
 * before: Node delivers every queued message of a port in one go, so without the pacing the host
 * would read all parts (a 20 MB log has ~30k findings) in one long task.
 */
import type { ExchangeSummary, PackedRecordStore } from '../core/register/index';
import type { Settings } from '../core/settings';
import type { Problem, TraceMessage } from '../core/types';
import { AnalysisBuilder, CaptureAnalysis, checkLogChunks, fromWireMessage, toWireMessage, WireInterner, type Analysis, type CaptureEnd, type CapturePart, type LocatedFinding, type LogCheckData, type MessageLines, type PartMessage } from './analysis';

export type WorkerRequest =
  | { kind: 'capture'; bytes: Uint8Array; settings: Settings }
  /** A capture the worker reads from disk itself (Node workers only: worker.ts turns it into `capture`). */
  | { kind: 'capture-file'; path: string; settings: Settings }
  /** A log as UTF-8 chunks (transferred, not copied). */
  | { kind: 'log'; chunks: Uint8Array[]; settings: Settings }
  /** A log the worker reads from disk itself (Node workers only: worker.ts turns it into `log`). */
  | { kind: 'log-file'; path: string; settings: Settings }
  /** The host took the last `log-part` or `capture-part`: the worker may send the next one. */
  | { kind: 'ack' };

export type WorkerReply =
  | { type: 'progress'; done: number; total: number }
  /** Messages in wire form (the host rebuilds parse trees from the text when it needs one). */
  | ({ type: 'capture-part'; messages: PartMessage[] } & Omit<CapturePart, 'messages'>)
  /**
   * What completes a capture's analysis, after its last `capture-part` (the editor tests and the
   * editor benchmark watch for this reply).
   */
  | { type: 'analysis'; analysis: CaptureEnd }
  | { type: 'log-part'; findings?: LocatedFinding[]; exchanges?: ExchangeSummary[]; problems?: Problem[] }
  | { type: 'log-done'; lines: Int32Array; format: LogCheckData['format']; bytes: number; elapsedMs: number }
  | { type: 'error'; error: string };

/** Items per `log-part` reply (about 10 ms of structured-clone reading on the host). */
const PART_SIZE = 1000;
/** Progress replies are sent at most this often. */
const PROGRESS_MS = 100;
/**
 * A `capture-part` is sent once it holds this many messages (a few ms of structured-clone reading
 * and rendering on the host), or after CAPTURE_PART_MS of work with anything in it.
 */
const CAPTURE_PART_MESSAGES = 120;
const CAPTURE_PART_MS = 100;
/** Bytes of a capture handed to the reader between checks for a due part. */
const CAPTURE_CHUNK_BYTES = 64 * 1024;
/** Exchange summaries per `capture-part` at the end of a capture. */
const EXCHANGES_PER_PART = 2000;

type Post = (reply: WorkerReply, transfer?: ArrayBuffer[]) => void;

/** The worker's side: answers one request through `post`; `acked` resolves on the host's next `ack`. */
export async function serve(req: WorkerRequest, post: Post, acked: () => Promise<void>): Promise<void> {
  if (req.kind === 'ack') return;
  if (req.kind === 'log-file' || req.kind === 'capture-file') {
    post({ type: 'error', error: 'this worker cannot read files' });
    return;
  }
  if (req.kind === 'capture') {
    await serveCaptureSource(bytesSource(req.bytes), req.settings, post, acked);
    return;
  }
  try {
    const data = checkLogChunks(req.chunks, req.settings, progressPoster(post));
    const part = async (reply: WorkerReply) => {
      post(reply);
      await acked();
    };
    for (let i = 0; i < data.findings.length; i += PART_SIZE) await part({ type: 'log-part', findings: data.findings.slice(i, i + PART_SIZE) });
    for (let i = 0; i < data.exchanges.length; i += PART_SIZE) await part({ type: 'log-part', exchanges: data.exchanges.slice(i, i + PART_SIZE) });
    for (let i = 0; i < data.problems.length; i += PART_SIZE) await part({ type: 'log-part', problems: data.problems.slice(i, i + PART_SIZE) });
    const lines = new Int32Array(data.messages.length * 2);
    data.messages.forEach((m, i) => {
      lines[2 * i] = m.startLine;
      lines[2 * i + 1] = m.endLine;
    });
    post({ type: 'log-done', lines, format: data.format, bytes: data.bytes, elapsedMs: data.elapsedMs }, [lines.buffer as ArrayBuffer]);
  } catch (e) {
    postBug(post, e);
  }
}

/** Progress replies, at most one per PROGRESS_MS (and the last one). */
function progressPoster(post: Post): (done: number, total: number) => void {
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (now - last < PROGRESS_MS && done < total) return;
    last = now;
    post({ type: 'progress', done, total });
  };
}

/** The core reports problems instead of throwing: an exception is a bug, passed on for the log. */
function postBug(post: Post, e: unknown): void {
  post({ type: 'error', error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) });
}

/**
 * Where a capture's bytes come from: all in memory (a web worker is handed them), or read from
 * disk a chunk at a time (a Node worker: a 1 GB capture must not cost 1 GB of memory).
 */
export interface CaptureSource {
  /** Bytes in all (for progress). */
  readonly total: number;
  /** The next bytes, undefined at the end; each call's bytes are the caller's to keep. */
  next(): Uint8Array | undefined;
}

export function bytesSource(bytes: Uint8Array): CaptureSource {
  let at = 0;
  return {
    total: bytes.length,
    next: () => {
      if (at >= bytes.length) return undefined;
      const chunk = bytes.subarray(at, Math.min(bytes.length, at + CAPTURE_CHUNK_BYTES));
      at += chunk.length;
      return chunk;
    },
  };
}

/** What the host's worker may add to a capture's analysis. */
export interface CaptureServeOptions {
  /** Where the checker keeps quiet AORs' packed state (a Node worker: a temporary file). */
  packedRecords?: PackedRecordStore;
  /** Called once the checker has ended (before the last parts go out): nothing reads the source or the records after it. */
  checked?: () => void;
}

/** `serve` for a capture read from `source` (bytes handed over, or a Node worker reading a file: see worker.ts). */
export async function serveCaptureSource(source: CaptureSource, settings: Settings, post: Post, acked: () => Promise<void>, opts: CaptureServeOptions = {}): Promise<void> {
  try {
    await serveCapture(source, settings, post, acked, progressPoster(post), opts);
  } catch (e) {
    postBug(post, e);
  }
}

/**
 * A capture, analysed a chunk at a time; a part goes out when it is due and the host took the one
 * before. The worker keeps reading while the host handles a part (the ack is awaited only when
 * the next part is due), so the pacing costs the analysis little.
 */
async function serveCapture(
  source: CaptureSource,
  settings: Settings,
  post: Post,
  acked: () => Promise<void>,
  progress: (done: number, total: number) => void,
  opts: CaptureServeOptions = {},
): Promise<void> {
  const analysis = new CaptureAnalysis(settings, opts.packedRecords);
  let previous: Promise<void> | undefined;
  let lastPart = Date.now();
  const send = async (part: CapturePart | undefined) => {
    if (!part) return;
    if (previous) await previous;
    const reply: WorkerReply = { type: 'capture-part', messages: part.messages.map(toWireMessage), findings: part.findings, problems: part.problems };
    if (part.exchanges) reply.exchanges = part.exchanges;
    post(reply);
    previous = acked();
    lastPart = Date.now();
  };
  let done = 0;
  for (let bytes = source.next(); bytes; bytes = source.next()) {
    for (let o = 0; o < bytes.length; o += CAPTURE_CHUNK_BYTES) {
      const end = Math.min(bytes.length, o + CAPTURE_CHUNK_BYTES);
      analysis.push(bytes.subarray(o, end));
      done += end - o;
      progress(done, source.total);
      if (analysis.pendingMessages >= CAPTURE_PART_MESSAGES || (analysis.pendingItems > 0 && Date.now() - lastPart >= CAPTURE_PART_MS)) await send(analysis.take());
    }
  }
  const end = analysis.end();
  opts.checked?.();
  // What the end settles (expectations still open, end-of-capture rules) can be many findings.
  for (let part = analysis.take(); part; part = undefined) {
    for (let i = 0; i < part.findings.length || i === 0; i += PART_SIZE) {
      await send({ messages: i === 0 ? part.messages : [], findings: part.findings.slice(i, i + PART_SIZE), problems: i === 0 ? part.problems : [] });
    }
  }
  // The exchanges too: one reply with ~50k summaries held the host's thread ~100 ms to read.
  for (let i = 0; i < end.exchanges.length; i += EXCHANGES_PER_PART) {
    await send({ messages: [], findings: [], problems: [], exchanges: end.exchanges.slice(i, i + EXCHANGES_PER_PART) });
  }
  if (previous) await previous;
  post({ type: 'analysis', analysis: { ...end, exchanges: [] } });
}

// ---------------------------------------------------------------------------------------------
// The host's side
// ---------------------------------------------------------------------------------------------

/** A started worker, whatever the host's worker API. */
export interface WorkerHandle {
  post(req: WorkerRequest, transfer?: ArrayBuffer[]): void;
  onReply(cb: (r: WorkerReply) => void): void;
  /** The worker could not run (script refused, crashed, exited early). */
  onFailure(cb: (e: Error) => void): void;
  terminate(): void;
}

/** Starts a worker; undefined when the host has none (the work is then done in place). */
export type SpawnWorker = () => WorkerHandle | undefined;

/** The subset of vscode.CancellationToken used here (keeps this file free of `vscode`). */
export interface CancelToken {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => unknown): { dispose(): unknown };
}

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

export interface RunOptions {
  onProgress?: (done: number, total: number) => void;
  token?: CancelToken;
}

export type Analyzer = (bytes: Uint8Array, settings: Settings, opts?: RunOptions) => Promise<Analysis>;

export interface CaptureStreamOptions extends RunOptions {
  /** Each part of the analysis, as it arrives; the next one is read only after this returned. */
  onPart: (part: CapturePart) => void;
}
/**
 * Analyses a capture handing its parts to `opts.onPart` as they come (the bytes are transferred
 * to the worker); resolves with what is known only at the end.
 */
export type CaptureStreamer = (bytes: Uint8Array, settings: Settings, opts: CaptureStreamOptions) => Promise<CaptureEnd>;
/** The same for a capture file the worker reads itself (a capture on the extension host's disk). */
export type CaptureFileStreamer = (path: string, settings: Settings, opts: CaptureStreamOptions) => Promise<CaptureEnd>;
/** Checks a log given as UTF-8 chunks; the chunks are transferred to the worker (unusable afterwards). */
export type LogChecker = (chunks: Uint8Array[], settings: Settings, opts?: RunOptions) => Promise<LogCheckData>;
/** Checks a log file the worker reads itself (a saved log on the extension host's disk). */
export type LogFileChecker = (path: string, settings: Settings, opts?: RunOptions) => Promise<LogCheckData>;

function run<T>(spawn: SpawnWorker, req: WorkerRequest, transfer: ArrayBuffer[], opts: RunOptions, inPlace: () => T | Promise<T>, collect: (r: WorkerReply) => T | undefined): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (opts.token?.isCancellationRequested) {
      reject(new CancelledError());
      return;
    }
    let worker: WorkerHandle | undefined;
    try {
      worker = spawn();
    } catch {
      worker = undefined;
    }
    if (!worker) {
      // No worker available (unusual host): analyse in place rather than not at all.
      try {
        resolve(inPlace());
      } catch (e) {
        reject(e);
      }
      return;
    }
    const w = worker;
    let settled = false;
    const finish = () => {
      settled = true;
      sub?.dispose();
      w.terminate();
    };
    const sub = opts.token?.onCancellationRequested(() => {
      if (settled) return;
      finish();
      reject(new CancelledError());
    });
    let replied = false;
    w.onReply((r) => {
      if (settled) return;
      replied = true;
      if (r.type === 'progress') {
        opts.onProgress?.(r.done, r.total);
        return;
      }
      if (r.type === 'error') {
        finish();
        reject(new Error(r.error));
        return;
      }
      let done: T | undefined;
      try {
        done = collect(r);
      } catch (e) {
        finish();
        reject(e);
        return;
      }
      if (done !== undefined) {
        finish();
        resolve(done);
      } else if (r.type === 'log-part' || r.type === 'capture-part') {
        // Let timers and other work run before the next part is read.
        setTimeout(() => {
          if (!settled) w.post({ kind: 'ack' });
        }, 0);
      }
    });
    w.onFailure((e) => {
      if (settled) return;
      finish();
      if (replied) {
        reject(e);
        return;
      }
      // The worker never ran (a Web Worker script refused by the host's CSP, say): analyse in
      // place rather than fail.
      try {
        resolve(inPlace());
      } catch (err) {
        reject(err);
      }
    });
    w.post(req, transfer);
  });
}

/**
 * The bytes for an in-place retry after the worker failed before answering. Transferred bytes
 * are gone (detached, length 0): analysing them would give an empty result without a word.
 */
function handedBack(bytes: Uint8Array, length: number): Uint8Array {
  if (bytes.byteLength === length) return bytes;
  throw new Error('the analysis worker stopped before answering and the trace had been handed over to it; open the trace again');
}

/** A capture part as the host keeps it: messages rebuilt from their wire form, shared values interned. */
function partFromWire(r: Extract<WorkerReply, { type: 'capture-part' }>, interner: WireInterner): CapturePart {
  const messages: TraceMessage[] = new Array(r.messages.length);
  for (let i = 0; i < messages.length; i++) messages[i] = fromWireMessage(r.messages[i], interner);
  for (const f of r.findings) interner.finding(f);
  return { messages, findings: r.findings, problems: r.problems, exchanges: r.exchanges };
}

/**
 * Capture analysis and log checks, in a worker when `spawn` gives one. `checkLogFile` only works
 * with workers that can read files (worker.ts); the host offers it only then.
 */
export function createWorkerAnalyzers(spawn: SpawnWorker): {
  analyzeCapture: Analyzer;
  streamCapture: CaptureStreamer;
  streamCaptureFile: CaptureFileStreamer;
  checkLog: LogChecker;
  checkLogFile: LogFileChecker;
} {
  const collectCapture = (onPart: (part: CapturePart) => void) => {
    const interner = new WireInterner();
    return (r: WorkerReply): CaptureEnd | undefined => {
      if (r.type === 'capture-part') {
        onPart(partFromWire(r, interner));
        return undefined;
      }
      return r.type === 'analysis' ? r.analysis : undefined;
    };
  };
  const streamCapture: CaptureStreamer = (bytes, settings, opts) => {
    // Transfer, do not copy: the host does not need the bytes afterwards.
    const owned = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
    const length = bytes.byteLength;
    return run(spawn, { kind: 'capture', bytes: owned, settings }, [owned.buffer as ArrayBuffer], opts, () => streamInPlace(handedBack(bytes, length), settings, opts), collectCapture(opts.onPart));
  };
  const streamCaptureFile: CaptureFileStreamer = (path, settings, opts) =>
    run(spawn, { kind: 'capture-file', path, settings }, [], opts, () => {
      throw new Error('no worker to read the file');
    }, collectCapture(opts.onPart));
  const analyzeCapture: Analyzer = async (bytes, settings, opts = {}) => {
    const builder = new AnalysisBuilder();
    const end = await streamCapture(bytes, settings, { ...opts, onPart: (p) => builder.add(p) });
    return builder.finish(end);
  };
  const collectLog = () => {
    const findings: LocatedFinding[] = [];
    const exchanges: ExchangeSummary[] = [];
    const problems: Problem[] = [];
    return (r: WorkerReply): LogCheckData | undefined => {
      if (r.type === 'log-part') {
        if (r.findings) for (const f of r.findings) findings.push(f);
        if (r.exchanges) for (const x of r.exchanges) exchanges.push(x);
        if (r.problems) for (const p of r.problems) problems.push(p);
        return undefined;
      }
      if (r.type !== 'log-done') return undefined;
      const messages: MessageLines[] = new Array(r.lines.length >> 1);
      for (let i = 0; i < messages.length; i++) messages[i] = { startLine: r.lines[2 * i], endLine: r.lines[2 * i + 1] };
      return { format: r.format, messages, findings, problems, exchanges, bytes: r.bytes, elapsedMs: r.elapsedMs };
    };
  };
  const checkLog: LogChecker = (chunks, settings, opts = {}) => {
    const owned = chunks.map((c) => (c.byteOffset === 0 && c.byteLength === c.buffer.byteLength ? c : c.slice()));
    const lengths = chunks.map((c) => c.byteLength);
    return run(spawn, { kind: 'log', chunks: owned, settings }, owned.map((c) => c.buffer as ArrayBuffer), opts, () => checkLogChunks(chunks.map((c, i) => handedBack(c, lengths[i])), settings), collectLog());
  };
  const checkLogFile: LogFileChecker = (path, settings, opts = {}) =>
    run(spawn, { kind: 'log-file', path, settings }, [], opts, () => {
      throw new Error('no worker to read the file');
    }, collectLog());
  return { analyzeCapture, streamCapture, streamCaptureFile, checkLog, checkLogFile };
}

/**
 * A capture analysed on this thread when no worker runs (as the worker would, through `serve`),
 * the event loop let go between parts.
 */
function streamInPlace(bytes: Uint8Array, settings: Settings, opts: CaptureStreamOptions): Promise<CaptureEnd> {
  return new Promise<CaptureEnd>((resolve, reject) => {
    const interner = new WireInterner();
    const collect = (r: WorkerReply) => {
      if (r.type === 'progress') opts.onProgress?.(r.done, r.total);
      else if (r.type === 'capture-part') opts.onPart(partFromWire(r, interner));
      else if (r.type === 'analysis') resolve(r.analysis);
      else if (r.type === 'error') reject(new Error(r.error));
    };
    const post: Post = (r) => {
      try {
        collect(r);
      } catch (e) {
        reject(e);
      }
    };
    serve({ kind: 'capture', bytes, settings }, post, () => new Promise<void>((r) => setTimeout(r, 0))).catch(reject);
  });
}
