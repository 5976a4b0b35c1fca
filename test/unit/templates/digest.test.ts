/**
 * MD5 / SHA-256 in pure TypeScript and the Digest response computation (RFC 2617 §3.5, RFC 7616
 * §3.9.1 test vectors; RFC 1321 / FIPS 180-4 hash vectors; Node's crypto as a reference oracle).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { md5Hex, sha256Hex } from '../../../src/core/templates/hash';
import { digestResponse, formatNonceCount, hexOctets } from '../../../src/core/templates/digest';

test('MD5: RFC 1321 appendix A.5 test suite', () => {
  assert.equal(md5Hex(''), 'd41d8cd98f00b204e9800998ecf8427e');
  assert.equal(md5Hex('a'), '0cc175b9c0f1b6a831c399e269772661');
  assert.equal(md5Hex('abc'), '900150983cd24fb0d6963f7d28e17f72');
  assert.equal(md5Hex('message digest'), 'f96b697d7cb7938d525a2f31aaf161d0');
  assert.equal(md5Hex('abcdefghijklmnopqrstuvwxyz'), 'c3fcd3d76192e4007dfb496cca67e13b');
  assert.equal(md5Hex('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'), 'd174ab98d277d9f5a5611c2c9f419d9f');
  assert.equal(md5Hex('1234567890'.repeat(8)), '57edf4a22be3c955ac49da2e2107b67a');
});

test('SHA-256: FIPS 180-4 examples', () => {
  assert.equal(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'), '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
});

test('MD5 and SHA-256 agree with Node crypto on every length 0..300 (padding boundaries 55/56/64) and UTF-8 text', () => {
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) & 0xff;
  for (let len = 0; len <= 300; len++) {
    const bytes = new Uint8Array(len);
    for (let i = 0; i < len; i++) bytes[i] = next();
    assert.equal(md5Hex(bytes), createHash('md5').update(bytes).digest('hex'), `md5 length ${len}`);
    assert.equal(sha256Hex(bytes), createHash('sha256').update(bytes).digest('hex'), `sha256 length ${len}`);
  }
  const text = 'Grüße, Алиса — 東京 🚀';
  assert.equal(md5Hex(text), createHash('md5').update(text, 'utf8').digest('hex'));
  assert.equal(sha256Hex(text), createHash('sha256').update(text, 'utf8').digest('hex'));
});

test('Digest: RFC 2617 §3.5 example (MD5, qop=auth)', () => {
  const r = digestResponse({
    username: 'Mufasa',
    realm: 'testrealm@host.com',
    password: 'Circle Of Life',
    method: 'GET',
    uri: '/dir/index.html',
    nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
    qop: 'auth',
    nc: '00000001',
    cnonce: '0a4f113b',
  });
  assert.deepEqual(r, { ok: true, response: '6629fae49393a05397450978507c4ef1' });
});

test('Digest: RFC 7616 §3.9.1 examples (MD5 and SHA-256, qop=auth)', () => {
  const base = {
    username: 'Mufasa',
    realm: 'http-auth@example.org',
    password: 'Circle of Life',
    method: 'GET',
    uri: '/dir/index.html',
    nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
    qop: 'auth' as const,
    nc: '00000001',
    cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  };
  assert.deepEqual(digestResponse({ ...base, algorithm: 'MD5' }), { ok: true, response: '8ca523f5e9506fed4657c9700eebdbec' });
  assert.deepEqual(digestResponse({ ...base, algorithm: 'SHA-256' }), { ok: true, response: '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1' });
  // Algorithm names compare case-insensitively (RFC 7616 §3.3).
  assert.deepEqual(digestResponse({ ...base, algorithm: 'sha-256' }), { ok: true, response: '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1' });
});

test('Digest: no qop (RFC 2069 form), -sess variants, auth-int and AKAv1-MD5 follow the formulas', () => {
  const H = (s: string | Buffer, alg = 'md5') => createHash(alg).update(s).digest('hex');
  const common = { username: 'alice', realm: 'ims.example.net', password: 'imsecret', method: 'REGISTER', uri: 'sip:ims.example.net', nonce: 'n0nce' };
  const noQop = digestResponse(common);
  assert.deepEqual(noQop, { ok: true, response: H(`${H('alice:ims.example.net:imsecret')}:n0nce:${H('REGISTER:sip:ims.example.net')}`) });

  const sess = digestResponse({ ...common, algorithm: 'SHA-256-sess', qop: 'auth', nc: '00000002', cnonce: 'c' });
  const ha1 = H(`${H('alice:ims.example.net:imsecret', 'sha256')}:n0nce:c`, 'sha256');
  assert.deepEqual(sess, { ok: true, response: H(`${ha1}:n0nce:00000002:c:auth:${H('REGISTER:sip:ims.example.net', 'sha256')}`, 'sha256') });

  const md5sess = digestResponse({ ...common, algorithm: 'MD5-sess', qop: 'auth', nc: '00000001', cnonce: 'c' });
  assert.deepEqual(md5sess, { ok: true, response: H(`${H(`${H('alice:ims.example.net:imsecret')}:n0nce:c`)}:n0nce:00000001:c:auth:${H('REGISTER:sip:ims.example.net')}`) });

  const authInt = digestResponse({ ...common, qop: 'auth-int', nc: '00000001', cnonce: 'c', body: '' });
  assert.deepEqual(authInt, { ok: true, response: H(`${H('alice:ims.example.net:imsecret')}:n0nce:00000001:c:auth-int:${H(`REGISTER:sip:ims.example.net:${H('')}`)}`) });

  // RFC 3310 §3.2: AKAv1-MD5 uses the RES octets as the password.
  const res = hexOctets('a5b6c7d8e9f00112')!;
  const aka = digestResponse({ ...common, algorithm: 'AKAv1-MD5', password: res, qop: 'auth', nc: '00000001', cnonce: 'c' });
  const akaHa1 = H(Buffer.concat([Buffer.from('alice:ims.example.net:'), Buffer.from(res)]));
  assert.deepEqual(aka, { ok: true, response: H(`${akaHa1}:n0nce:00000001:c:auth:${H('REGISTER:sip:ims.example.net')}`) });
});

test('Digest: unsupported algorithm and missing nc/cnonce are reported, not thrown', () => {
  const r = digestResponse({ username: 'a', realm: 'r', password: 'p', method: 'REGISTER', uri: 'sip:x', nonce: 'n', algorithm: 'SHA-512-256' });
  assert.equal(r.ok, false);
  assert.match((r as { reason: string }).reason, /SHA-512-256 is not supported/);
  const q = digestResponse({ username: 'a', realm: 'r', password: 'p', method: 'REGISTER', uri: 'sip:x', nonce: 'n', qop: 'auth' });
  assert.deepEqual(q, { ok: false, reason: 'qop needs nc and cnonce' });
});

test('nonce count and hex helpers', () => {
  assert.equal(formatNonceCount(1), '00000001');
  assert.equal(formatNonceCount(255), '000000ff');
  assert.equal(formatNonceCount(0), '00000001');
  assert.deepEqual([...hexOctets('0x0aFF')!], [10, 255]);
  assert.equal(hexOctets('abc'), undefined);
  assert.equal(hexOctets('zz'), undefined);
});
