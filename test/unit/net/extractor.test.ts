import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SipExtractor, type PduSink } from '../../../src/core/net/sipExtractor';
import { TcpFlags, type Endpoint, type Problem, type SipPdu, type TransportPayload } from '../../../src/core/types';

const UA: Endpoint = { ip: '2001:db8::1', port: 40123 };
const PROXY: Endpoint = { ip: '2001:db8::2', port: 15060 }; // not 5060: SIP is found by content

const enc = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const dec = (b: Uint8Array): string => String.fromCharCode(...b);

class Collect implements PduSink {
  pdus: SipPdu[] = [];
  problems: Problem[] = [];
  pdu(p: SipPdu): void {
    this.pdus.push(p);
  }
  problem(p: Problem): void {
    this.problems.push(p);
  }
}

function dgram(frame: number, data: string | Uint8Array, fileOffset?: number, transport: TransportPayload['transport'] = 'UDP'): TransportPayload {
  return { frame, ts: { sec: 1700000000, nsec: frame }, transport, src: UA, dst: PROXY, data: typeof data === 'string' ? enc(data) : data, fileOffset };
}

const REGISTER =
  'REGISTER sip:example.com SIP/2.0\r\n' +
  'Via: SIP/2.0/UDP [2001:db8::1]:40123;branch=z9hG4bK77\r\n' +
  'From: <sip:alice@example.com>;tag=9\r\n' +
  'To: <sip:alice@example.com>\r\n' +
  'Call-ID: u1\r\n' +
  'CSeq: 1 REGISTER\r\n' +
  'Content-Length: 0\r\n\r\n';

test('UDP: a SIP datagram on any port becomes one PDU with its file offset; bytes are a copy', () => {
  const c = new Collect();
  const x = new SipExtractor(c);
  const p = dgram(3, REGISTER, 2000);
  x.udp(p);
  assert.deepEqual(c.problems, []);
  assert.equal(c.pdus.length, 1);
  const pdu = c.pdus[0];
  assert.deepEqual([pdu.frame, pdu.frames, pdu.fileOffset, pdu.transport, pdu.src, pdu.dst, pdu.ts], [3, [3], 2000, 'UDP', UA, PROXY, { sec: 1700000000, nsec: 3 }]);
  assert.equal(dec(pdu.bytes), REGISTER);
  p.data.fill(0); // the reader may reuse its buffer
  assert.equal(dec(pdu.bytes), REGISTER);
});

test('UDP: leading CRLFs are skipped, keep-alives and non-SIP datagrams ignored silently', () => {
  const c = new Collect();
  const x = new SipExtractor(c);
  x.udp(dgram(1, '\r\n\r\n', 100));
  x.udp(dgram(2, '\r\n', 100));
  x.udp(dgram(3, new Uint8Array([0x80, 0x00, 0x01, 0x02, 0, 0, 0, 0xa0, 1, 2, 3, 4]), 100)); // RTP
  x.udp(dgram(4, new Uint8Array([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42]), 100)); // STUN
  x.udp(dgram(5, new Uint8Array(0), 100));
  x.udp(dgram(6, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', 100));
  x.udp(dgram(7, '\r\n' + REGISTER, 100));
  assert.deepEqual(c.problems, []);
  assert.deepEqual(
    c.pdus.map((p) => [p.frame, p.fileOffset, dec(p.bytes)]),
    [[7, 102, REGISTER]],
  );
});

test('UDP: without a file offset the PDU has none', () => {
  const c = new Collect();
  new SipExtractor(c).udp(dgram(1, REGISTER));
  assert.equal(c.pdus[0].fileOffset, undefined);
  assert.equal('fileOffset' in c.pdus[0] && c.pdus[0].fileOffset !== undefined, false);
});

test('UDP: octets after Content-Length are ignored (RFC 3261 §18.3) but reported as info', () => {
  const invite = 'INVITE sip:joe@example.com SIP/2.0\r\nCall-ID: d2\r\nContent-Length: 0\r\n\r\n';
  const c = new Collect();
  const x = new SipExtractor(c);
  x.udp(dgram(8, REGISTER + '\r\n' + invite, 500));
  x.udp(dgram(9, REGISTER + 'garbage', 900));
  x.udp(dgram(10, REGISTER + '\r\n\r\n', 1300)); // only blank lines after: nothing to say
  assert.deepEqual(c.pdus.map((p) => dec(p.bytes)), [REGISTER, REGISTER, REGISTER]);
  assert.deepEqual(
    c.problems.map((p) => [p.code, p.severity, p.frame, p.offset]),
    [
      ['udp-trailing-bytes', 'info', 8, 500 + REGISTER.length],
      ['udp-trailing-bytes', 'info', 9, 900 + REGISTER.length],
    ],
  );
  assert.match(c.problems[0].message, new RegExp(`^${invite.length + 2} bytes .*look like another SIP message`));
  assert.doesNotMatch(c.problems[1].message, /another SIP message/);
});

test('UDP: no Content-Length — body to the end; Content-Length too large — truncated, reported', () => {
  const noCl = 'MESSAGE sip:bob@example.com SIP/2.0\r\nCall-ID: n\r\n\r\nhello';
  const c = new Collect();
  const x = new SipExtractor(c);
  x.udp(dgram(1, noCl, 0));
  const bigCl = 'MESSAGE sip:bob@example.com SIP/2.0\r\nCall-ID: n\r\nContent-Length: 4294967295\r\n\r\nhello';
  x.udp(dgram(2, bigCl, 1000));
  const shortBody = 'MESSAGE sip:bob@example.com SIP/2.0\r\nCall-ID: n\r\nContent-Length: 50\r\n\r\nhello';
  x.udp(dgram(3, shortBody, 2000));
  assert.deepEqual(c.pdus.map((p) => dec(p.bytes)), [noCl, bigCl, shortBody]);
  assert.deepEqual(
    c.problems.map((p) => [p.code, p.frame, p.offset]),
    [
      ['sip-content-length-too-large', 2, 1000],
      ['sip-body-truncated', 3, 2000 + shortBody.length],
    ],
  );
});

test('other message-oriented transports keep their name; TCP goes through reassembly', () => {
  const c = new Collect();
  const x = new SipExtractor(c);
  x.udp(dgram(1, REGISTER, undefined, 'SCTP'));
  const seg = (frame: number, seq: number, data: string, flags: number = TcpFlags.ACK) => ({
    ...dgram(frame, data, 10 * frame, 'TCP'),
    seq,
    flags,
  });
  x.tcp(seg(2, 99, '', TcpFlags.SYN));
  x.tcp(seg(3, 100, REGISTER.slice(0, 50)));
  x.tcp(seg(4, 150, REGISTER.slice(50) + REGISTER.slice(0, 10)));
  assert.equal(x.tcpStats().streams, 1);
  x.end();
  assert.deepEqual(
    c.pdus.map((p) => [p.transport, p.frame, p.frames, dec(p.bytes) === REGISTER]),
    [
      ['SCTP', 1, [1], true],
      ['TCP', 4, [3, 4], true],
    ],
  );
  assert.deepEqual(
    c.problems.map((p) => [p.code, p.frame]),
    [['tcp-truncated-message', 4]],
  );
});

const corpus = path.resolve(process.cwd(), '../shared/corpus/public/rfc4475/resiprocate');

test('RFC 4475: dblreq over UDP gives the REGISTER only; all torture messages over one TCP stream', (t) => {
  if (!fs.existsSync(corpus)) {
    t.skip(`corpus absent: ${corpus}`);
    return;
  }
  const dbl = new Uint8Array(fs.readFileSync(path.join(corpus, 'dblreq.dat')));
  const c = new Collect();
  const x = new SipExtractor(c);
  x.udp(dgram(1, dbl, 0));
  assert.equal(c.pdus.length, 1);
  assert.match(dec(c.pdus[0].bytes), /^REGISTER sip:example.com SIP\/2.0\r\n[^]*Content-Length: 0\r\n\r\n$/);
  assert.deepEqual(c.problems.map((p) => [p.code, p.frame, p.offset]), [['udp-trailing-bytes', 1, c.pdus[0].bytes.length]]);
  assert.match(c.problems[0].message, /another SIP message/);

  // Messages whose Content-Length is right, sent back to back over TCP in 97-byte segments.
  const names = ['wsinv.dat', 'intmeth.dat', 'esc01.dat', 'escnull.dat', 'longreq.dat', 'mpart01.dat', 'noreason.dat', 'unreason.dat', 'regaut01.dat'];
  const msgs = names.map((n) => new Uint8Array(fs.readFileSync(path.join(corpus, n))));
  const stream = new Uint8Array(msgs.reduce((n, m) => n + m.length, 0));
  let o = 0;
  for (const m of msgs) {
    stream.set(m, o);
    o += m.length;
  }
  const d = new Collect();
  const y = new SipExtractor(d);
  let f = 1;
  for (let off = 0; off < stream.length; off += 97, f++) {
    y.tcp({ ...dgram(f, stream.subarray(off, off + 97), undefined, 'TCP'), seq: 1 + off, flags: TcpFlags.ACK });
  }
  y.end();
  assert.deepEqual(d.problems, []);
  assert.equal(d.pdus.length, names.length);
  d.pdus.forEach((p, i) => assert.deepEqual(p.bytes, msgs[i], names[i]));
});

test('UDP: a header section over the limit is reported and not delivered; options reach TCP too', () => {
  const c = new Collect();
  const x = new SipExtractor(c, { maxHeaderBytes: 64 });
  x.udp(dgram(5, REGISTER, 300));
  assert.deepEqual(c.pdus, []);
  assert.deepEqual(
    c.problems.map((p) => [p.code, p.severity, p.frame, p.offset]),
    [['sip-header-too-long', 'error', 5, 300]],
  );
  assert.match(c.problems[0].message, /\[2001:db8::1\]:40123: no empty line ends the header section within 64 bytes/);
  x.tcp({ ...dgram(6, REGISTER, 400, 'TCP'), seq: 1, flags: TcpFlags.ACK });
  x.end();
  assert.deepEqual(
    c.problems.map((p) => p.code),
    ['sip-header-too-long', 'sip-header-too-long', 'tcp-unframed-bytes'],
  );
  assert.match(c.problems[2].message, new RegExp(`^${REGISTER.length} bytes .*could not be framed`));
});
