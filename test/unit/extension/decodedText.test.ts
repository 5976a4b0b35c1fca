/**
 * DecodedText: a captured message rendered into the decoded view reads its text back from the
 * view's lines; the text must be exactly the one it gave up (line breaks included), before and
 * after the view's parts are joined into one document.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeBytes, CapturedMessage, fromWireMessage, toWireMessage, WireInterner, type WireMessage } from '../../../src/extension/analysis';
import { addMessageLines, DecodedBlocks, DecodedText } from '../../../src/extension/decodedText';
import { repoRoot } from '../../helpers/paths';

/** Places texts as the decoded view does (DecodedRenderer.add), `perChunk` texts per part. */
function render(texts: string[], perChunk: number): { text: DecodedText; exact: boolean[] } {
  const blocks = new DecodedBlocks();
  const text = new DecodedText(blocks);
  const exact: boolean[] = [];
  let chars = 0;
  for (let c = 0; c < texts.length; c += perChunk) {
    const lines: string[] = [];
    const chunkStart = chars;
    for (const t of texts.slice(c, c + perChunk)) {
      blocks.add(0, 0, chars);
      exact.push(
        addMessageLines(blocks, t, (line) => {
          lines.push(line);
          chars += line.length + 1;
        }),
      );
    }
    text.addChunk(chunkStart, lines.join('\n'));
  }
  return { text, exact };
}

test('a text comes back exactly from its lines, whatever its line breaks', () => {
  const texts = [
    '',
    '\r\n',
    'a',
    'REGISTER sip:x SIP/2.0\r\nVia: a\r\n\r\n',
    'SIP/2.0 200 OK\r\nContent-Length: 3\r\n\r\nabc',
    'a\nb\n',
    'a\rb\r\r',
    'a\r\n\rb',
    'a\r\n\nb\n\n\n',
    'lone\r',
    '\n\n',
  ];
  const { text, exact } = render(texts, 4);
  texts.forEach((t, i) => {
    assert.equal(exact[i], true, JSON.stringify(t));
    assert.equal(text.messageText(i), t, JSON.stringify(t));
    // As the view shows it: its lines joined with LF (a trailing line break opens no line).
    assert.equal(text.renderedLines(i), t.replace(/\r\n?|\n/g, '\n').replace(/\n$/, ''), JSON.stringify(t));
  });
  assert.equal(text.renderedLines(1), '');
  assert.equal(text.renderedLines(10), '\n');
});

test('a text with lines ended by a lone CR and by a lone LF is said not to come back exactly', () => {
  const { exact } = render(['a\rb\nc', 'a\r\nb\n'], 10);
  assert.deepEqual(exact, [false, true]);
});

test('captured messages of the sample captures read their text back from the view: same text, same parse tree, shared endpoints', () => {
  const dir = join(repoRoot, 'samples');
  const files = readdirSync(dir).filter((f) => /\.(pcap|pcapng|cap)$/.test(f));
  assert.ok(files.length >= 3, `${files.length} sample captures`);
  let n = 0;
  for (const f of files) {
    const originals = analyzeBytes(new Uint8Array(readFileSync(join(dir, f)))).messages;
    const interner = new WireInterner();
    const host = originals.map((m) => fromWireMessage(structuredClone(toWireMessage(m)) as WireMessage, interner));
    const texts = host.map((m) => (m as CapturedMessage).sipText);
    const { text, exact } = render(texts, 3);
    host.forEach((m, i) => {
      assert.ok(m instanceof CapturedMessage && exact[i]);
      m.readTextFrom(text);
      assert.equal(m.ownsText, false);
    });
    for (const [i, m] of host.entries()) {
      assert.equal((m as CapturedMessage).sipText, originals[i].sip.text, `${f} message ${i}`);
      assert.deepStrictEqual(m.sip, originals[i].sip, `${f} message ${i}`);
      assert.deepStrictEqual(m.src, originals[i].src);
      assert.deepStrictEqual(m.dst, originals[i].dst);
      n++;
    }
    // Messages between the same endpoints share one endpoint object.
    for (let i = 1; i < host.length; i++) {
      const prev = host.slice(0, i).find((p) => p.src && m(p.src) === m(host[i].src));
      if (prev) assert.strictEqual(prev.src, host[i].src);
    }
  }
  assert.ok(n >= 10, `${n} messages`);
});

const m = (e: { ip: string; port: number } | undefined) => (e ? `${e.ip}:${e.port}` : '');

test('the interner shares rule ids and severities of findings', () => {
  const interner = new WireInterner();
  const f1 = structuredClone({ messageIndex: 0, span: { start: 0, end: 1 }, ruleId: 'rfc3261-x', severity: 'error' as const, message: 'm' });
  const f2 = structuredClone(f1);
  interner.finding(f1);
  interner.finding(f2);
  assert.equal(f2.ruleId, 'rfc3261-x');
  assert.equal(f2.severity, 'error');
});
