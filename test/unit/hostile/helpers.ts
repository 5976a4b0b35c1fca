/** Helpers of the hostile-input tests: SIP messages in packets, captures, problem summaries. */
import { readTraceBytes } from '../../../src/core/trace';
import type { Problem, TraceMessage } from '../../../src/core/types';
import { ascii, buildPcap, ethernet, ipv4, tcp, udp, type PcapRecord } from '../../helpers/captureBuilder';
import { registerText, replyText } from '../../fuzz/seeds';

/** A REGISTER with a distinct Call-ID and CSeq, so a test can tell which messages came out. */
export function reg(n: number, extra: string[] = []): string {
  return registerText({ cseq: n, extra }).replace('Call-ID: reg-1@192.0.2.10', `Call-ID: hostile-${n}@192.0.2.10`);
}

export function ok(n: number): string {
  return replyText(reg(n), 200);
}

/** Ethernet / IPv4 / UDP frame carrying `text` (latin1 bytes). */
export function udpFrame(text: string | Uint8Array, o: { src?: string; dst?: string; sport?: number } = {}): Uint8Array {
  const payload = typeof text === 'string' ? ascii(text) : text;
  return ethernet(0x0800, ipv4(udp(o.sport ?? 5060, 5060, payload), { src: o.src, dst: o.dst }));
}

/** Ethernet / IPv4 / TCP frame. */
export function tcpFrame(payload: Uint8Array, seq: number, o: { sport?: number; flags?: number; src?: string } = {}): Uint8Array {
  return ethernet(0x0800, ipv4(tcp(o.sport ?? 40000, 5060, payload, { seq, flags: o.flags ?? 0x18 }), { proto: 6, src: o.src }));
}

export function record(data: Uint8Array, i = 0): PcapRecord {
  return { sec: 1700000000 + i, frac: 0, data };
}

/** A classic pcap of one UDP SIP message per frame. */
export function pcapOf(texts: string[]): { bytes: Uint8Array; dataOffsets: number[] } {
  return buildPcap({}, texts.map((t, i) => record(udpFrame(t), i)));
}

/** `[code, severity, frame, offset]` of each problem. */
export function where(problems: Problem[]): [string, string, number | undefined, number | undefined][] {
  return problems.map((p) => [p.code, p.severity, p.frame, p.offset]);
}

/** `[code, line, column]` of each problem (logs). */
export function whereLog(problems: Problem[]): [string, number | undefined, number | undefined][] {
  return problems.map((p) => [p.code, p.line, p.column]);
}

/** The Call-ID of each message, to see which ones came out. */
export function callIds(messages: TraceMessage[]): string[] {
  return messages.map((m) => m.sip.headers.find((h) => h.key === 'call-id')?.value ?? '?');
}

export function read(bytes: Uint8Array): ReturnType<typeof readTraceBytes> {
  return readTraceBytes(bytes);
}

/** Wall time of `fn` in ms. */
export function timed<T>(fn: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = fn();
  return { value, ms: performance.now() - t0 };
}
