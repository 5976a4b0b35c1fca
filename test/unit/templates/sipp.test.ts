/**
 * SIPp export without running SIPp: keyword substitution, challenge handling, XML safety
 * (CDATA / comment escaping of hostile template text), and the problems it reports.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TEMPLATE_KINDS, blankFields, generateFlow, generateTemplate, seededRng, toSippScenario } from '../../../src/core/templates/index';

const filled = { eventPackage: 'im-settings', contentType: 'application/im-settings+xml', settingsBody: '<settings/>\n' };

function sends(xml: string): string[] {
  return [...xml.matchAll(/<send[^>]*><!\[CDATA\[\n([\s\S]*?)\n\]\]><\/send>/g)].map((m) => m[1]);
}

test('life cycle: keywords replace transport ids, challenge answered with [authentication], recv per step', () => {
  const rng = seededRng(1);
  const fields = { ...blankFields('generic', { rng }), ...filled, callId: 'abc%1@192.0.2.10' };
  const flow = generateFlow(TEMPLATE_KINDS, fields, { auth: 'digest' }, rng);
  const x = toSippScenario(flow, { name: 'life' });
  assert.deepEqual(x.problems, []);
  const s = sends(x.xml);
  assert.equal(s.length, 6);
  assert.match(s[0], /^REGISTER sip:ims\.example\.net SIP\/2\.0\nVia: SIP\/2\.0\/\[transport\] \[local_ip\]:\[local_port\];branch=\[branch\];rport\n/);
  assert.match(s[0], /\nCall-ID: \[call_id\]\n/);
  assert.match(s[0], /\nContact: <sip:alice@\[local_ip\]:\[local_port\]>;\+g\.oma\.sip-im;/);
  assert.match(s[0], /\nContent-Length: \[len\]\n$/);
  assert.doesNotMatch(s[0], /\[authentication\]|Authorization/);
  for (const i of [1, 3, 4, 5]) assert.match(s[i], /\n\[authentication\]\n/, `step ${i + 1}`);
  assert.match(s[2], /^PUBLISH sip:alice@ims\.example\.net SIP\/2\.0\n/);
  assert.match(s[2], /\nCall-ID: pub\/\/\/\[call_id\]\n/);
  assert.match(s[2], /\n\n<settings\/>$/);
  assert.deepEqual([...x.xml.matchAll(/<recv response="(\d+)"( auth="true")?\/>/g)].filter((m) => m[1] !== '100').map((m) => m[1] + (m[2] ? '+auth' : '')), ['401+auth', '200', '200', '200', '200', '200']);
  assert.equal(x.commandLine, "sipp -sf life.xml -t u1 -m 1 -cid_str abc%%1@192.0.2.10 -au alice -ap PASSWORD ims.example.net:5060");
  assert.match(x.xml, /<send retrans="500">/);
});

test('TCP: no retransmission timer; IMS AKA initial keeps its empty credentials literal', () => {
  const rng = seededRng(2);
  const t = generateTemplate('initial', blankFields('ims', { rng }), { profile: 'ims', auth: 'ims-aka', transport: 'TCP' }, rng);
  const x = toSippScenario([t]);
  assert.doesNotMatch(x.xml, /retrans=/);
  assert.match(sends(x.xml)[0], /\nAuthorization: Digest username="alice@ims\.example\.net", realm="ims\.example\.net", uri="sip:ims\.example\.net", nonce="", response=""\n/);
  assert.match(x.commandLine, / -t t1 /);
  assert.match(x.xml, /<recv response="401" auth="true"\/>/);
});

test('problems: open catalog 11.1 placeholders, credentials with no challenge in the flow, stray [..] keywords', () => {
  const rng = seededRng(3);
  const fields = blankFields('generic', { rng });
  const x = toSippScenario([generateTemplate('publish', fields, {}, rng), generateTemplate('refresh', fields, {}, rng)]);
  assert.equal(x.problems.length, 2, x.problems.join('\n'));
  assert.match(x.problems[0], /^step 1 \(publish\): fill the «» placeholders first \(im-settings-event-package, im-settings-mime-type, im-service-settings-document\)/);
  assert.match(x.problems[1], /^step 2 \(refresh\): credentials without a challenge earlier in the flow/);
  const y = toSippScenario([generateTemplate('publish', { ...fields, ...filled, settingsBody: '<a>[x]</a>' }, {}, rng)]);
  assert.deepEqual(y.problems, ['step 1 (publish): SIPp would read "[x]" as a keyword']);
});

test('hostile text stays inside CDATA and comments: ]]> is split, -- is broken', () => {
  const rng = seededRng(4);
  const evil = 'x]]><script>alert(1)</script><!-- --';
  const t = generateTemplate('publish', { ...blankFields('generic', { rng }), ...filled, settingsBody: `<a>${evil}</a>` }, {}, rng);
  const x = toSippScenario([t], { name: 'a"b<c' });
  assert.match(x.xml, /<scenario name="a&#34;b&#60;c">/);
  assert.doesNotMatch(x.xml, /x\]\]><script>/);
  assert.match(x.xml, /x\]\]\]\]><!\[CDATA\[><script>/);
  // Every comment is well formed: no "--" inside.
  for (const m of x.xml.matchAll(/<!--([\s\S]*?)-->/g)) assert.doesNotMatch(m[1], /--/);
});
