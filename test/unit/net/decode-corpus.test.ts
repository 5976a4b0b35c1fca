/**
 * Every UDP datagram and TCP segment the decoder emits for the public corpus captures, compared
 * with what tshark dissects: frame, innermost addresses, ports, payload length, TCP sequence and
 * SYN/FIN/RST. Reassembled IP datagrams are compared at the frame that completes them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { detectFormat } from '../../../src/core/capture/detect';
import { PacketDecoder } from '../../../src/core/net/decode';
import { mapLimit, readCapture, tsharkFields, tsharkPresent } from '../../helpers/captureBuilder';
import { corpusPresent, corpusRoot, listFiles } from '../../helpers/paths';

const pcapDir = path.join(corpusRoot, 'pcap');
const files = listFiles(pcapDir, (n) => /\.(pcap|pcapng|cap)$/.test(n));
/** Fuzzed: tshark's udp.length is the bogus header value, not what was carried. */
const SKIP = new Set(['nDPI/fuzz-2006-06-26-2594.pcap']);

const FIELDS = ['frame.number', 'frame.protocols', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'udp.srcport', 'udp.dstport', 'udp.length', 'tcp.srcport', 'tcp.dstport', 'tcp.len', 'tcp.seq', 'tcp.flags'];

const TSHARK_OPTIONS = ['-o', 'tcp.relative_sequence_numbers:FALSE', '-o', 'tcp.desegment_tcp_streams:FALSE', '-o', 'ip.defragment:TRUE', '-o', 'ipv6.defragment:TRUE', '-E', 'occurrence=l'];

function tsharkPayloads(lines: string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    const [n, protos, s4, d4, s6, d6, us, ud, ul, ts, td, tl, seq, flags] = line.split('\t');
    const stack = protos.split(':');
    // Headers quoted inside ICMP errors are not traffic.
    if (stack.includes('icmp') || stack.includes('icmpv6')) continue;
    const v6 = stack.lastIndexOf('ipv6') > stack.lastIndexOf('ip');
    const src = v6 ? s6 : s4, dst = v6 ? d6 : d4;
    const u = stack.lastIndexOf('udp'), t = stack.lastIndexOf('tcp');
    if (u > t) {
      if (+ul > 8) out.push(`${n} UDP ${src}:${us} > ${dst}:${ud} ${+ul - 8}`);
    } else if (t >= 0) {
      const f = parseInt(flags, 16) & 7;
      if (+tl > 0 || f) out.push(`${n} TCP ${src}:${ts} > ${dst}:${td} ${tl} ${seq} ${f}`);
    }
  }
  return out;
}

test('decoder output matches tshark on the corpus', async (t) => {
  if (!corpusPresent || files.length === 0) return t.skip(`corpus absent: ${pcapDir}`);
  if (!tsharkPresent) return t.skip('tshark absent');
  const todo = files.filter((f) => !SKIP.has(path.relative(pcapDir, f)));
  const truths = await mapLimit(todo, 4, async (f) => tsharkPayloads(await tsharkFields(f, FIELDS, TSHARK_OPTIONS)));
  for (const [i, file] of todo.entries()) {
    const rel = path.relative(pcapDir, file);
    await t.test(rel, () => {
      const bytes = new Uint8Array(fs.readFileSync(file));
      const format = detectFormat(bytes.subarray(0, 64));
      assert.ok(format === 'pcap' || format === 'pcapng');
      const ours: string[] = [];
      const decoder = new PacketDecoder({
        udp: (p) => ours.push(`${p.frame} UDP ${p.src.ip}:${p.src.port} > ${p.dst.ip}:${p.dst.port} ${p.data.length}`),
        tcp: (s) => ours.push(`${s.frame} TCP ${s.src.ip}:${s.src.port} > ${s.dst.ip}:${s.dst.port} ${s.data.length} ${s.seq} ${s.flags & 7}`),
        problem: (p) => assert.fail(`${rel}: ${p.code} ${p.message}`),
      });
      for (const f of readCapture(format, bytes).frames) decoder.frame(f);
      decoder.end();
      assert.deepEqual(ours, truths[i]);
    });
  }
});
