/**
 * IPv4 (RFC 791 §3.2) and IPv6 (RFC 8200 §4.5) fragment reassembly with bounded memory.
 *
 * Fragments are keyed by the caller (source, destination, identification, protocol) and may come
 * in any order. Exact duplicates are dropped silently (captures on "any" see every packet twice);
 * other overlaps are reported (RFC 5722 forbids them for IPv6; for IPv4 they are an evasion
 * trick) and the bytes that arrived first win. A datagram is delivered by the fragment that
 * completes it, as Wireshark shows it. Incomplete datagrams are dropped with a problem after a
 * timeout of capture time (Linux's ipfrag_time is 30 s), when too many are pending (the oldest
 * goes), and at `end()`.
 */
import type { ProblemSink } from '../types';

export interface FragmentOptions {
  /** Capture-time seconds after the first fragment before an incomplete datagram is dropped. */
  fragmentTimeoutSec?: number;
  /** Largest reassembled payload accepted (bytes after the IP header). */
  maxFragmentBytes?: number;
  /** Incomplete datagrams held at once; beyond it the oldest is dropped. */
  maxPendingDatagrams?: number;
}

export const DEFAULT_FRAGMENT_TIMEOUT_SEC = 30;
/** An IPv4 total length or an IPv6 payload length cannot exceed 65535. */
export const DEFAULT_MAX_FRAGMENT_BYTES = 65535;
export const DEFAULT_MAX_PENDING_DATAGRAMS = 256;

interface Piece {
  offset: number;
  end: number;
  data: Uint8Array;
}

interface Pending {
  label: string;
  frames: number[];
  firstTs: number;
  /** In arrival order. */
  pieces: Piece[];
  /** Payload length, known once the last fragment (MF = 0) arrived; -1 before. */
  total: number;
  stored: number;
}

interface Completed {
  ts: number;
  total: number;
}

export interface Reassembled {
  data: Uint8Array;
  /** Frames that contributed, in arrival order. */
  frames: number[];
}

export class FragmentReassembler {
  private readonly timeout: number;
  private readonly maxBytes: number;
  private readonly maxPending: number;
  /** Insertion order is creation order, so the first entries are the oldest. */
  private readonly pending = new Map<string, Pending>();
  /** Recently completed datagrams, to recognise late duplicates of their fragments. */
  private readonly completed = new Map<string, Completed>();

  constructor(
    private readonly sink: ProblemSink,
    opts: FragmentOptions = {},
  ) {
    this.timeout = opts.fragmentTimeoutSec ?? DEFAULT_FRAGMENT_TIMEOUT_SEC;
    this.maxBytes = opts.maxFragmentBytes ?? DEFAULT_MAX_FRAGMENT_BYTES;
    this.maxPending = Math.max(1, opts.maxPendingDatagrams ?? DEFAULT_MAX_PENDING_DATAGRAMS);
  }

  /** Incomplete datagrams held now. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /**
   * Adds one fragment (`data` is copied). `offset` is its byte offset in the payload, `more` the
   * MF flag. `label` names the datagram in problems (called only when one is reported or a new
   * datagram starts). Returns the whole payload when this fragment completes it.
   */
  add(key: string, label: () => string, frame: number, ts: number, offset: number, more: boolean, data: Uint8Array): Reassembled | undefined {
    const end = offset + data.length;
    let p = this.pending.get(key);
    if (!p) {
      const done = this.completed.get(key);
      if (done) {
        if (ts - done.ts <= this.timeout && end <= done.total) return undefined; // late duplicate
        this.completed.delete(key);
      }
    }
    if (end > this.maxBytes) {
      this.report('ip-fragment-too-large', `${label()}: fragment in frame ${frame} reaches byte ${end}, beyond the ${this.maxBytes}-byte limit of a datagram; it is dropped.`, frame);
      return undefined;
    }
    if (!p) {
      if (this.pending.size >= this.maxPending) this.evictOldest(frame);
      p = { label: label(), frames: [], firstTs: ts, pieces: [], total: -1, stored: 0 };
      this.pending.set(key, p);
    }
    if (!more) {
      if (p.total >= 0 && p.total !== end) {
        this.report('ip-fragment-inconsistent', `${p.label}: last fragment in frame ${frame} ends at byte ${end}, but an earlier last fragment ended at ${p.total}; it is dropped.`, frame);
        return undefined;
      }
      // Fragments held already may reach past this end: the datagram cannot be both.
      let reach = 0;
      for (const q of p.pieces) if (q.end > reach) reach = q.end;
      if (reach > end) {
        this.report('ip-fragment-inconsistent', `${p.label}: last fragment in frame ${frame} ends at byte ${end}, but earlier fragments reach byte ${reach}; it is dropped.`, frame);
        return undefined;
      }
    } else if (p.total >= 0 && end > p.total) {
      this.report('ip-fragment-inconsistent', `${p.label}: fragment in frame ${frame} ends at byte ${end}, past the end (${p.total}) given by the last fragment; it is dropped.`, frame);
      return undefined;
    }
    for (const q of p.pieces) {
      if (q.offset >= end || offset >= q.end) continue;
      if (q.offset === offset && q.end === end && sameBytes(q.data, data)) {
        if (!p.frames.includes(frame)) p.frames.push(frame);
        return undefined;
      }
      const conflict = !overlapAgrees(q, offset, data);
      this.report(
        'ip-fragment-overlap',
        `${p.label}: fragment in frame ${frame} (bytes ${offset}-${end}) overlaps bytes ${q.offset}-${q.end} from an earlier fragment${conflict ? ' with different content; the earlier bytes are kept' : ''}.`,
        frame,
      );
      break;
    }
    if (p.stored + data.length > 2 * this.maxBytes) {
      this.report('ip-fragment-too-large', `${p.label}: fragment in frame ${frame} exceeds the bytes held for one datagram; it is dropped.`, frame);
      return undefined;
    }
    if (!more) p.total = end;
    p.pieces.push({ offset, end, data: data.slice() });
    p.stored += data.length;
    if (!p.frames.includes(frame)) p.frames.push(frame);
    if (p.total < 0 || !covers(p.pieces, p.total)) return undefined;

    const out = new Uint8Array(p.total);
    // Later pieces first, so that where they overlap the first-arrived bytes win.
    for (let i = p.pieces.length - 1; i >= 0; i--) out.set(p.pieces[i].data, p.pieces[i].offset);
    this.pending.delete(key);
    this.completed.set(key, { ts, total: p.total });
    if (this.completed.size > this.maxPending * 4) this.completed.delete(this.completed.keys().next().value as string);
    return { data: out, frames: p.frames };
  }

  /** Drops datagrams whose first fragment is older than the timeout at capture time `now`. */
  expire(now: number): void {
    for (const [key, p] of this.pending) {
      if (now - p.firstTs <= this.timeout) break;
      this.pending.delete(key);
      this.reportIncomplete(p, 'ip-fragments-timeout', `timed out after ${this.timeout} s of capture time`);
    }
    for (const [key, c] of this.completed) {
      if (now - c.ts <= this.timeout) break;
      this.completed.delete(key);
    }
  }

  /** Reports every datagram still incomplete. */
  end(): void {
    for (const p of this.pending.values()) this.reportIncomplete(p, 'ip-fragments-incomplete', 'never completed');
    this.pending.clear();
    this.completed.clear();
  }

  private evictOldest(frame: number): void {
    const first = this.pending.entries().next().value as [string, Pending];
    this.pending.delete(first[0]);
    this.reportIncomplete(first[1], 'ip-fragments-evicted', `dropped at frame ${frame}: more than ${this.maxPending} datagrams were incomplete at once`);
  }

  private reportIncomplete(p: Pending, code: string, why: string): void {
    let have = 0;
    for (const q of p.pieces) have += q.end - q.offset;
    this.report(
      code,
      `${p.label}: fragments in frame${p.frames.length > 1 ? 's' : ''} ${p.frames.join(', ')} ${why} (${have} of ${p.total >= 0 ? p.total : 'an unknown number of'} bytes).`,
      p.frames[0],
    );
  }

  private report(code: string, message: string, frame: number | undefined): void {
    this.sink.problem({ code, message, severity: 'warning', frame });
  }
}

/** True when the pieces leave no hole in [0, total). */
function covers(pieces: Piece[], total: number): boolean {
  const sorted = pieces.length > 1 ? [...pieces].sort((a, b) => a.offset - b.offset) : pieces;
  let reached = 0;
  for (const q of sorted) {
    if (q.offset > reached) return false;
    if (q.end > reached) reached = q.end;
  }
  return reached >= total;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function overlapAgrees(q: Piece, offset: number, data: Uint8Array): boolean {
  const from = Math.max(q.offset, offset);
  const to = Math.min(q.end, offset + data.length);
  for (let i = from; i < to; i++) if (q.data[i - q.offset] !== data[i - offset]) return false;
  return true;
}
