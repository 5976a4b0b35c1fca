/**
 * The compliant examples of the rule catalog (shared/spec/register-rules.md §12), copied as
 * literal SIP text, must pass with no error or warning, and be classified as the catalog says.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run, serious } from './helpers';

const R12_1 = `REGISTER sip:ims.example.net SIP/2.0
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKr7Qk1a;rport
Max-Forwards: 70
From: <sip:alice@ims.example.net>;tag=4fa3c1
To: <sip:alice@ims.example.net>
Call-ID: b84c3e0f7d2a4c6e@192.0.2.10
CSeq: 1 REGISTER
Contact: <sip:alice@192.0.2.10:5060>;+g.oma.sip-im;+g.oma.sip-im.system-message;+g.oma.sip-im.large-message;+sip.instance="<urn:uuid:6f1d2c4e-8b3a-4f5e-9a7c-2d1e0b9c8a71>"
Expires: 3600
Require: pref
Supported: path, gruu
User-Agent: IM-client/OMA1.0 ExampleIM/2.3.1
Content-Length: 0

`;

const R12_2 = `SIP/2.0 401 Unauthorized
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKr7Qk1a;rport=5060;received=192.0.2.10
From: <sip:alice@ims.example.net>;tag=4fa3c1
To: <sip:alice@ims.example.net>;tag=8823a1
Call-ID: b84c3e0f7d2a4c6e@192.0.2.10
CSeq: 1 REGISTER
WWW-Authenticate: Digest realm="ims.example.net", nonce="5c1e9b3f0a7d42e18c6b", algorithm=MD5, qop="auth"
Content-Length: 0

`;

const R12_3 = `REGISTER sip:ims.example.net SIP/2.0
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKp2Lm8d;rport
Max-Forwards: 70
From: <sip:alice@ims.example.net>;tag=4fa3c1
To: <sip:alice@ims.example.net>
Call-ID: b84c3e0f7d2a4c6e@192.0.2.10
CSeq: 2 REGISTER
Contact: <sip:alice@192.0.2.10:5060>;+g.oma.sip-im;+g.oma.sip-im.system-message;+g.oma.sip-im.large-message;+sip.instance="<urn:uuid:6f1d2c4e-8b3a-4f5e-9a7c-2d1e0b9c8a71>"
Expires: 3600
Require: pref
Supported: path, gruu
Authorization: Digest username="alice", realm="ims.example.net", nonce="5c1e9b3f0a7d42e18c6b", uri="sip:ims.example.net", response="0123456789abcdef0123456789abcdef", algorithm=MD5, qop=auth, nc=00000001, cnonce="a1b2c3d4"
User-Agent: IM-client/OMA1.0 ExampleIM/2.3.1
Content-Length: 0

`;

const R12_4 = `SIP/2.0 200 OK
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKp2Lm8d;rport=5060;received=192.0.2.10
From: <sip:alice@ims.example.net>;tag=4fa3c1
To: <sip:alice@ims.example.net>;tag=9a0b7c
Call-ID: b84c3e0f7d2a4c6e@192.0.2.10
CSeq: 2 REGISTER
Contact: <sip:alice@192.0.2.10:5060>;+g.oma.sip-im;+g.oma.sip-im.system-message;+g.oma.sip-im.large-message;+sip.instance="<urn:uuid:6f1d2c4e-8b3a-4f5e-9a7c-2d1e0b9c8a71>";expires=3600
Service-Route: <sip:orig@scscf.ims.example.net;lr>
P-Associated-URI: <sip:alice@ims.example.net>, <tel:+15551230001>
Content-Length: 0

`;

const SETTINGS_BODY = `<?xml version="1.0" encoding="UTF-8"?>
<service-settings xmlns="urn:oma:xml:im:service-settings">
<service-id>+g.oma.sip-im</service-id>
<active>true</active>
</service-settings>
`;

// 12.9 with the «» placeholders filled in.
const R12_9 = `PUBLISH sip:alice@ims.example.net SIP/2.0
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKpb0017;rport
Max-Forwards: 70
Route: <sip:pcscf.ims.example.net;lr>, <sip:orig@scscf.ims.example.net;lr>
From: <sip:alice@ims.example.net>;tag=c3d91e
To: <sip:alice@ims.example.net>
Call-ID: 2f7a9c0e5b1d4e8f@192.0.2.10
CSeq: 1 PUBLISH
Event: im-settings
Expires: 3600
Content-Type: application/im-settings+xml
User-Agent: IM-client/OMA1.0 ExampleIM/2.3.1
Content-Length: ${SETTINGS_BODY.replace(/\n/g, '\r\n').length}

${SETTINGS_BODY}`;

const R12_9_OK = `SIP/2.0 200 OK
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKpb0017;rport=5060;received=192.0.2.10
From: <sip:alice@ims.example.net>;tag=c3d91e
To: <sip:alice@ims.example.net>;tag=77aa01
Call-ID: 2f7a9c0e5b1d4e8f@192.0.2.10
CSeq: 1 PUBLISH
SIP-ETag: dx200xyz
Expires: 3600
Content-Length: 0

`;

const R12_5 = `REGISTER sip:ims.example.net SIP/2.0
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKt5Vn3w;rport
Max-Forwards: 70
From: <sip:alice@ims.example.net>;tag=4fa3c1
To: <sip:alice@ims.example.net>
Call-ID: b84c3e0f7d2a4c6e@192.0.2.10
CSeq: 3 REGISTER
Contact: <sip:alice@192.0.2.10:5060>;+g.oma.sip-im;+g.oma.sip-im.system-message;+g.oma.sip-im.large-message;+sip.instance="<urn:uuid:6f1d2c4e-8b3a-4f5e-9a7c-2d1e0b9c8a71>"
Expires: 3600
Require: pref
Supported: path, gruu
Authorization: Digest username="alice", realm="ims.example.net", nonce="5c1e9b3f0a7d42e18c6b", uri="sip:ims.example.net", response="fedcba9876543210fedcba9876543210", algorithm=MD5, qop=auth, nc=00000002, cnonce="e5f6a7b8"
User-Agent: IM-client/OMA1.0 ExampleIM/2.3.1
Content-Length: 0

`;

const R12_6 = `REGISTER sip:ims.example.net SIP/2.0
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKw8Xc2e;rport
Max-Forwards: 70
From: <sip:alice@ims.example.net>;tag=4fa3c1
To: <sip:alice@ims.example.net>
Call-ID: b84c3e0f7d2a4c6e@192.0.2.10
CSeq: 4 REGISTER
Contact: <sip:alice@192.0.2.10:5060>;+sip.instance="<urn:uuid:6f1d2c4e-8b3a-4f5e-9a7c-2d1e0b9c8a71>"
Expires: 3600
Require: pref
Supported: path, gruu
Authorization: Digest username="alice", realm="ims.example.net", nonce="5c1e9b3f0a7d42e18c6b", uri="sip:ims.example.net", response="00112233445566778899aabbccddeeff", algorithm=MD5, qop=auth, nc=00000003, cnonce="c9d0e1f2"
User-Agent: IM-client/OMA1.0 ExampleIM/2.3.1
Content-Length: 0

`;

const R12_7A = `REGISTER sip:ims.example.net SIP/2.0
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKz1Yh6q;rport
Max-Forwards: 70
From: <sip:alice@ims.example.net>;tag=4fa3c1
To: <sip:alice@ims.example.net>
Call-ID: b84c3e0f7d2a4c6e@192.0.2.10
CSeq: 5 REGISTER
Contact: <sip:alice@192.0.2.10:5060>;+sip.instance="<urn:uuid:6f1d2c4e-8b3a-4f5e-9a7c-2d1e0b9c8a71>"
Expires: 0
Authorization: Digest username="alice", realm="ims.example.net", nonce="5c1e9b3f0a7d42e18c6b", uri="sip:ims.example.net", response="8899aabbccddeeff0011223344556677", algorithm=MD5, qop=auth, nc=00000004, cnonce="0a1b2c3d"
User-Agent: IM-client/OMA1.0 ExampleIM/2.3.1
Content-Length: 0

`;

const R12_7B = `REGISTER sip:ims.example.net SIP/2.0
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKq4Rt9u;rport
Max-Forwards: 70
From: <sip:alice@ims.example.net>;tag=4fa3c1
To: <sip:alice@ims.example.net>
Call-ID: b84c3e0f7d2a4c6e@192.0.2.10
CSeq: 5 REGISTER
Contact: *
Expires: 0
Authorization: Digest username="alice", realm="ims.example.net", nonce="5c1e9b3f0a7d42e18c6b", uri="sip:ims.example.net", response="8899aabbccddeeff0011223344556677", algorithm=MD5, qop=auth, nc=00000004, cnonce="0a1b2c3d"
User-Agent: IM-client/OMA1.0 ExampleIM/2.3.1
Content-Length: 0

`;

const R12_8 = `REGISTER sip:ims.mnc001.mcc001.3gppnetwork.org SIP/2.0
Via: SIP/2.0/UDP [2001:db8:1::10]:5060;branch=z9hG4bKaka001;rport
Max-Forwards: 70
From: <sip:001010123456789@ims.mnc001.mcc001.3gppnetwork.org>;tag=71c2e0
To: <sip:001010123456789@ims.mnc001.mcc001.3gppnetwork.org>
Call-ID: 3d9e5a1c7f2b4e60@2001:db8:1::10
CSeq: 1 REGISTER
Contact: <sip:001010123456789@[2001:db8:1::10]:5060>;+g.oma.sip-im;+g.oma.sip-im.system-message;+g.oma.sip-im.large-message;+sip.instance="<urn:gsma:imei:35209900-176148-0>"
Expires: 600000
Authorization: Digest username="001010123456789@ims.mnc001.mcc001.3gppnetwork.org", realm="ims.mnc001.mcc001.3gppnetwork.org", uri="sip:ims.mnc001.mcc001.3gppnetwork.org", nonce="", response=""
Security-Client: ipsec-3gpp;alg=hmac-sha-1-96;ealg=null;prot=esp;mod=trans;spi-c=101;spi-s=102;port-c=5062;port-s=5064
Require: pref, sec-agree
Proxy-Require: sec-agree
Supported: path, gruu
User-Agent: IM-client/OMA1.0 ExampleIM/2.3.1
Content-Length: 0

`;

/** A 200 to one of the REGISTERs above, binding kept (with the contact) or removed (without). */
function ok(req: string, keep: boolean): string {
  const line = (name: string) => new RegExp(`^${name}:.*$`, 'm').exec(req)?.[0] ?? '';
  const via = line('Via').replace(';rport', ';rport=5060;received=192.0.2.10');
  const contact = keep ? `${line('Contact')};expires=3600\n` : '';
  return `SIP/2.0 200 OK\n${via}\n${line('From')}\n${line('To')};tag=9a0b7c\n${line('Call-ID')}\n${line('CSeq')}\n${contact}Content-Length: 0\n\n`;
}

test('catalog §12.1-12.7a and 12.9 as one flow: no error or warning, phases as the catalog says', () => {
  const r = run([R12_1, R12_2, R12_3, R12_4, R12_9, R12_9_OK, { text: R12_5, gap: 3000 }, ok(R12_5, true), R12_6, ok(R12_6, true), R12_7A, ok(R12_7A, false)]);
  assert.deepEqual(serious(r), []);
  assert.deepEqual(
    r.exchanges.map((e) => [e.cseq, e.kind, e.phase, e.attempt, e.finalStatus]),
    [
      [1, 'initial', 'initial', 'first', 401],
      [2, 'auth-resend', 'initial', 'auth-resend', 200],
      [3, 'refresh', 'refresh', 'first', 200],
      [4, 'im-deregistration', 'im-deregistration', 'first', 200],
      [5, 'full-deregistration', 'full-deregistration', 'first', 200],
    ],
  );
  assert.equal(r.profile, 'generic');
  // The notices the flow deserves: the implicit tel: identity, the IM-only de-registration.
  const infos = r.findings.map((f) => f.ruleId);
  assert.ok(infos.includes('OMA-IM-REG-021'));
  assert.ok(infos.includes('OMA-IM-REG-018'));
});

test('catalog §12.7b wildcard de-registration instead of 12.7a: clean', () => {
  const r = run([R12_1, R12_2, R12_3, R12_4, R12_9, R12_9_OK, { text: R12_5, gap: 3000 }, ok(R12_5, true), R12_6, ok(R12_6, true), R12_7B, ok(R12_7B, false)]);
  assert.deepEqual(serious(r), []);
  assert.equal(r.exchanges[4].kind, 'full-deregistration');
});

test('catalog §12.8 IMS initial REGISTER: clean, IMS profile detected', () => {
  const r = run([R12_8]);
  assert.deepEqual(serious(r), []);
  assert.equal(r.profile, 'ims');
  assert.equal(r.exchanges[0].kind, 'initial');
});
