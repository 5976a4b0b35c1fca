/**
 * The trace engine: bytes of a capture or a log in, SIP messages with their positions out.
 *
 *   pcap / pcapng:  CaptureReader -> PacketDecoder (link, IP, fragments) -> SipExtractor
 *                   (UDP datagrams, TCP reassembly, SIP framing) -> parseSipMessage
 *   text logs:      LogReader (dialect detection, prefix stripping, line map) -> parseSipMessage
 *
 * Streaming: `push` takes chunks of any size and emits messages as soon as they are complete, so
 * memory stays bounded by the layers' own limits whatever the file size. The format is decided
 * from the first bytes, never from the file name (`.cap` files are often classic pcap).
 */
import { latin1 } from './bytes';
import { createCaptureReader } from './capture/index';
import { detectFormat } from './capture/detect';
import { LogReader } from './logs/index';
import { PacketDecoder } from './net/decode';
import { datagramMayBeSip, SipExtractor, type PduSink } from './net/sipExtractor';
import { parseSipMessage } from './sip/parser';
import { ProblemLimiter } from './problemLimit';
import type { Problem, SipPdu, TraceMessage } from './types';

export type TraceFormat = 'pcap' | 'pcapng' | 'log';

export interface TraceSink {
  message(m: TraceMessage): void;
  problem(p: Problem): void;
}

export interface TraceOptions {
  /** Called after each chunk with the bytes consumed so far. */
  onProgress?: (bytesDone: number) => void;
  /**
   * Validate every header value the grammar table knows (parseSipMessage's `validate`, default
   * true). A consumer that never reads `sip.problems` (a message listing) can pass false: that
   * is about two thirds of the parsing time.
   */
  validate?: boolean;
}

/**
 * Bytes gathered before the format is decided: the text check's whole sample (detect.ts), so
 * that the decision does not depend on how the input was cut into chunks.
 */
const DETECT_BYTES = 4096;

export interface Stage {
  push(chunk: Uint8Array): void;
  end(): void;
}

export class TraceReader {
  private stage: Stage | undefined;
  private head: Uint8Array[] = [];
  private headBytes = 0;
  private bytesDone = 0;
  private nextIndex = 0;
  private ended = false;
  private detected: TraceFormat | 'unknown' | undefined;

  constructor(
    private readonly sink: TraceSink,
    private readonly opts: TraceOptions = {},
  ) {}

  /** The format once detected; 'unknown' when the bytes are neither a capture nor text. */
  get format(): TraceFormat | 'unknown' | undefined {
    return this.detected;
  }

  get bytesRead(): number {
    return this.bytesDone;
  }

  push(chunk: Uint8Array): void {
    if (this.ended || chunk.length === 0) return;
    this.bytesDone += chunk.length;
    if (this.stage) {
      this.stage.push(chunk);
    } else if (this.detected !== 'unknown') {
      this.head.push(chunk);
      this.headBytes += chunk.length;
      if (this.headBytes >= DETECT_BYTES) this.start();
    }
    this.opts.onProgress?.(this.bytesDone);
  }

  end(): void {
    if (this.ended) return;
    if (!this.stage && this.detected === undefined) this.start();
    this.ended = true;
    this.stage?.end();
  }

  private start(): void {
    const head = concat(this.head, this.headBytes);
    this.head = [];
    if (head.length === 0) {
      this.detected = 'unknown';
      this.sink.problem({ code: 'empty-file', message: 'The file is empty.', severity: 'error', offset: 0 });
      return;
    }
    const kind = detectFormat(head);
    if (kind === 'pcap' || kind === 'pcapng') {
      this.detected = kind;
      this.stage = this.captureStage(kind);
    } else if (kind === 'text') {
      this.detected = 'log';
      this.stage = this.logStage();
    } else {
      this.detected = 'unknown';
      this.sink.problem({
        code: 'unknown-format',
        message: 'Not a pcap, pcapng or text file (checked the first bytes, not the file name).',
        severity: 'error',
        offset: 0,
      });
      return;
    }
    this.stage.push(head);
  }

  private captureStage(format: 'pcap' | 'pcapng'): Stage {
    const sink = this.sink;
    return createCapturePipeline(format, {
      pdu: (pdu) => this.emitPdu(pdu),
      problem: (p) => sink.problem(p),
    });
  }

  private logStage(): Stage {
    return withProblemLimit((p) => this.sink.problem(p), (problem) => new LogReader({
      message: (m) => {
        // Log text is decoded UTF-8: Content-Length counts the body's UTF-8 octets (RFC 3261 §20.14).
        const sip = parseSipMessage(m.text, { octets: 'utf8', validate: this.opts.validate });
        this.sink.message({
          index: this.nextIndex++,
          line: m.line,
          lineMap: m.lineMap,
          logFormat: m.format,
          ts: m.ts,
          transport: m.transport ?? 'unknown',
          src: m.src,
          dst: m.dst,
          sip,
        });
      },
      problem,
    }));
  }

  private emitPdu(pdu: SipPdu): void {
    this.sink.message(traceMessageFromPdu(pdu, this.nextIndex++, this.opts.validate));
  }
}

/**
 * The capture half of the engine: pcap/pcapng bytes in (chunks of any size), framed SIP PDUs
 * and problems out. TraceReader uses it; so does the CLI's capture worker thread, which then
 * hands the PDUs to `traceMessageFromPdu` on the main thread.
 */
export function createCapturePipeline(format: 'pcap' | 'pcapng', sink: PduSink): Stage {
  return withProblemLimit((p) => sink.problem(p), (problem) => {
    const extractor = new SipExtractor({ pdu: (pdu) => sink.pdu(pdu), problem });
    const decoder = new PacketDecoder({
      udp: (p) => extractor.udp(p),
      tcp: (s) => extractor.tcp(s),
      problem,
    }, { udpFilter: datagramMayBeSip });
    const reader = createCaptureReader(format, {
      frame: (f) => decoder.frame(f),
      frameAt: (buf, start, end, frame, linkType, sec, nsec, origLen, fileOffset, interfaceId) =>
        decoder.frameAt(buf, start, end, frame, linkType, sec, nsec, origLen, fileOffset, interfaceId),
      problem,
    });
    return {
      push: (chunk) => reader.push(chunk),
      end: () => {
        // Order matters: the reader flushes its last frames, then incomplete fragments are
        // reported, then partial TCP messages.
        reader.end();
        decoder.end();
        extractor.end();
      },
    };
  });
}

/**
 * A stage whose problems go through a ProblemLimiter (per-frame problems, such as a snaplen
 * cutting every frame, are listed up to a limit per code); what the limit left out comes last.
 */
function withProblemLimit(out: (p: Problem) => void, build: (problem: (p: Problem) => void) => Stage): Stage {
  const problems = new ProblemLimiter(out);
  const stage = build((p) => problems.problem(p));
  return {
    push: (chunk) => stage.push(chunk),
    end: () => {
      stage.end();
      problems.end();
    },
  };
}

/** The TraceMessage of one framed PDU of a capture: its bytes parsed, where it came from. */
export function traceMessageFromPdu(pdu: SipPdu, index: number, validate?: boolean): TraceMessage {
  const sip = parseSipMessage(latin1(pdu.bytes), { validate });
  return {
    index,
    frame: pdu.frame,
    frames: pdu.frames,
    fileOffset: pdu.fileOffset,
    ts: pdu.ts,
    transport: pdu.transport,
    src: pdu.src,
    dst: pdu.dst,
    sip,
  };
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export interface CancelSignal {
  readonly aborted: boolean;
}

export interface ReadTraceResult {
  format: TraceFormat | 'unknown' | undefined;
  bytes: number;
  cancelled: boolean;
}

/**
 * Reads a whole trace from an async source of chunks, checking `signal` between chunks.
 * The caller owns the source (a Node stream in the CLI, `workspace.fs` bytes in the extension).
 */
export async function readTrace(
  source: AsyncIterable<Uint8Array>,
  sink: TraceSink,
  opts: TraceOptions & { signal?: CancelSignal } = {},
): Promise<ReadTraceResult> {
  const reader = new TraceReader(sink, opts);
  for await (const chunk of source) {
    if (opts.signal?.aborted) return { format: reader.format, bytes: reader.bytesRead, cancelled: true };
    reader.push(chunk);
  }
  reader.end();
  return { format: reader.format, bytes: reader.bytesRead, cancelled: false };
}

/** Convenience for tests and small inputs: the whole trace from one buffer. */
export function readTraceBytes(bytes: Uint8Array): { format: TraceFormat | 'unknown' | undefined; messages: TraceMessage[]; problems: Problem[] } {
  const messages: TraceMessage[] = [];
  const problems: Problem[] = [];
  const reader = new TraceReader({ message: (m) => messages.push(m), problem: (p) => problems.push(p) });
  reader.push(bytes);
  reader.end();
  return { format: reader.format, messages, problems };
}
