/**
 * Every capture of the public corpus: frame count, timestamps and lengths as tshark reads them,
 * whatever the chunk size, and only the problems each file is known to deserve.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { detectFormat } from '../../../src/core/capture/detect';
import { PacketDecoder } from '../../../src/core/net/decode';
import type { Problem, RawFrame } from '../../../src/core/types';
import { mapLimit, readCapture, tsharkFields, tsharkPresent } from '../../helpers/captureBuilder';
import { corpusPresent, corpusRoot, listFiles } from '../../helpers/paths';

const pcapDir = path.join(corpusRoot, 'pcap');
const files = listFiles(pcapDir, (n) => /\.(pcap|pcapng|cap)$/.test(n));

/** Decoder problems a file is known to deserve (by code), e.g. fuzzed packets. Others fail. */
const EXPECTED_DECODE_PROBLEMS: Record<string, string[]> = {
  // A fuzzed capture: bogus versions and lengths everywhere (tshark flags the same frames).
  'nDPI/fuzz-2006-06-26-2594.pcap': [
    'ipv4-malformed', 'ipv4-bad-length', 'udp-bad-length', 'tcp-malformed', 'ip-fragment-malformed', 'ip-fragments-timeout', 'ip-fragments-incomplete',
  ],
};


const line = (f: RawFrame) => `${f.frame}\t${f.ts.sec}.${String(f.ts.nsec).padStart(9, '0')}\t${f.data.length}\t${f.origLen}`;

test('corpus captures', async (t) => {
  if (!corpusPresent || files.length === 0) return t.skip(`corpus absent: ${pcapDir}`);
  const truths = tsharkPresent ? await mapLimit(files, 4, (f) => tsharkFields(f, ['frame.number', 'frame.time_epoch', 'frame.cap_len', 'frame.len'])) : [];
  for (const [i, file] of files.entries()) {
    const rel = path.relative(pcapDir, file);
    await t.test(rel, (tt) => {
      const bytes = new Uint8Array(fs.readFileSync(file));
      const format = detectFormat(bytes.subarray(0, 64));
      assert.ok(format === 'pcap' || format === 'pcapng', `${rel}: detected ${format}`);
      const whole = readCapture(format, bytes);
      assert.deepEqual(whole.problems, [], `${rel}: reader problems`);
      const oneByte = readCapture(format, bytes, 1);
      assert.deepEqual(oneByte.frames.map(line), whole.frames.map(line));
      assert.deepEqual(readCapture(format, bytes, 4093).frames.map((f) => f.fileOffset), whole.frames.map((f) => f.fileOffset));

      const problems: Problem[] = [];
      let payloads = 0;
      const decoder = new PacketDecoder({ udp: () => payloads++, tcp: () => payloads++, problem: (p) => problems.push(p) });
      for (const f of whole.frames) decoder.frame(f);
      decoder.end();
      const allowed = new Set(EXPECTED_DECODE_PROBLEMS[rel] ?? []);
      const unexpected = problems.filter((p) => !allowed.has(p.code));
      assert.deepEqual(unexpected, [], `${rel}: decoder problems`);
      assert.ok(payloads > 0, `${rel}: no UDP/TCP payload found`);

      if (!tsharkPresent) return tt.skip('tshark absent: frame count not checked');
      const truth = truths[i];
      assert.equal(whole.frames.length, truth.length, `${rel}: frame count`);
      assert.deepEqual(whole.frames.map(line), truth, `${rel}: frames`);
    });
  }
});
