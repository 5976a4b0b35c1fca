/**
 * `node out/test/unit/hostile/generate.js <stream>` writes one of the hostile streams of
 * bounded-memory.test.ts to stdout, chunk by chunk with backpressure, never holding it whole,
 * and reports `GENERATED_BYTES=<n>` on stderr. Streams: `log-200mb-line`, `pcap-worst`.
 */
import { ascii, ByteWriter, ethernet, ipv4, tcp } from '../../helpers/captureBuilder';
import { reg, udpFrame } from './helpers';

const MiB = 1024 * 1024;

/** A log: one message, a 200 MB line of 'a', another message. */
export function* log200MbLine(): Generator<Uint8Array> {
  const enc = new TextEncoder();
  yield enc.encode(reg(1));
  const line = new Uint8Array(MiB).fill(0x61);
  for (let i = 0; i < 200; i++) yield line;
  yield enc.encode('\n' + reg(2));
}

/** A classic pcap written record by record (snaplen 2^32-1, Ethernet). */
export function* pcapWorst(): Generator<Uint8Array> {
  const hdr = new ByteWriter(true).u32(0xa1b2c3d4).u16(2).u16(4).u32(0).u32(0).u32(0xffffffff).u32(1).out();
  yield hdr;
  let frame = 0;
  const rec = (data: Uint8Array, origLen = data.length, inclLen = data.length) => {
    frame++;
    return new ByteWriter(true).u32(1700000000 + Math.floor(frame / 1000)).u32((frame % 1000) * 1000).u32(inclLen).u32(origLen).bytes(data).out();
  };
  yield rec(udpFrame(reg(1)));
  // 1. a TCP connection that sends 192 MB of header lines and never an empty line (more than the
  //    peak RSS allowed, so holding it would show); records are batched into 1 MiB chunks
  const head = ascii('REGISTER sip:ims.example.net SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.10;branch=z9hG4bK1\r\n');
  let seq = 1000;
  yield rec(ethernet(0x0800, ipv4(tcp(40000, 5060, head, { seq }), { proto: 6 })));
  seq += head.length;
  const filler = ascii('X-Filler: ' + 'f'.repeat(1386) + '\r\n');
  const template = rec(ethernet(0x0800, ipv4(tcp(40000, 5060, filler, { seq }), { proto: 6 })));
  frame--;
  const seqAt = 16 + 14 + 20 + 4; // record header, Ethernet, IPv4, then the TCP sequence number
  const perChunk = Math.floor(MiB / template.length);
  for (let sent = 0; sent < 192 * MiB; sent += perChunk * filler.length) {
    const chunk = new Uint8Array(perChunk * template.length);
    for (let k = 0; k < perChunk; k++) {
      const o = k * template.length;
      chunk.set(template, o);
      chunk[o + seqAt] = seq >>> 24;
      chunk[o + seqAt + 1] = (seq >>> 16) & 0xff;
      chunk[o + seqAt + 2] = (seq >>> 8) & 0xff;
      chunk[o + seqAt + 3] = seq & 0xff;
      seq = (seq + filler.length) >>> 0;
      frame++;
    }
    yield chunk;
  }
  yield rec(udpFrame(reg(2)));
  // 2. twenty thousand IPv4 datagrams whose fragments never complete
  const piece = new Uint8Array(1400);
  for (let id = 0; id < 20000; id++) yield rec(ethernet(0x0800, ipv4(piece, { id: id & 0xffff, src: `10.1.${id >> 8}.${id & 255}`, more: true })));
  // 3. a 16 MB record the file header allows (snaplen 2^32-1): skipped as it streams past
  const big = 16 * MiB;
  yield new ByteWriter(true).u32(1700000100).u32(0).u32(big).u32(big).out();
  frame++;
  const zeros = new Uint8Array(MiB);
  for (let i = 0; i < big / MiB; i++) yield zeros;
  yield rec(udpFrame(reg(3)));
  // 4. Content-Length: 4294967295 in a datagram
  yield rec(udpFrame(reg(4).replace('Content-Length: 0', 'Content-Length: 4294967295')));
  // 5. a TCP message announcing a 10 MB body, and sending it
  const long = ascii(reg(5).replace('Content-Length: 0', 'Content-Length: 10000000'));
  let s2 = 7000;
  yield rec(ethernet(0x0800, ipv4(tcp(40001, 5060, long, { seq: s2 }), { proto: 6 })));
  s2 += long.length;
  const body = new Uint8Array(1400).fill(0x62);
  for (let sent = 0; sent < 10000000; sent += body.length) {
    const n = Math.min(body.length, 10000000 - sent);
    yield rec(ethernet(0x0800, ipv4(tcp(40001, 5060, body.subarray(0, n), { seq: s2 }), { proto: 6 })));
    s2 += n;
  }
  yield rec(ethernet(0x0800, ipv4(tcp(40001, 5060, ascii(reg(6)), { seq: s2 }), { proto: 6 })));
  yield rec(udpFrame(reg(7)));
}


const STREAMS: Record<string, () => Generator<Uint8Array>> = { 'log-200mb-line': log200MbLine, 'pcap-worst': pcapWorst };

async function main(): Promise<void> {
  const make = STREAMS[process.argv[2]];
  if (!make) {
    process.stderr.write(`generate: unknown stream '${process.argv[2]}' (${Object.keys(STREAMS).join(', ')})\n`);
    process.exit(2);
  }
  let bytes = 0;
  process.stdout.on('error', () => process.exit(0)); // the reader stopped early: its exit code tells
  for (const chunk of make()) {
    bytes += chunk.length;
    // copy: a generator may reuse its buffer, and the stream keeps it until written
    if (!process.stdout.write(Buffer.from(chunk))) await new Promise((r) => process.stdout.once('drain', r));
  }
  process.stderr.write(`GENERATED_BYTES=${bytes}\n`);
}

if (require.main === module) void main();
