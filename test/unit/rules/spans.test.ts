/**
 * Exact locations: for every rule, the findings its documented failing example produces, as
 * [message index, severity, the text the span covers]. A span that drifts (a whole header instead
 * of the parameter, the wrong message) fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_RULES } from '../../../src/core/rules/index';
import { checkExample } from '../../../src/core/rules/run-example';

const EXPECTED: Record<string, [number, string, string][]> = {
  'OMA-IM-REG-001': [[0, 'error', "<sip:alice@192.0.2.10:5060>"]],
  'OMA-IM-REG-002': [[0, 'error', "<sip:alice@192.0.2.10:5060>;+g.oma.sip-im;+g.oma.sip-im.large-message"]],
  'OMA-IM-REG-003': [[0, 'error', "<sip:alice@192.0.2.10:5060>;+g.oma.sip-im;+g.oma.sip-im.system-message"]],
  'OMA-IM-REG-004': [[0, 'error', "+g.oma.sip-im=1"]],
  'OMA-IM-REG-005': [[0, 'error', "+g.oma.sip-im.large_message"]],
  'OMA-IM-REG-006': [[0, 'error', "+g.oma.sip-im"]],
  'OMA-IM-REG-007': [[0, 'warning', "<sip:alice@[2001:db8::10]:5060>"]],
  'OMA-IM-REG-008': [[0, 'error', "pref"]],
  'OMA-IM-REG-009': [[0, 'error', "REGISTER sip:ims.example.net SIP/2.0"]],
  'OMA-IM-REG-010': [[0, 'error', "ExampleIM/2.3.1 (Android 14)"]],
  'OMA-IM-REG-011': [[0, 'warning', "OMA1.1"]],
  'OMA-IM-REG-012': [[0, 'warning', ";"]],
  'OMA-IM-REG-013': [[0, 'info', "REGISTER sip:ims.example.net SIP/2.0"]],
  'OMA-IM-REG-014': [[2, 'error', "Digest username=\"alice\", realm=\"ims.example.net\", nonce=\"\", uri=\"sip:ims.example.net\", response=\"\""], [2, 'error', "nonce=\"\""], [2, 'error', "response=\"\""]],
  'OMA-IM-REG-015': [[1, 'warning', "SIP/2.0 200 OK"]],
  'OMA-IM-REG-016': [[4, 'error', "<sip:alice@192.0.2.10:5060>;+g.oma.sip-im.large-message"]],
  'OMA-IM-REG-017': [[4, 'error', "<sip:alice@192.0.2.10:5062>"]],
  'OMA-IM-REG-018': [[4, 'info', "<sip:alice@192.0.2.10:5060>"]],
  'OMA-IM-REG-019': [[0, 'warning', "3600"]],
  'OMA-IM-REG-021': [[1, 'info', "<sip:alice@ims.example.net>, <tel:+15551230001>"]],
  'OMA-IM-REG-022': [[1, 'warning', "pref"]],
  'OMA-IM-PUB-001': [[1, 'warning', "SIP/2.0 200 OK"]],
  'OMA-IM-PUB-002': [[2, 'warning', "PUBLISH sip:alice@ims.example.net SIP/2.0"]],
  'OMA-IM-PUB-003': [[2, 'warning', "presence"]],
  'OMA-IM-PUB-004': [[2, 'info', "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:alice@ims.example.net\"/>"]],
  'OMA-IM-PUB-005': [[2, 'info', "PUBLISH sip:alice@ims.example.net SIP/2.0"]],
  'OMA-IM-PUB-006': [[3, 'info', "SIP/2.0 489 Bad Event"]],
  'RFC3261-REG-001': [[0, 'error', "sip:alice@ims.example.net"]],
  'RFC3261-REG-002': [[0, 'error', "tel:+15551230001"]],
  'RFC3261-REG-003': [[0, 'warning', "sip:admin@ims.example.net"]],
  'RFC3261-REG-004': [[0, 'error', "tag=as7d8"]],
  'RFC3261-REG-005': [[0, 'error', "REGISTER sip:ims.example.net SIP/2.0"]],
  'RFC3261-REG-006': [[0, 'error', "register"]],
  'RFC3261-REG-007': [[0, 'warning', "10"]],
  'RFC3261-REG-008': [[0, 'error', "branch=8a6b1c"]],
  'RFC3261-REG-009': [[2, 'error', "branch=z9hG4bK111"]],
  'RFC3261-REG-010': [[4, 'warning', "9f1c77aa@192.0.2.10"]],
  'RFC3261-REG-011': [[2, 'error', "1"]],
  'RFC3261-REG-012': [[1, 'error', "REGISTER sip:ims.example.net SIP/2.0"]],
  'RFC3261-REG-013': [[0, 'error', "*"]],
  'RFC3261-REG-014': [[0, 'error', "*"]],
  'RFC3261-REG-015': [[0, 'warning', "transport=tcp"]],
  'RFC3261-REG-016': [[0, 'error', "3600s"]],
  'RFC3261-REG-017': [[0, 'warning', "expires=0"]],
  'RFC3261-REG-018': [[0, 'warning', "action=proxy"]],
  'RFC3261-REG-019': [[0, 'error', "1.5"]],
  'RFC3261-REG-020': [[0, 'warning', "sip:alice@192.0.2.10:5060"]],
  'RFC3261-REG-021': [[0, 'warning', "Record-Route: <sip:192.0.2.10;lr>"]],
  'RFC3261-REG-022': [[0, 'error', "0"]],
  'RFC3261-REG-023': [[4, 'warning', "sip:other.example.net"]],
  'RFC3261-RSP-001': [[1, 'error', "<sip:alice@ims.example.net>;tag=zz99"]],
  'RFC3261-RSP-002': [[1, 'error', "<sip:alice@ims.example.net>"]],
  'RFC3261-RSP-003': [[0, 'warning', "REGISTER sip:ims.example.net SIP/2.0"]],
  'RFC3261-RSP-004': [[1, 'error', "SIP/2.0 401 Unauthorized"]],
  'RFC3261-RSP-005': [[1, 'warning', "SIP/2.0 401 Unauthorized"]],
  'RFC3261-RSP-006': [[1, 'error', "SIP/2.0 423 Interval Too Brief"]],
  'RFC3261-RSP-007': [[2, 'error', "45"]],
  'RFC3261-RSP-008': [[1, 'warning', "SIP/2.0 200 OK"]],
  'RFC3261-RSP-009': [[1, 'warning', "<sip:alice@192.0.2.10:5060>;expires=1800"]],
  'RFC3261-RSP-010': [[2, 'warning', "REGISTER sip:ims.example.net SIP/2.0"]],
  'RFC3261-RSP-011': [[1, 'info', "<sip:alice@192.0.2.10:5060>;expires=3600"]],
  'RFC3840-001': [[0, 'error', "+g.3gpp.app_ref"]],
  'RFC3840-002': [[0, 'error', "urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.msg"]],
  'RFC3840-003': [[0, 'error', "\"urn:uuid:0ed88e5e-9fb0-4656-8d3c-41384aca903a\""]],
  'RFC3840-004': [[0, 'warning', "+audio"]],
  'RFC3840-005': [[0, 'warning', "+G.OMA.SIP-IM"]],
  'RFC3840-006': [[0, 'info', "+G.OMA.SIP-IM"]],
  'RFC3840-007': [[0, 'info', "pref"]],
  'RFC3841-001': [[0, 'info', "Accept-Contact: *;+g.oma.sip-im"]],
  'SIP-PARSE-001': [[0, 'error', "abc"]],
  'SIP-PARSE-002': [[0, 'error', "User-Agent: ExampleIM/2.3.1"]],
  'CLASS-001': [[0, 'info', "REGISTER sip:ims.example.net SIP/2.0"]],
  'CLASS-002': [[0, 'info', "<sip:alice@192.0.2.10:5070>;expires=0"]],
  'FLOW-001': [[0, 'info', "REGISTER sip:ims.example.net SIP/2.0"]],
  'FLOW-002': [[6, 'warning', "+g.oma.sip-im"]],
  'FLOW-003': [[4, 'warning', "<sip:alice@192.0.2.77:5060>;+g.oma.sip-im;+g.oma.sip-im.system-message;+g.oma.sip-im.large-message;+sip.instance=\"<urn:uuid:6f1d2c4e-8b3a-4f5e-9a7c-2d1e0b9c8a71>\""]],
  'FLOW-004': [[0, 'info', "MESSAGE sip:bob@ims.example.net SIP/2.0"]],
  'OUTBOUND-001': [[0, 'error', "urn:uuid:0ed88e5e-9fb0-4656-8d3c-41384aca903a"]],
  'OUTBOUND-002': [[0, 'warning', "reg-id=1"]],
  'OUTBOUND-003': [[0, 'error', "path"]],
  'OUTBOUND-004': [[4, 'warning', "\"<urn:uuid:0ed88e5e-9fb0-4656-8d3c-41384aca903a>\""]],
  'OUTBOUND-005': [[1, 'warning', "SIP/2.0 439 First Hop Lacks Outbound Support"]],
  'GRUU-001': [[0, 'error', "gruu"]],
  'PATH-001': [[0, 'warning', "timer"]],
  'PATH-002': [[0, 'warning', "path"]],
  'SR-001': [[4, 'info', "MESSAGE sip:bob@ims.example.net SIP/2.0"]],
  'IMS-REG-001': [[0, 'error', "sip:pcscf.visited.example.org"]],
  'IMS-REG-002': [[0, 'error', "tel:+15551230001"]],
  'IMS-REG-003': [[0, 'warning', "3600"]],
  'IMS-REG-004': [[0, 'error', "gruu"]],
  'IMS-REG-005': [[0, 'warning', "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKreg1a;keep"]],
  'IMS-REG-006': [[0, 'warning', "urn%3Aurn-7%3A3gppservice.ims.icsi.oma.cpm.msg"]],
  'IMS-REG-007': [[0, 'error', "REGISTER sip:ims.example.net SIP/2.0"]],
  'IMS-REG-008': [[0, 'error', "ipsec-3gpp;alg=hmac-sha-1-96;spi-c=101;spi-s=102;port-c=5062"]],
  'IMS-REG-009': [[2, 'error', "REGISTER sip:ims.example.net SIP/2.0"]],
  'IMS-REG-010': [[7, 'error', "ipsec-3gpp;alg=hmac-sha-1-96;ealg=null;prot=esp;mod=trans;spi-c=101;spi-s=102;port-c=5062;port-s=5064"]],
  'IMS-REG-011': [[2, 'error', "b84c3e0f7d2a4c6e@192.0.2.10"]],
  'IMS-REG-012': [[2, 'info', "response=\"\""]],
  'IMS-REG-013': [[7, 'warning', "REGISTER sip:ims.example.net SIP/2.0"]],
  'IMS-REG-014': [[7, 'info', "REGISTER sip:ims.example.net SIP/2.0"]],
  'IMS-REG-015': [[0, 'info', "integrity-protected=\"no\""]],
  'IMS-REG-016': [[1, 'warning', "<sip:+15551230001@ims.example.net;user=phone>, <tel:+15551230001>"]],
  'IMS-REG-017': [[3, 'info', "SIP/2.0 200 OK"]],
  'IMS-REG-018': [[2, 'info', "REGISTER sip:ims.example.net SIP/2.0"]],
};

test('every rule with a failing example has an expected location', () => {
  const withExamples = ALL_RULES.filter((r) => r.docs.failing).map((r) => r.id);
  assert.deepEqual(Object.keys(EXPECTED).sort(), withExamples.sort());
});

for (const [id, expected] of Object.entries(EXPECTED)) {
  test(`${id}: exact spans in its failing example`, () => {
    const rule = ALL_RULES.find((r) => r.id === id)!;
    const r = checkExample(rule.docs.failing, rule.docs.settings);
    const got = r.findings
      .filter((f) => f.ruleId === id)
      .map((f) => [f.messageIndex, f.severity, r.messages[f.messageIndex].sip.text.slice(f.span.start, f.span.end)]);
    assert.deepEqual(got, expected);
  });
}
