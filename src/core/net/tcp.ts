/**
 * TCP reassembly for SIP: per connection and direction, puts segments back in sequence order
 * and cuts the byte stream into SIP messages by their Content-Length (RFC 3261 §18.3).
 *
 * What a capture throws at it: several messages in one segment, one message over many segments,
 * segments out of order, retransmitted or overlapping, CRLF keep-alives (RFC 5626 §4.4.1),
 * connections whose start was not captured, sequence wrap-around, lost segments, and a lot of
 * traffic that is not SIP at all (HTTP, TLS, bulk transfers). Non-SIP streams are recognised
 * within their first bytes and then cost O(1) per segment; memory is bounded per stream and in
 * total whatever lengths the bytes claim.
 *
 * Positions inside a stream are "stream offsets": plain numbers counted from the first byte seen,
 * so that 32-bit sequence wrap-around only matters when a segment's sequence number is mapped
 * to an offset (signed 32-bit difference, RFC 9293 §3.4 modular arithmetic).
 */

import { TcpFlags } from '../types';
import type { Endpoint, Problem, ProblemSink, SipPdu, TcpSegment, Timestamp, TransportName } from '../types';
import {
  DEFAULT_MAX_CONTENT_LENGTH,
  DEFAULT_MAX_HEADER_BYTES,
  frameSipMessage,
  matchSipStart,
  SIP_START_NEED_MORE,
  SIP_START_NO,
  SIP_START_YES,
  type FramingProblem,
} from '../sip/framing';

/** Receives framed SIP messages and problems. */
export interface PduSink extends ProblemSink {
  pdu(p: SipPdu): void;
}

export interface TcpReassemblyOptions {
  /** Longest header section searched for its empty line. Default 64 KiB. */
  maxHeaderBytes?: number;
  /** Largest Content-Length believed; beyond it the message is cut after its header. Default 16 MiB. */
  maxContentLength?: number;
  /** Largest message buffered per stream; a longer one is delivered cut and the rest skipped. Default 2 MiB. */
  maxMessageBytes?: number;
  /** Bytes without a SIP start line after which a stream that never carried SIP is ignored. Default 16 KiB. */
  probeBytes?: number;
  /** Bytes searched for a SIP start line after losing sync before a SIP stream is given up. Default 1 MiB. */
  resyncBytes?: number;
  /** Out-of-order bytes held per stream while waiting for a missing segment. Default 256 KiB. */
  maxOutOfOrderBytes?: number;
  /** Out-of-order segments held per stream. Default 256. */
  maxOutOfOrderSegments?: number;
  /** Capture seconds to wait for a missing segment before reporting the gap. Default 3. */
  gapTimeoutSec?: number;
  /** Bytes held by all streams together (buffers and out-of-order segments). Default 64 MiB. */
  maxTotalBytes?: number;
  /** Streams tracked at once (non-SIP ones included). Default 20000. */
  maxStreams?: number;
  /** Capture seconds of silence after which a stream is forgotten. Default 300. */
  idleTimeoutSec?: number;
  /** Delivered bytes kept to check retransmissions against. Default 2 KiB. */
  historyBytes?: number;
}

export interface TcpReassemblyStats {
  /** Streams tracked (each direction of a connection is one). */
  streams: number;
  /** Streams recognised as not SIP and ignored. */
  ignoredStreams: number;
  /** Stream bytes held: unconsumed, history and out-of-order segments. */
  bufferedBytes: number;
  /** Bytes allocated for buffers and out-of-order segments (what `maxTotalBytes` bounds). */
  allocatedBytes: number;
}

const CR = 0x0d;
const LF = 0x0a;

// Stream states.
/** Looking for a SIP start line at a line start (stream start, after a gap or garbage). */
const HUNT = 0;
/** At a message boundary or inside a message being framed. */
const SYNC = 1;
/** Discarding the known rest of a message too large to buffer. */
const SKIP = 2;
/** Not SIP: every further segment is dropped in O(1). */
const IGNORED = 3;
/** FIN or RST seen; kept so that late retransmissions are recognised. */
const CLOSED = 4;

const MIN_CAPACITY = 4096;
const SHRINK_ABOVE = 64 * 1024;
const SWEEP_EVERY = 4096;
const EMPTY = new Uint8Array(0);

/** The frame that brought a run of accepted stream bytes. */
interface SegRecord {
  off: number;
  len: number;
  frame: number;
  /** File offset of the run's first byte, -1 when unknown. */
  fileOffset: number;
  ts: Timestamp;
}

/** A segment that arrived ahead of the next expected sequence number. */
interface Stashed {
  off: number;
  data: Uint8Array;
  frame: number;
  fileOffset: number;
  ts: Timestamp;
}

class TcpStream {
  /** Next stream in the same hash bucket. */
  chain: TcpStream | undefined;
  state = HUNT;
  seqKnown = false;
  /** Initial sequence number from the SYN, -1 when no SYN was seen. */
  isn = -1;
  /** Sequence number expected next (uint32) and its stream offset. */
  nextSeq = 0;
  nextOff = 0;
  /** Stream offset of the FIN, -1 until one is seen. */
  finOff = -1;

  // Bytes [headOff, nextOff) are in buf at [bufStart, bufStart + nextOff - headOff);
  // [headOff, readOff) are already consumed (kept as history), [readOff, nextOff) are pending.
  buf: Uint8Array = EMPTY;
  bufStart = 0;
  headOff = 0;
  readOff = 0;
  recs: SegRecord[] = [];
  recHead = 0;

  stash: Stashed[] = [];
  stashBytes = 0;
  /** Capture time since which the first missing segment has been awaited. */
  stashSince = 0;

  /** SYNC: stream offset the pending message needs to reach, -1 when unknown. */
  needEnd = -1;
  /** SYNC: where to resume searching for the empty line, -1 for the message start. */
  scanFrom = -1;
  /** SYNC: the pending message is too large; bytes to skip after delivering its first part. */
  cutRest = 0;
  /** SKIP: bytes still to discard. */
  skipRest = 0;

  huntAtLineStart = true;
  huntReason: string;
  huntSkipped = 0;
  huntNonBlank = false;
  huntFirstFrame = 0;
  huntLastFrame = 0;
  huntFileOffset = -1;
  /** Bytes skipped before any SIP was seen on this stream. */
  probed = 0;
  /** A SIP start line was seen on this stream. */
  sawSip = false;

  lastTs = 0;
  /** Removed from the stream table. */
  removed = false;

  constructor(
    readonly key: number,
    readonly src: Endpoint,
    readonly dst: Endpoint,
    readonly transport: TransportName,
    withSyn: boolean,
  ) {
    this.huntReason = withSyn ? 'the stream does not start with a SIP start line' : 'the capture starts in the middle of this TCP connection';
  }
}

function endpointText(e: Endpoint): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

function frameList(frames: number[]): string {
  if (frames.length === 0) return 'none';
  if (frames.length <= 6) return frames.join(', ');
  return `${frames.slice(0, 3).join(', ')}, … ${frames[frames.length - 1]} (${frames.length} frames)`;
}

export class TcpReassembler {
  private readonly maxHeaderBytes: number;
  private readonly maxContentLength: number;
  private readonly maxMessageBytes: number;
  private readonly probeBytes: number;
  private readonly resyncBytes: number;
  private readonly maxOutOfOrderBytes: number;
  private readonly maxOutOfOrderSegments: number;
  private readonly gapTimeoutSec: number;
  private readonly maxTotalBytes: number;
  private readonly maxStreams: number;
  private readonly idleTimeoutSec: number;
  private readonly historyBytes: number;

  private readonly table = new Map<number, TcpStream>();
  private streamCount = 0;
  private allocated = 0;
  private readonly gapStreams = new Set<TcpStream>();
  private gapDeadline = Infinity;
  private nowSec = 0;
  private sinceSweep = 0;
  private lastSweepSec = -Infinity;

  constructor(
    private readonly sink: PduSink,
    opts: TcpReassemblyOptions = {},
  ) {
    this.maxHeaderBytes = opts.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
    this.maxContentLength = opts.maxContentLength ?? DEFAULT_MAX_CONTENT_LENGTH;
    this.maxMessageBytes = opts.maxMessageBytes ?? 2 * 1024 * 1024;
    this.probeBytes = opts.probeBytes ?? 16 * 1024;
    this.resyncBytes = opts.resyncBytes ?? 1024 * 1024;
    this.maxOutOfOrderBytes = opts.maxOutOfOrderBytes ?? 256 * 1024;
    this.maxOutOfOrderSegments = opts.maxOutOfOrderSegments ?? 256;
    this.gapTimeoutSec = opts.gapTimeoutSec ?? 3;
    this.maxTotalBytes = opts.maxTotalBytes ?? 64 * 1024 * 1024;
    this.maxStreams = opts.maxStreams ?? 20000;
    this.idleTimeoutSec = opts.idleTimeoutSec ?? 300;
    this.historyBytes = opts.historyBytes ?? 2048;
  }

  /** Feeds one TCP segment (any flags, with or without payload). */
  segment(s: TcpSegment): void {
    const tsSec = s.ts.sec + s.ts.nsec * 1e-9;
    this.nowSec = tsSec;
    if (this.gapStreams.size > 0 && tsSec >= this.gapDeadline) this.expireGaps(tsSec);
    if (++this.sinceSweep >= SWEEP_EVERY) this.sweep(tsSec, false);

    const flags = s.flags;
    const len = s.data.length;
    const key = s.src.port * 65536 + s.dst.port;
    let st = this.find(key, s.src.ip, s.dst.ip);

    if ((flags & TcpFlags.SYN) !== 0) {
      const seq = s.seq >>> 0;
      if (st === undefined || st.isn !== seq || st.state === CLOSED) {
        // A new SYN on the same 4-tuple starts a new connection (RFC 9293 §3.5).
        if (st !== undefined) this.remove(st, 'a new SYN starts another connection on the same addresses and ports');
        st = this.create(key, s, true);
        st.isn = seq;
        st.seqKnown = true;
        st.nextSeq = (seq + 1) >>> 0; // the SYN occupies one sequence number
      }
    } else if (st === undefined) {
      if (len === 0) return; // a pure ACK/FIN/RST of a connection we hold nothing for
      st = this.create(key, s, false);
    }
    st.lastTs = tsSec;
    if (st.state === IGNORED) return;

    if (st.state === CLOSED) {
      if (len === 0) return;
      const ahead = ((s.seq >>> 0) - st.nextSeq) | 0;
      if (ahead + len <= 0) return; // late retransmission of data already delivered
      this.reopen(st);
    }

    const dataSeq = (flags & TcpFlags.SYN) !== 0 ? (s.seq + 1) >>> 0 : s.seq >>> 0;
    if (len > 0) {
      if (!st.seqKnown) {
        st.seqKnown = true;
        st.nextSeq = dataSeq;
      }
      this.accept(st, s, dataSeq);
    }
    if ((flags & TcpFlags.FIN) !== 0 && st.seqKnown && (st.state as number) !== IGNORED) {
      st.finOff = st.nextOff + (((dataSeq + len) >>> 0) - st.nextSeq | 0);
    }
    if (st.finOff >= 0 && st.nextOff >= st.finOff && st.state !== CLOSED && st.state !== IGNORED) {
      this.close(st, 'the connection was closed (FIN) before the message was complete');
    }
    if ((flags & TcpFlags.RST) !== 0) {
      // RST aborts both directions (RFC 9293 §3.10.7).
      this.close(st, 'the connection was reset (RST) before the message was complete');
      const back = this.find(s.dst.port * 65536 + s.src.port, s.dst.ip, s.src.ip);
      if (back !== undefined) this.close(back, 'the connection was reset (RST) before the message was complete');
    }
  }

  /** End of input: waits no longer for missing segments and reports what is left incomplete. */
  end(): void {
    for (const head of this.table.values()) {
      for (let st: TcpStream | undefined = head; st !== undefined; st = st.chain) {
        this.close(st, 'the capture ends before the message is complete');
      }
    }
    this.table.clear();
    this.streamCount = 0;
    this.gapStreams.clear();
    this.gapDeadline = Infinity;
    this.allocated = 0;
  }

  stats(): TcpReassemblyStats {
    let ignored = 0;
    let buffered = 0;
    for (const head of this.table.values()) {
      for (let st: TcpStream | undefined = head; st !== undefined; st = st.chain) {
        if (st.state === IGNORED) ignored++;
        buffered += st.nextOff - st.headOff + st.stashBytes;
      }
    }
    return { streams: this.streamCount, ignoredStreams: ignored, bufferedBytes: buffered, allocatedBytes: this.allocated };
  }

  // --- stream table ----------------------------------------------------------------------------

  private find(key: number, srcIp: string, dstIp: string): TcpStream | undefined {
    for (let st = this.table.get(key); st !== undefined; st = st.chain) {
      if (st.src.ip === srcIp && st.dst.ip === dstIp) return st;
    }
    return undefined;
  }

  private create(key: number, s: TcpSegment, withSyn: boolean): TcpStream {
    if (this.streamCount >= this.maxStreams) this.sweep(this.nowSec, true);
    const st = new TcpStream(key, { ip: s.src.ip, port: s.src.port }, { ip: s.dst.ip, port: s.dst.port }, s.transport, withSyn);
    st.chain = this.table.get(key);
    this.table.set(key, st);
    this.streamCount++;
    return st;
  }

  /** Closes (reporting what is incomplete) and forgets a stream. */
  private remove(st: TcpStream, why: string): void {
    this.close(st, why);
    const head = this.table.get(st.key);
    if (head === st) {
      if (st.chain === undefined) this.table.delete(st.key);
      else this.table.set(st.key, st.chain);
    } else {
      for (let p = head; p !== undefined; p = p.chain) {
        if (p.chain === st) {
          p.chain = st.chain;
          break;
        }
      }
    }
    st.chain = undefined;
    st.removed = true;
    this.streamCount--;
  }

  private reopen(st: TcpStream): void {
    // Data beyond a FIN/RST without a new SYN: a later connection whose SYN was not captured.
    st.state = HUNT;
    st.seqKnown = false;
    st.isn = -1;
    st.finOff = -1;
    st.nextOff = 0;
    st.headOff = 0;
    st.readOff = 0;
    st.bufStart = 0;
    st.sawSip = false;
    st.probed = 0;
    st.huntAtLineStart = true;
    st.huntReason = 'the capture starts in the middle of this TCP connection';
    this.resetHunt(st);
  }

  /** Forgets idle streams; with `force`, also the least recently active ones over the limit. */
  private sweep(nowSec: number, force: boolean): void {
    this.sinceSweep = 0;
    if (!force && nowSec - this.lastSweepSec < this.idleTimeoutSec / 4) return;
    this.lastSweepSec = nowSec;
    const all: TcpStream[] = [];
    for (const head of this.table.values()) for (let st: TcpStream | undefined = head; st !== undefined; st = st.chain) all.push(st);
    for (const st of all) {
      if (nowSec - st.lastTs > this.idleTimeoutSec) this.remove(st, 'the connection was idle for too long and was forgotten');
    }
    if (force && this.streamCount >= this.maxStreams) {
      const live = all.filter((st) => !st.removed);
      live.sort((a, b) => a.lastTs - b.lastTs);
      const target = Math.floor(this.maxStreams * 0.9);
      for (let i = 0; i < live.length && this.streamCount > target; i++) {
        this.remove(live[i], `more than ${this.maxStreams} TCP streams are open at once; the least recently active was forgotten`);
      }
    }
  }

  // --- sequencing ------------------------------------------------------------------------------

  private accept(st: TcpStream, s: TcpSegment, dataSeq: number): void {
    const data = s.data;
    const len = data.length;
    const delta = (dataSeq - st.nextSeq) | 0;
    const fo = s.fileOffset ?? -1;
    if (delta > 0) {
      this.stashSegment(st, s);
      return;
    }
    let from = 0;
    if (delta < 0) {
      const segOff = st.nextOff + delta;
      // Retransmission or overlap: the bytes before nextOff were accepted already; the first copy wins.
      this.checkOverlap(st, data, segOff, Math.min(segOff + len, st.nextOff), s.frame);
      if (segOff + len <= st.nextOff) return;
      from = st.nextOff - segOff;
    }
    this.acceptInOrder(st, data, from, len, s.frame, fo, s.ts);
    this.drainStash(st);
  }

  /** Compares bytes of a retransmitted segment with those accepted first, where still held. */
  private checkOverlap(st: TcpStream, data: Uint8Array, segOff: number, overlapEnd: number, frame: number): void {
    // Only worth saying on a SIP stream; a stream still being probed may be anything.
    if (!st.sawSip) return;
    const from = Math.max(segOff, st.headOff);
    const base = st.bufStart - st.headOff;
    for (let o = from; o < overlapEnd; o++) {
      if (st.buf[base + o] !== data[o - segOff]) {
        this.problem(st, {
          code: 'tcp-overlap-conflict',
          severity: 'warning',
          frame,
          message: `Frame ${frame} retransmits bytes of TCP ${endpointText(st.src)} -> ${endpointText(st.dst)} with different content (first difference ${o - segOff} bytes into its payload); the first copy is kept.`,
        });
        return;
      }
    }
  }

  private stashSegment(st: TcpStream, s: TcpSegment): void {
    const len = s.data.length;
    // Waiting is bounded: when the window is full, stop waiting for the missing bytes.
    while (
      st.stash.length > 0 &&
      (st.stashBytes + len > this.maxOutOfOrderBytes || st.stash.length >= this.maxOutOfOrderSegments || this.allocated + len > this.maxTotalBytes)
    ) {
      this.resolveGap(st);
      if (st.state === IGNORED || st.state === CLOSED) return;
    }
    const delta = ((s.seq >>> 0) + ((s.flags & TcpFlags.SYN) !== 0 ? 1 : 0) - st.nextSeq) | 0;
    if (delta <= 0) {
      // Resolving gaps caught up with this segment.
      this.accept(st, s, (st.nextSeq + delta) >>> 0);
      return;
    }
    const off = st.nextOff + delta;
    if (len > this.maxOutOfOrderBytes || this.allocated + len > this.maxTotalBytes) {
      // Cannot even hold this one: give up on the missing bytes now.
      this.gapTo(st, off, s.frame);
      this.accept(st, s, (st.nextSeq + 0) >>> 0);
      return;
    }
    let i = st.stash.length;
    while (i > 0 && st.stash[i - 1].off > off) i--;
    const prev = i > 0 ? st.stash[i - 1] : undefined;
    if (prev !== undefined && prev.off === off && prev.data.length >= len) {
      // Retransmission of a segment already held out of order.
      for (let k = 0; k < len && st.sawSip; k++) {
        if (prev.data[k] !== s.data[k]) {
          this.problem(st, {
            code: 'tcp-overlap-conflict',
            severity: 'warning',
            frame: s.frame,
            message: `Frame ${s.frame} retransmits bytes of TCP ${endpointText(st.src)} -> ${endpointText(st.dst)} already received in frame ${prev.frame} with different content; the first copy is kept.`,
          });
          break;
        }
      }
      return;
    }
    st.stash.splice(i, 0, { off, data: s.data.slice(), frame: s.frame, fileOffset: s.fileOffset ?? -1, ts: s.ts });
    st.stashBytes += len;
    this.allocated += len;
    if (st.stash.length === 1) {
      st.stashSince = this.nowSec;
      this.gapStreams.add(st);
      this.gapDeadline = Math.min(this.gapDeadline, st.stashSince + this.gapTimeoutSec);
    }
  }

  /** Moves held segments that have become in sequence into the stream. */
  private drainStash(st: TcpStream): void {
    let drained = false;
    while (st.stash.length > 0 && st.state !== IGNORED && st.state !== CLOSED) {
      const e = st.stash[0];
      if (e.off > st.nextOff) break;
      st.stash.shift();
      drained = true;
      st.stashBytes -= e.data.length;
      this.allocated -= e.data.length;
      const end = e.off + e.data.length;
      if (e.off < st.nextOff) this.checkOverlap(st, e.data, e.off, Math.min(end, st.nextOff), e.frame);
      if (end <= st.nextOff) continue;
      this.acceptInOrder(st, e.data, st.nextOff - e.off, e.data.length, e.frame, e.fileOffset, e.ts);
    }
    if (st.stash.length === 0) this.gapStreams.delete(st);
    else if (drained) st.stashSince = this.nowSec;
  }

  private expireGaps(nowSec: number): void {
    let deadline = Infinity;
    for (const st of [...this.gapStreams]) {
      while (st.stash.length > 0 && nowSec - st.stashSince >= this.gapTimeoutSec) this.resolveGap(st);
      if (st.stash.length > 0) deadline = Math.min(deadline, st.stashSince + this.gapTimeoutSec);
    }
    this.gapDeadline = deadline;
  }

  /** Gives up on the bytes missing before the first held segment, and carries on from it. */
  private resolveGap(st: TcpStream): void {
    const first = st.stash[0];
    this.gapTo(st, first.off, first.frame);
    this.drainStash(st);
  }

  /** Reports the bytes missing before stream offset `toOff` and jumps there. */
  private gapTo(st: TcpStream, toOff: number, frame: number): void {
    const missing = toOff - st.nextOff;
    this.problem(st, {
      code: 'tcp-gap',
      severity: 'warning',
      frame,
      message: `${missing} bytes of TCP ${endpointText(st.src)} -> ${endpointText(st.dst)} before frame ${frame} are missing from the capture (sequence ${st.nextSeq} to ${(st.nextSeq + missing) >>> 0}); framing resumes at the next SIP start line.`,
    });
    switch (st.state) {
      case SYNC:
        if (st.readOff < st.nextOff) this.reportTruncated(st, `bytes after it are missing from the capture (gap before frame ${frame})`);
        this.startHunt(st, true, 'bytes before them are missing from the capture');
        break;
      case SKIP:
        if (missing < st.skipRest) st.skipRest -= missing;
        else if (missing === st.skipRest) st.state = SYNC;
        else this.startHunt(st, true, 'bytes before them are missing from the capture');
        break;
      case HUNT:
        this.huntSkip(st, st.readOff, st.nextOff);
        st.huntAtLineStart = true;
        break;
    }
    st.needEnd = -1;
    st.scanFrom = -1;
    st.cutRest = 0;
    st.nextOff = toOff;
    st.nextSeq = (st.nextSeq + missing) >>> 0;
    this.resetBuffer(st);
  }

  // --- buffering -------------------------------------------------------------------------------

  /** Takes in-sequence bytes data[from, to) and frames what can be framed. */
  private acceptInOrder(st: TcpStream, data: Uint8Array, from: number, to: number, frame: number, fileOffset0: number, ts: Timestamp): void {
    if (st.state === SKIP && st.readOff === st.nextOff) {
      // Discard the rest of an over-long message without copying it.
      const k = Math.min(to - from, st.skipRest);
      st.skipRest -= k;
      st.nextOff += k;
      st.nextSeq = (st.nextSeq + k) >>> 0;
      this.resetBuffer(st);
      if (st.skipRest === 0) st.state = SYNC;
      from += k;
      if (from === to) return;
    }
    if (!this.append(st, data, from, to, frame, fileOffset0 >= 0 ? fileOffset0 + from : -1, ts)) return;
    this.process(st);
    if (st.buf.length > SHRINK_ABOVE && st.nextOff - st.readOff <= MIN_CAPACITY) this.shrink(st);
  }

  private append(st: TcpStream, data: Uint8Array, from: number, to: number, frame: number, fileOffset: number, ts: Timestamp): boolean {
    const n = to - from;
    let len = st.nextOff - st.headOff;
    if (st.bufStart + len + n > st.buf.length) {
      this.dropBefore(st, Math.max(st.headOff, st.readOff - this.historyBytes));
      len = st.nextOff - st.headOff;
      if (len + n > st.buf.length) {
        let cap = Math.max(MIN_CAPACITY, st.buf.length * 2);
        while (cap < len + n) cap *= 2;
        if (this.allocated + cap - st.buf.length > this.maxTotalBytes) {
          this.memoryLimit(st, frame, n);
          return false;
        }
        const nb = new Uint8Array(cap);
        nb.set(st.buf.subarray(st.bufStart, st.bufStart + len));
        this.allocated += cap - st.buf.length;
        st.buf = nb;
      } else {
        st.buf.copyWithin(0, st.bufStart, st.bufStart + len);
      }
      st.bufStart = 0;
    }
    st.buf.set(from === 0 && to === data.length ? data : data.subarray(from, to), st.bufStart + len);
    st.recs.push({ off: st.nextOff, len: n, frame, fileOffset, ts });
    st.nextOff += n;
    st.nextSeq = (st.nextSeq + n) >>> 0;
    return true;
  }

  /** Forgets held bytes before stream offset `off`. */
  private dropBefore(st: TcpStream, off: number): void {
    if (off <= st.headOff) return;
    st.bufStart += off - st.headOff;
    st.headOff = off;
    const recs = st.recs;
    while (st.recHead < recs.length && recs[st.recHead].off + recs[st.recHead].len <= off) st.recHead++;
    if (st.recHead > 32 && st.recHead * 2 > recs.length) {
      recs.splice(0, st.recHead);
      st.recHead = 0;
    }
  }

  /** Forgets every held byte; the stream continues at nextOff. */
  private resetBuffer(st: TcpStream): void {
    st.headOff = st.nextOff;
    st.readOff = st.nextOff;
    st.bufStart = 0;
    st.recs.length = 0;
    st.recHead = 0;
    if (st.buf.length > SHRINK_ABOVE) this.release(st);
  }

  private release(st: TcpStream): void {
    this.allocated -= st.buf.length;
    st.buf = EMPTY;
    st.bufStart = 0;
    st.headOff = st.nextOff;
    st.readOff = st.nextOff;
    st.recs.length = 0;
    st.recHead = 0;
  }

  private shrink(st: TcpStream): void {
    this.dropBefore(st, Math.max(st.headOff, st.readOff - this.historyBytes));
    const len = st.nextOff - st.headOff;
    let cap = MIN_CAPACITY;
    while (cap < len) cap *= 2;
    if (cap >= st.buf.length) return;
    const nb = new Uint8Array(cap);
    nb.set(st.buf.subarray(st.bufStart, st.bufStart + len));
    this.allocated += cap - st.buf.length;
    st.buf = nb;
    st.bufStart = 0;
  }

  private memoryLimit(st: TcpStream, frame: number, incoming: number): void {
    const held = st.nextOff - st.readOff;
    this.problem(st, {
      code: 'tcp-memory-limit',
      severity: 'warning',
      frame,
      message: `Holding more of TCP ${endpointText(st.src)} -> ${endpointText(st.dst)} would exceed the limit of ${this.maxTotalBytes} bytes for all streams; ${held + incoming} bytes (frame ${frame} and data held before it) were dropped.`,
    });
    st.nextOff += incoming;
    st.nextSeq = (st.nextSeq + incoming) >>> 0;
    st.needEnd = -1;
    st.scanFrom = -1;
    st.cutRest = 0;
    this.resetHunt(st);
    this.startHunt(st, false, 'bytes before them were dropped at the memory limit');
    this.release(st);
  }

  // --- framing ---------------------------------------------------------------------------------

  private process(st: TcpStream): void {
    for (;;) {
      if (st.state === SYNC) {
        const buf = st.buf;
        const base = st.bufStart - st.headOff;
        let r = st.readOff;
        const e = st.nextOff;
        if (st.needEnd < 0) {
          // CRLF keep-alives between messages (RFC 5626 §4.4.1 ping CRLFCRLF, pong CRLF;
          // RFC 3261 §7.5 CRLFs before a start line are ignored on streams).
          while (r < e) {
            const c = buf[base + r];
            if (c !== CR && c !== LF) break;
            r++;
          }
          st.readOff = r;
          if (r === e) return;
          const m = matchSipStart(buf, base + r, base + e);
          if (m === SIP_START_NEED_MORE) return;
          if (m === SIP_START_NO) {
            this.startHunt(st, false, 'they are not a SIP start line where a message should begin');
            continue;
          }
          st.sawSip = true;
        } else if (e < st.needEnd) {
          return;
        }
        if (st.cutRest > 0) {
          this.deliver(st, r, st.needEnd, undefined);
          st.readOff = st.needEnd;
          st.state = SKIP;
          st.skipRest = st.cutRest;
          st.cutRest = 0;
          st.needEnd = -1;
          continue;
        }
        const res = frameSipMessage(buf, base + r, base + e, {
          stream: true,
          maxHeaderBytes: this.maxHeaderBytes,
          maxContentLength: this.maxContentLength,
          scanFrom: st.scanFrom >= 0 ? base + st.scanFrom : undefined,
        });
        if (res.kind === 'complete') {
          this.deliver(st, r, r + res.length, res.problems);
          st.readOff = r + res.length;
          st.needEnd = -1;
          st.scanFrom = -1;
          if (res.contentLength === undefined && res.problems.some((p) => p.code === 'sip-content-length-too-large')) {
            this.startHunt(st, true, 'they follow a message whose Content-Length is not believed');
          }
          continue;
        }
        if (res.kind === 'need-more') {
          if (res.needed !== undefined) {
            if (res.needed > this.maxMessageBytes) {
              st.needEnd = r + this.maxMessageBytes;
              st.cutRest = res.needed - this.maxMessageBytes;
            } else {
              st.needEnd = r + res.needed;
            }
          } else if (res.resumeAt !== undefined) {
            st.scanFrom = res.resumeAt - base;
          }
          return;
        }
        const rec = this.recordAt(st, r);
        this.problem(st, {
          code: res.code,
          severity: 'error',
          frame: rec?.frame,
          offset: rec !== undefined && rec.fileOffset >= 0 ? rec.fileOffset + (r - rec.off) : undefined,
          message: `SIP message on TCP ${endpointText(st.src)} -> ${endpointText(st.dst)} starting in frame ${rec?.frame ?? '?'}: ${res.reason}; its bytes are skipped up to the next SIP start line.`,
        });
        st.scanFrom = -1;
        this.startHunt(st, false, 'they belong to a message whose header section could not be framed');
        continue;
      }
      if (st.state === SKIP) {
        const k = Math.min(st.skipRest, st.nextOff - st.readOff);
        st.readOff += k;
        st.skipRest -= k;
        if (st.skipRest > 0) return;
        st.state = SYNC;
        continue;
      }
      if (st.state === HUNT) {
        if (this.hunt(st)) continue;
        return;
      }
      return;
    }
  }

  private startHunt(st: TcpStream, atLineStart: boolean, reason: string): void {
    st.state = HUNT;
    st.huntAtLineStart = atLineStart;
    if (st.huntSkipped === 0) st.huntReason = reason;
    st.needEnd = -1;
    st.scanFrom = -1;
  }

  private resetHunt(st: TcpStream): void {
    st.huntSkipped = 0;
    st.huntNonBlank = false;
    st.huntFirstFrame = 0;
    st.huntLastFrame = 0;
    st.huntFileOffset = -1;
  }

  /**
   * Searches pending bytes for a SIP start line at a line start. Returns true once found (state
   * SYNC, readOff on it). Skipped bytes are counted for one problem per search.
   */
  private hunt(st: TcpStream): boolean {
    const buf = st.buf;
    const base = st.bufStart - st.headOff;
    const r = st.readOff;
    const e = st.nextOff;
    let cand = st.huntAtLineStart ? r : -1;
    let scan = r;
    for (;;) {
      if (cand === -1) {
        const lf = scan < e ? buf.indexOf(LF, base + scan) : -1;
        if (lf === -1 || lf >= base + e) break;
        cand = lf + 1 - base;
      }
      if (cand >= e) {
        // The last pending byte ends a line: the next byte starts one.
        this.huntSkip(st, r, e);
        st.readOff = e;
        st.huntAtLineStart = true;
        this.huntBudget(st);
        return false;
      }
      const m = matchSipStart(buf, base + cand, base + e);
      if (m === SIP_START_YES) {
        this.huntSkip(st, r, cand);
        st.readOff = cand;
        this.endHunt(st);
        st.state = SYNC;
        st.sawSip = true;
        return true;
      }
      if (m === SIP_START_NEED_MORE) {
        // Maybe a start line cut by the segment boundary: keep it (at most one start line).
        this.huntSkip(st, r, cand);
        st.readOff = cand;
        st.huntAtLineStart = true;
        this.huntBudget(st);
        return false;
      }
      scan = cand;
      cand = -1;
    }
    this.huntSkip(st, r, e);
    st.readOff = e;
    st.huntAtLineStart = false;
    this.huntBudget(st);
    return false;
  }

  /** Counts stream bytes [a, b) as skipped while hunting. */
  private huntSkip(st: TcpStream, a: number, b: number): void {
    if (b <= a) return;
    if (st.huntSkipped === 0) {
      const rec = this.recordAt(st, a);
      st.huntFirstFrame = rec?.frame ?? 0;
      st.huntFileOffset = rec !== undefined && rec.fileOffset >= 0 ? rec.fileOffset + (a - rec.off) : -1;
    }
    const last = this.recordAt(st, b - 1);
    if (last !== undefined) st.huntLastFrame = last.frame;
    st.huntSkipped += b - a;
    if (!st.sawSip) st.probed += b - a;
    if (!st.huntNonBlank) {
      const base = st.bufStart - st.headOff;
      for (let o = a; o < b; o++) {
        const c = st.buf[base + o];
        if (c !== CR && c !== LF) {
          st.huntNonBlank = true;
          break;
        }
      }
    }
  }

  /** Gives up on streams that do not look like SIP, quietly when they never did. */
  private huntBudget(st: TcpStream): void {
    if (!st.sawSip) {
      if (st.probed > this.probeBytes) this.ignore(st);
      return;
    }
    if (st.huntSkipped > this.resyncBytes) {
      const frame = st.huntLastFrame;
      this.endHunt(st);
      this.problem(st, {
        code: 'tcp-stream-abandoned',
        severity: 'warning',
        frame,
        message: `No SIP start line found in ${this.resyncBytes} bytes of TCP ${endpointText(st.src)} -> ${endpointText(st.dst)}; the rest of this connection is ignored.`,
      });
      this.ignore(st);
    }
  }

  /** Reports the bytes skipped by the search that just ended, if any were not blank lines. */
  private endHunt(st: TcpStream): void {
    if (st.huntSkipped > 0 && st.huntNonBlank) {
      const a = st.huntFirstFrame;
      const b = st.huntLastFrame;
      this.problem(st, {
        code: 'tcp-unframed-bytes',
        severity: 'warning',
        frame: a,
        offset: st.huntFileOffset >= 0 ? st.huntFileOffset : undefined,
        message: `${st.huntSkipped} bytes of TCP ${endpointText(st.src)} -> ${endpointText(st.dst)} in frame${b !== a ? `s ${a}–${b}` : ` ${a}`} are not part of a framed SIP message and were skipped: ${st.huntReason}.`,
      });
    }
    this.resetHunt(st);
  }

  private ignore(st: TcpStream): void {
    st.state = IGNORED;
    this.release(st);
    this.allocated -= st.stashBytes;
    st.stash.length = 0;
    st.stashBytes = 0;
    this.gapStreams.delete(st);
    this.resetHunt(st);
  }

  /** Reports what is incomplete and closes the stream (it stays known until evicted). */
  private close(st: TcpStream, why: string): void {
    if (st.state === CLOSED) return;
    while (st.stash.length > 0 && st.state !== IGNORED) this.resolveGap(st);
    if (st.state === SYNC && st.readOff < st.nextOff) this.reportTruncated(st, why);
    else if (st.state === HUNT) {
      this.huntSkip(st, st.readOff, st.nextOff);
      if (st.sawSip) this.endHunt(st);
    }
    this.ignore(st);
    st.state = CLOSED;
    st.needEnd = -1;
    st.scanFrom = -1;
    st.cutRest = 0;
    st.skipRest = 0;
  }

  private reportTruncated(st: TcpStream, why: string): void {
    const frames = this.framesIn(st, st.readOff, st.nextOff);
    const rec = this.recordAt(st, st.readOff);
    this.problem(st, {
      code: 'tcp-truncated-message',
      severity: 'warning',
      frame: frames[0],
      offset: rec !== undefined && rec.fileOffset >= 0 ? rec.fileOffset + (st.readOff - rec.off) : undefined,
      message: `An incomplete SIP message of ${st.nextOff - st.readOff} bytes on TCP ${endpointText(st.src)} -> ${endpointText(st.dst)} (frames ${frameList(frames)}) is not reported: ${why}.`,
    });
    st.readOff = st.nextOff;
  }

  private recordAt(st: TcpStream, off: number): SegRecord | undefined {
    const recs = st.recs;
    for (let i = st.recHead; i < recs.length; i++) {
      const r = recs[i];
      if (off < r.off) return undefined;
      if (off < r.off + r.len) return r;
    }
    return undefined;
  }

  private framesIn(st: TcpStream, start: number, end: number): number[] {
    const frames: number[] = [];
    const recs = st.recs;
    for (let i = st.recHead; i < recs.length; i++) {
      const r = recs[i];
      if (r.off >= end) break;
      if (r.off + r.len <= start) continue;
      if (!frames.includes(r.frame)) frames.push(r.frame);
    }
    return frames;
  }

  /** Hands stream bytes [start, end) to the sink as one SIP message. */
  private deliver(st: TcpStream, start: number, end: number, problems: readonly FramingProblem[] | undefined): void {
    const recs = st.recs;
    const frames: number[] = [];
    let completing: SegRecord | undefined;
    let only: SegRecord | undefined;
    let count = 0;
    for (let i = st.recHead; i < recs.length; i++) {
      const r = recs[i];
      if (r.off >= end) break;
      if (r.off + r.len <= start) continue;
      count++;
      only = r;
      if (!frames.includes(r.frame)) frames.push(r.frame);
      // Reported at the frame that completes it: the last to arrive of those contributing.
      if (completing === undefined || r.frame > completing.frame) completing = r;
    }
    if (completing === undefined) return; // cannot happen: delivered bytes always have records
    const fileOffset = count === 1 && only !== undefined && only.fileOffset >= 0 ? only.fileOffset + (start - only.off) : undefined;
    const base = st.bufStart - st.headOff;
    this.sink.pdu({
      frame: completing.frame,
      frames,
      ts: completing.ts,
      transport: st.transport,
      src: st.src,
      dst: st.dst,
      bytes: st.buf.slice(base + start, base + end),
      fileOffset,
    });
    if (problems === undefined) {
      this.problem(st, {
        code: 'tcp-message-too-large',
        severity: 'error',
        frame: completing.frame,
        offset: fileOffset,
        message: `A SIP message on TCP ${endpointText(st.src)} -> ${endpointText(st.dst)} is longer than ${this.maxMessageBytes} bytes; only its first ${end - start} bytes are reported (frames ${frameList(frames)}), the rest is skipped.`,
      });
      return;
    }
    for (const p of problems) {
      this.problem(st, {
        code: p.code,
        severity: p.severity,
        frame: completing.frame,
        offset: fileOffset !== undefined ? fileOffset + (p.offset - (base + start)) : undefined,
        message: p.message,
      });
    }
  }

  private problem(_st: TcpStream, p: Problem): void {
    if (p.offset === undefined) delete p.offset;
    if (p.frame === undefined) delete p.frame;
    this.sink.problem(p);
  }
}
