import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectFormat } from '../../../src/core/capture/detect';
import { PcapngBuilder, buildPcap } from '../../helpers/captureBuilder';

const enc = (s: string) => new TextEncoder().encode(s);

test('detectFormat: pcap magics in both byte orders, µs, ns and modified', () => {
  for (const le of [true, false]) for (const nanos of [true, false]) assert.equal(detectFormat(buildPcap({ le, nanos }, []).bytes), 'pcap');
  assert.equal(detectFormat(new Uint8Array([0xa1, 0xb2, 0xcd, 0x34])), 'pcap');
  assert.equal(detectFormat(new Uint8Array([0x34, 0xcd, 0xb2, 0xa1])), 'pcap');
});

test('detectFormat: pcapng in both byte orders', () => {
  assert.equal(detectFormat(new PcapngBuilder().section(true).bytes()), 'pcapng');
  assert.equal(detectFormat(new PcapngBuilder().section(false).bytes()), 'pcapng');
});

test('detectFormat: text logs (ASCII, UTF-8, BOM, tabs, CRLF, ANSI colours)', () => {
  assert.equal(detectFormat(enc('REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1\r\n')), 'text');
  assert.equal(detectFormat(enc('\uFEFF2024-01-01 12:00:00\tkamailio: café ✓\n')), 'text');
  assert.equal(detectFormat(enc('\x1b[32mINFO\x1b[0m sent 200 OK\n')), 'text');
  // A multi-byte character cut by the end of the sample.
  assert.equal(detectFormat(enc('Zoë').subarray(0, 3)), 'text');
});

test('detectFormat: binary and empty input are unknown', () => {
  assert.equal(detectFormat(new Uint8Array(0)), 'unknown');
  assert.equal(detectFormat(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00])), 'unknown'); // zip
  assert.equal(detectFormat(enc('abc\x00def')), 'unknown');
  assert.equal(detectFormat(new Uint8Array([0x41, 0xc0, 0x80])), 'unknown'); // overlong UTF-8
  assert.equal(detectFormat(new Uint8Array([0xef, 0xbb, 0xbf])), 'unknown'); // a BOM and nothing else
  assert.equal(detectFormat(new Uint8Array([0xa1, 0xb2, 0xc3])), 'unknown');
});
