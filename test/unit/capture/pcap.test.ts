import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createCaptureReader, MAX_PACKET_BYTES } from '../../../src/core/capture/index';
import { PcapReader } from '../../../src/core/capture/pcap';
import { PcapngReader } from '../../../src/core/capture/pcapng';
import { buildPcap, readCapture as read, readEveryWay } from '../../helpers/captureBuilder';

const pkt = (n: number, fill: number) => new Uint8Array(n).fill(fill);

for (const le of [true, false]) {
  for (const nanos of [false, true]) {
    test(`pcap ${le ? 'little' : 'big'}-endian, ${nanos ? 'ns' : 'µs'}: frames, timestamps, offsets`, () => {
      const { bytes, dataOffsets } = buildPcap({ le, nanos, linkType: 1, snaplen: 65535 }, [
        { sec: 1700000000, frac: nanos ? 123456789 : 123456, data: pkt(60, 1) },
        { sec: 1700000001, frac: nanos ? 999999999 : 999999, data: pkt(1514, 2), origLen: 1514 },
        { sec: 1700000002, frac: 0, data: pkt(0, 0), origLen: 0 },
      ]);
      const r = readEveryWay('pcap', bytes);
      assert.deepEqual(r.problems, []);
      assert.deepEqual(r.frames.map((f) => [f.frame, f.linkType, f.ts.sec, f.ts.nsec, f.data.length, f.origLen, f.fileOffset, f.interfaceId]), [
        [1, 1, 1700000000, nanos ? 123456789 : 123456000, 60, 60, 40, 0],
        [2, 1, 1700000001, nanos ? 999999999 : 999999000, 1514, 1514, dataOffsets[1], 0],
        [3, 1, 1700000002, 0, 0, 0, dataOffsets[2], 0],
      ]);
      assert.equal(dataOffsets[1], 40 + 60 + 16);
      assert.equal(r.frames[1].data[0], 2);
    });
  }
}

test('pcap: FCS bits in the link-type field are masked; snaplen cut keeps origLen', () => {
  const fcsLinkType = (0x2 << 28) | (1 << 26) | 1; // FCS length 2 (16-bit units), F bit, Ethernet
  const { bytes } = buildPcap({ linkType: fcsLinkType, snaplen: 96 }, [{ sec: 5, frac: 1, data: pkt(96, 3), origLen: 1400 }]);
  const r = readEveryWay('pcap', bytes);
  assert.deepEqual(r.problems, []);
  assert.equal(r.frames[0].linkType, 1);
  assert.equal(r.frames[0].origLen, 1400);
  assert.equal(r.frames[0].data.length, 96);
  assert.deepEqual(r.frames[0].ts, { sec: 5, nsec: 1000 });
});

test('pcap: file cut inside a record header and inside a record body', () => {
  const { bytes } = buildPcap({}, [{ data: pkt(100, 1) }, { data: pkt(100, 2) }]);
  const cutBody = readEveryWay('pcap', bytes.subarray(0, bytes.length - 10));
  assert.equal(cutBody.frames.length, 1);
  assert.deepEqual(cutBody.problems.map((p) => [p.code, p.frame, p.offset]), [['pcap-truncated-record', 2, 24 + 116]]);
  assert.match(cutBody.problems[0].message, /90 of 100 captured bytes/);
  const cutHeader = readEveryWay('pcap', bytes.subarray(0, 24 + 116 + 5));
  assert.equal(cutHeader.frames.length, 1);
  assert.deepEqual(cutHeader.problems.map((p) => [p.code, p.frame, p.offset]), [['pcap-truncated-record', 2, 140]]);
  assert.match(cutHeader.problems[0].message, /record header of frame 2 \(5 of 16 bytes\)/);
  const noHeader = readEveryWay('pcap', bytes.subarray(0, 10));
  assert.deepEqual(noHeader.problems.map((p) => p.code), ['pcap-truncated-header']);
  assert.deepEqual(readEveryWay('pcap', new Uint8Array(0)).problems.map((p) => p.code), ['pcap-truncated-header']);
});

test('pcap: an absurd captured length stops reading without allocating it', () => {
  const { bytes } = buildPcap({ snaplen: 65535 }, [{ data: pkt(50, 1) }, { data: pkt(50, 2), inclLen: 0x7ffffff0 }, { data: pkt(50, 3) }]);
  const r = readEveryWay('pcap', bytes);
  assert.equal(r.frames.length, 1);
  assert.deepEqual(r.problems.map((p) => [p.code, p.severity, p.frame, p.offset]), [['pcap-record-too-large', 'error', 2, 24 + 66]]);
});

test('pcap: an oversized record the header allows is skipped as it streams, and reading goes on', () => {
  const big = 300000;
  const { bytes, dataOffsets } = buildPcap({ snaplen: 0x1000000 }, [{ data: pkt(50, 1) }, { data: pkt(big, 2) }, { data: pkt(50, 3) }]);
  const r = readEveryWay('pcap', bytes);
  assert.deepEqual(r.frames.map((f) => [f.frame, f.data[0], f.fileOffset]), [[1, 1, 40], [3, 3, dataOffsets[2]]]);
  assert.deepEqual(r.problems.map((p) => [p.code, p.severity, p.frame]), [['pcap-record-too-large', 'warning', 2]]);
  // Cut inside the skipped record.
  const cut = read('pcap', bytes.subarray(0, 24 + 66 + 16 + 1000), 100);
  assert.deepEqual(cut.problems.map((p) => [p.code, p.frame]), [['pcap-record-too-large', 2], ['pcap-truncated-record', 2]]);
});

test('pcap: a record longer than the snaplen is read, with one warning', () => {
  const { bytes } = buildPcap({ snaplen: 64 }, [{ data: pkt(100, 1) }, { data: pkt(100, 2) }]);
  const r = readEveryWay('pcap', bytes);
  assert.equal(r.frames.length, 2);
  assert.deepEqual(r.problems.map((p) => [p.code, p.frame]), [['pcap-record-exceeds-snaplen', 1]]);
});

test('pcap: bad magic is reported and nothing is read', () => {
  const r = readEveryWay('pcap', new Uint8Array(64).fill(0x41));
  assert.deepEqual(r.problems.map((p) => [p.code, p.severity, p.offset]), [['pcap-bad-magic', 'error', 0]]);
  assert.equal(r.frames.length, 0);
});

test('pcap: modified (Kuznetzov) format with 24-byte record headers; version warning', () => {
  const rec = new Uint8Array(24 + 10);
  const dv = new DataView(rec.buffer);
  dv.setUint32(0, 7, true);
  dv.setUint32(4, 500, true);
  dv.setUint32(8, 10, true);
  dv.setUint32(12, 10, true);
  rec.fill(9, 24);
  const hdr = new Uint8Array(24);
  const hv = new DataView(hdr.buffer);
  hv.setUint32(0, 0xa1b2cd34, true);
  hv.setUint16(4, 2, true);
  hv.setUint16(6, 4, true);
  hv.setUint32(16, 65535, true);
  hv.setUint32(20, 1, true);
  const file = new Uint8Array([...hdr, ...rec]);
  const r = readEveryWay('pcap', file);
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.frames.map((f) => [f.frame, f.ts.sec, f.ts.nsec, f.data.length, f.fileOffset]), [[1, 7, 500000, 10, 48]]);
  const v1 = buildPcap({ major: 1, minor: 0 }, [{ data: pkt(4, 1) }]);
  assert.deepEqual(readEveryWay('pcap', v1.bytes).problems.map((p) => p.code), ['pcap-unsupported-version']);
});

test('pcap: a microsecond field past one second carries into the seconds', () => {
  const { bytes } = buildPcap({}, [{ sec: 10, frac: 2500000, data: pkt(1, 1) }]);
  assert.deepEqual(readEveryWay('pcap', bytes).frames[0].ts, { sec: 12, nsec: 500000000 });
});

test('pcap: frame data is a view into the pushed chunk (no copy) when the record is whole', () => {
  const { bytes } = buildPcap({}, [{ data: pkt(20, 1) }]);
  let seen: Uint8Array | undefined;
  const reader = new PcapReader({ frame: (f) => (seen = f.data), problem: () => assert.fail() });
  reader.push(bytes);
  reader.end();
  assert.equal(seen!.buffer, bytes.buffer);
});

test('pcap: many 1 MiB chunks, memory stays at one record', () => {
  const records = Array.from({ length: 2000 }, (_, i) => ({ sec: i, data: pkt(1000, i & 0xff) }));
  const { bytes } = buildPcap({}, records);
  const r = read('pcap', bytes, 1 << 20);
  assert.equal(r.frames.length, 2000);
  assert.equal(r.frames[1999].ts.sec, 1999);
  assert.equal(r.frames[1999].data[0], 1999 & 0xff);
});

test('memory: a skipped oversized record is never buffered, even pushed byte by byte', () => {
  const { bytes } = buildPcap({ snaplen: 0x1000000 }, [{ data: pkt(3 * 1024 * 1024, 1) }, { data: pkt(10, 2) }]);
  const frames: number[] = [];
  const reader = new PcapReader({ frame: (f) => frames.push(f.frame), problem: () => {} });
  for (let i = 0; i < bytes.length; i += 1) reader.push(bytes.subarray(i, i + 1));
  reader.end();
  assert.deepEqual(frames, [2]);
  assert.ok((reader as any).carry.length <= MAX_PACKET_BYTES, `carry grew to ${(reader as any).carry.length}`);
});

test('createCaptureReader picks the reader by format', () => {
  const sink = { frame: () => {}, problem: () => {} };
  assert.ok(createCaptureReader('pcap', sink) instanceof PcapReader);
  assert.ok(createCaptureReader('pcapng', sink) instanceof PcapngReader);
});

test('pcap variants agree with tshark (frame, time, lengths)', (t) => {
  if (spawnSync('tshark', ['-v'], { stdio: 'ignore' }).status !== 0) return t.skip('tshark absent');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sti-pcap-'));
  try {
    for (const le of [true, false]) {
      for (const nanos of [false, true]) {
        const { bytes } = buildPcap({ le, nanos, snaplen: 100 }, [
          { sec: 1700000000, frac: nanos ? 1 : 999999, data: pkt(60, 1) },
          { sec: 1700000001, frac: nanos ? 999999999 : 1, data: pkt(100, 2), origLen: 1500 },
        ]);
        const file = path.join(dir, `${le}-${nanos}.pcap`);
        fs.writeFileSync(file, bytes);
        const out = spawnSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.number', '-e', 'frame.time_epoch', '-e', 'frame.cap_len', '-e', 'frame.len'], { encoding: 'utf8' }).stdout;
        const ours = read('pcap', bytes).frames.map((f) => `${f.frame}\t${f.ts.sec}.${String(f.ts.nsec).padStart(9, '0')}\t${f.data.length}\t${f.origLen}`);
        assert.deepEqual(ours, out.trim().split('\n'));
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
