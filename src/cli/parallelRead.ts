/**
 * Reading a large capture on two threads: a worker thread reads the file and runs the capture
 * half of the engine (pcap/pcapng records, link and IP layers, TCP reassembly, SIP framing:
 * `createCapturePipeline`); the main thread parses each framed message (`traceMessageFromPdu`)
 * and hands it on. The sink sees exactly what `readTrace` gives it, in the same order (the
 * worker runs the same code; problems keep their place between messages).
 *
 * Why: on a capture that is mostly RTP and bulk TCP the capture half costs about as much as
 * parsing and reporting the SIP messages, so two cores halve the wall time (docs/performance.md).
 * Logs, small files and `SIP_INSPECT_THREADS=1` take the single-threaded path.
 *
 * The worker sends batches of PDUs as transferable buffers (the bytes, a Float64Array of the
 * numbers, the address strings), at most MAX_BATCHES_IN_FLIGHT ahead of the main thread, so
 * memory stays bounded when the main thread (or its output) is the slower side.
 */
import * as fs from 'fs';
import { isMainThread, Worker, workerData, parentPort } from 'worker_threads';
import { detectFormat } from '../core/capture/detect';
import { createCapturePipeline, traceMessageFromPdu, TraceReader, type ReadTraceResult, type TraceFormat, type TraceSink } from '../core/trace';
import type { Problem, SipPdu, TransportName } from '../core/types';

/** Files smaller than this are read on one thread: starting a worker costs more than it saves. */
export const PARALLEL_MIN_BYTES = 16 * 1024 * 1024;
const CHUNK_BYTES = 1 << 20;
/** A batch is posted once it holds this many PDU bytes (or at the end). */
const BATCH_BYTES = 256 * 1024;
/**
 * Batches the worker may be ahead. Deep enough that the main thread does not run dry while the
 * worker waits for a CPU on a busy machine; once full, the worker resumes at half (fewer
 * wake-ups, each of which can cost milliseconds of scheduling delay under load).
 */
const MAX_BATCHES_IN_FLIGHT = 32;
const RESUME_BELOW = 16;
const WORKER_KIND = 'sip-inspect-capture-worker';

/** Numbers kept per PDU: frame, ts sec, ts nsec, file offset (NaN: none), transport, src port, dst port, byte length, frames count. */
const FIELDS = 9;
const TRANSPORTS: TransportName[] = ['UDP', 'TCP', 'SCTP', 'TLS', 'WS', 'WSS', 'unknown'];

interface Batch {
  count: number;
  bytes: ArrayBuffer;
  nums: ArrayBuffer;
  frames: number[];
  addrs: string[];
  /** Problems and how many of the batch's PDUs come before each. */
  problems: { at: number; p: Problem }[];
  end?: boolean;
  error?: string;
}

export interface ReadOptions {
  /** Passed to the parser (see TraceOptions.validate). */
  validate?: boolean;
  /** Awaited between input chunks or batches: lets the caller wait for its output to drain. */
  between?: () => Promise<void>;
  /** Called with the format before the first message is delivered. */
  onFormat?: (format: TraceFormat) => void;
}

/** Reads a trace file through the engine, on two threads when it is a large capture. */
export async function readTraceFileFast(file: string, sink: TraceSink, opts: ReadOptions = {}): Promise<ReadTraceResult> {
  const format = captureFormat(file);
  if (format !== undefined && process.env.SIP_INSPECT_THREADS !== '1') {
    opts.onFormat?.(format);
    return readCaptureOnWorker(file, format, sink, opts);
  }
  // One thread: what readTrace does, plus the format announced before the first message.
  let announced = false;
  const reader: TraceReader = new TraceReader(
    {
      message: (m) => {
        if (!announced) {
          announced = true;
          opts.onFormat?.(reader.format as TraceFormat);
        }
        sink.message(m);
      },
      problem: (p) => sink.problem(p),
    },
    { validate: opts.validate },
  );
  const stream = fs.createReadStream(file, { highWaterMark: CHUNK_BYTES });
  for await (const c of stream) {
    const b = c as Uint8Array;
    reader.push(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
    if (opts.between) await opts.between();
  }
  reader.end();
  return { format: reader.format, bytes: reader.bytesRead, cancelled: false };
}

/** 'pcap' or 'pcapng' for a capture worth a worker thread, else undefined. */
function captureFormat(file: string): 'pcap' | 'pcapng' | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.size < PARALLEL_MIN_BYTES) return undefined;
    const head = new Uint8Array(64);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    // The same decision TraceReader makes (the capture magics are in the first four bytes).
    const kind = detectFormat(head.subarray(0, n));
    return kind === 'pcap' || kind === 'pcapng' ? kind : undefined;
  } catch {
    return undefined; // the single-threaded path reports the error as it always does
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

async function readCaptureOnWorker(file: string, format: 'pcap' | 'pcapng', sink: TraceSink, opts: ReadOptions): Promise<ReadTraceResult> {
  const credits = new Int32Array(new SharedArrayBuffer(4));
  // An eval'd loader: the worker loads this module (or the CLI bundle) without becoming the
  // main module, so the CLI's entry point does not run again in the worker.
  const worker = new Worker(`require(${JSON.stringify(__filename)})`, {
    eval: true,
    workerData: { kind: WORKER_KIND, file, format, credits: credits.buffer },
    // The worker's garbage is short-lived (frames, segments): a small young generation keeps
    // the second heap from adding tens of MB to the resident set (measured: 191 -> 151 MB on
    // the 1 GB benchmark capture, same CPU time).
    resourceLimits: { maxYoungGenerationSizeMb: 8 },
  });
  const queue: Batch[] = [];
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  let exited = false;
  worker.on('message', (b: Batch) => {
    queue.push(b);
    wake?.();
  });
  worker.on('error', (e) => {
    failure = e;
    wake?.();
  });
  worker.on('exit', () => {
    exited = true;
    wake?.();
  });
  let index = 0;
  let ended = false;
  try {
    while (!ended) {
      while (queue.length === 0 && !failure && !exited) await new Promise<void>((r) => (wake = r));
      wake = undefined;
      if (failure) throw failure;
      const b = queue.shift();
      if (!b) throw new Error('the capture worker stopped before the end of the file');
      if (b.error !== undefined) throw new Error(b.error);
      index = deliver(b, sink, index, opts.validate);
      if (Atomics.sub(credits, 0, 1) === RESUME_BELOW) Atomics.notify(credits, 0);
      ended = b.end === true;
      if (opts.between) await opts.between();
    }
  } finally {
    if (!exited) await worker.terminate();
  }
  return { format, bytes: fs.statSync(file).size, cancelled: false };
}

function deliver(b: Batch, sink: TraceSink, index: number, validate: boolean | undefined): number {
  const nums = new Float64Array(b.nums);
  const bytes = new Uint8Array(b.bytes);
  let off = 0;
  let fr = 0;
  let pi = 0;
  for (let i = 0; i < b.count; i++) {
    while (pi < b.problems.length && b.problems[pi].at === i) sink.problem(b.problems[pi++].p);
    const k = i * FIELDS;
    const len = nums[k + 7];
    const nFrames = nums[k + 8];
    const pdu: SipPdu = {
      frame: nums[k],
      frames: b.frames.slice(fr, fr + nFrames),
      ts: { sec: nums[k + 1], nsec: nums[k + 2] },
      transport: TRANSPORTS[nums[k + 4]],
      src: { ip: b.addrs[2 * i], port: nums[k + 5] },
      dst: { ip: b.addrs[2 * i + 1], port: nums[k + 6] },
      bytes: bytes.subarray(off, off + len),
      fileOffset: Number.isNaN(nums[k + 3]) ? undefined : nums[k + 3],
    };
    off += len;
    fr += nFrames;
    sink.message(traceMessageFromPdu(pdu, index++, validate));
  }
  while (pi < b.problems.length) sink.problem(b.problems[pi++].p);
  return index;
}

// ---------------------------------------------------------------------------------------------
// The worker
// ---------------------------------------------------------------------------------------------

function runCaptureWorker(data: { file: string; format: 'pcap' | 'pcapng'; credits: SharedArrayBuffer }): void {
  const port = parentPort!;
  const credits = new Int32Array(data.credits);
  let bytes = new Uint8Array(BATCH_BYTES * 2);
  let used = 0;
  let nums = new Float64Array(FIELDS * 512);
  let count = 0;
  let frames: number[] = [];
  let addrs: string[] = [];
  let problems: { at: number; p: Problem }[] = [];

  const post = (end: boolean): void => {
    // Wait while the main thread is MAX_BATCHES_IN_FLIGHT batches behind, until it is RESUME_BELOW.
    if (Atomics.load(credits, 0) >= MAX_BATCHES_IN_FLIGHT) {
      for (;;) {
        const v = Atomics.load(credits, 0);
        if (v < RESUME_BELOW) break;
        Atomics.wait(credits, 0, v);
      }
    }
    Atomics.add(credits, 0, 1);
    const out = bytes.buffer.slice(0, used);
    const n = nums.buffer.slice(0, count * FIELDS * 8);
    const batch: Batch = { count, bytes: out, nums: n, frames, addrs, problems, end };
    port.postMessage(batch, [out, n]);
    used = 0;
    count = 0;
    frames = [];
    addrs = [];
    problems = [];
  };

  const pipeline = createCapturePipeline(data.format, {
    pdu: (p) => {
      const len = p.bytes.length;
      if (used + len > bytes.length) {
        const grown = new Uint8Array(Math.max(bytes.length * 2, used + len));
        grown.set(bytes.subarray(0, used));
        bytes = grown;
      }
      bytes.set(p.bytes, used);
      used += len;
      if ((count + 1) * FIELDS > nums.length) {
        const grown = new Float64Array(nums.length * 2);
        grown.set(nums);
        nums = grown;
      }
      const k = count * FIELDS;
      nums[k] = p.frame;
      nums[k + 1] = p.ts.sec;
      nums[k + 2] = p.ts.nsec;
      nums[k + 3] = p.fileOffset ?? NaN;
      nums[k + 4] = Math.max(0, TRANSPORTS.indexOf(p.transport));
      nums[k + 5] = p.src.port;
      nums[k + 6] = p.dst.port;
      nums[k + 7] = len;
      nums[k + 8] = p.frames.length;
      for (const f of p.frames) frames.push(f);
      addrs.push(p.src.ip, p.dst.ip);
      count++;
    },
    problem: (p) => problems.push({ at: count, p }),
  });

  let fd: number | undefined;
  try {
    fd = fs.openSync(data.file, 'r');
    for (;;) {
      const chunk = new Uint8Array(CHUNK_BYTES);
      const n = fs.readSync(fd, chunk, 0, CHUNK_BYTES, null);
      if (n === 0) break;
      pipeline.push(n === CHUNK_BYTES ? chunk : chunk.subarray(0, n));
      if (used >= BATCH_BYTES) post(false);
    }
    pipeline.end();
    post(true);
  } catch (e) {
    port.postMessage({ count: 0, bytes: new ArrayBuffer(0), nums: new ArrayBuffer(0), frames: [], addrs: [], problems: [], error: (e as Error).message } satisfies Batch);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

if (!isMainThread && (workerData as { kind?: string } | null)?.kind === WORKER_KIND) {
  runCaptureWorker(workerData as { file: string; format: 'pcap' | 'pcapng'; credits: SharedArrayBuffer });
}
