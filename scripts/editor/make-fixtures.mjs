// Makes src/test/fixtures/broken-register.pcap from src/test/fixtures/broken-register.sip: each
// message (separated by an empty line, Content-Length 0) becomes one UDP datagram over Ethernet and
// IPv4, request 192.0.2.10:5060 -> 192.0.2.1:5060, responses the other way, 50 ms apart from
// 2024-01-01T00:00:00Z. Deterministic, so the file only changes when the .sip file does.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './lib.mjs';

const dir = join(root, 'src', 'test', 'fixtures');
const text = readFileSync(join(dir, 'broken-register.sip'), 'utf8');
const messages = text
  .split(/\n\n+/)
  .map((m) => m.trim())
  .filter(Boolean)
  .map((m) => Buffer.from(`${m.split('\n').join('\r\n')}\r\n\r\n`, 'latin1'));

const ue = [192, 0, 2, 10];
const registrar = [192, 0, 2, 1];

function ipChecksum(h) {
  let sum = 0;
  for (let i = 0; i < h.length; i += 2) sum += (h[i] << 8) | h[i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function frame(payload, fromUe, id) {
  const [src, dst] = fromUe ? [ue, registrar] : [registrar, ue];
  const eth = Buffer.from([0x02, 0, 0, 0, 0, fromUe ? 1 : 2, 0x02, 0, 0, 0, 0, fromUe ? 2 : 1, 0x08, 0x00]);
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(5060, 0);
  udp.writeUInt16BE(5060, 2);
  udp.writeUInt16BE(8 + payload.length, 4);
  udp.writeUInt16BE(0, 6); // no UDP checksum (allowed over IPv4, RFC 768)
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + 8 + payload.length, 2);
  ip.writeUInt16BE(id, 4);
  ip[8] = 64;
  ip[9] = 17;
  Buffer.from(src).copy(ip, 12);
  Buffer.from(dst).copy(ip, 16);
  ip.writeUInt16BE(ipChecksum(ip), 10);
  return Buffer.concat([eth, ip, udp, payload]);
}

const global = Buffer.alloc(24);
global.writeUInt32LE(0xa1b2c3d4, 0);
global.writeUInt16LE(2, 4);
global.writeUInt16LE(4, 6);
global.writeUInt32LE(65535, 16);
global.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
const parts = [global];
const t0 = Date.UTC(2024, 0, 1) / 1000;
messages.forEach((m, i) => {
  const isRequest = !m.subarray(0, 8).toString('latin1').startsWith('SIP/2.0 ');
  const f = frame(m, isRequest, 0x1000 + i);
  const rec = Buffer.alloc(16);
  rec.writeUInt32LE(t0, 0);
  rec.writeUInt32LE(i * 50000, 4);
  rec.writeUInt32LE(f.length, 8);
  rec.writeUInt32LE(f.length, 12);
  parts.push(rec, f);
});
writeFileSync(join(dir, 'broken-register.pcap'), Buffer.concat(parts));
console.log(`broken-register.pcap: ${messages.length} frames`);
