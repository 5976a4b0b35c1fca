/**
 * HTTP Digest `response` computation for SIP (RFC 3261 §22.4 uses RFC 2617; RFC 8760 adds
 * SHA-256 and SHA-512/256 to SIP with the RFC 7616 rules; RFC 3310 runs Digest over the IMS AKA
 * RES). Computed locally for a REGISTER template when the user types a password: nothing leaves
 * the machine, and no Node or WebCrypto API is needed (./hash.ts).
 *
 *   A1  = username ":" realm ":" password                        (RFC 7616 §3.4.2)
 *   A1  = H(username ":" realm ":" password) ":" nonce ":" cnonce  for the `-sess` variants
 *   A2  = method ":" digest-uri                                    (qop=auth or no qop)
 *   A2  = method ":" digest-uri ":" H(entity-body)                 (qop=auth-int, §3.4.3)
 *   response = KD(H(A1), nonce ":" nc ":" cnonce ":" qop ":" H(A2))   with qop
 *   response = KD(H(A1), nonce ":" H(A2))                             without qop (RFC 2069 compatibility)
 */
import { md5Hex, sha256Hex, utf8Bytes } from './hash';
import { concatBytes } from '../bytes';

/** Algorithms whose response this module computes. SHA-512-256 (RFC 8760) is not implemented. */
export const SUPPORTED_DIGEST_ALGORITHMS = ['MD5', 'MD5-sess', 'SHA-256', 'SHA-256-sess', 'AKAv1-MD5'] as const;

export interface DigestInput {
  /** As the challenge names it; absent means MD5 (RFC 2617 §3.2.1). Compared case-insensitively. */
  algorithm?: string;
  username: string;
  realm: string;
  /**
   * The shared secret: a password, or for AKAv1-MD5 the RES octets (RFC 3310 §3.2: the RES is
   * used as the password). A string is hashed as UTF-8.
   */
  password: string | Uint8Array;
  method: string;
  /** The `uri` parameter exactly as it will be written (the Request-URI for REGISTER). */
  uri: string;
  nonce: string;
  /** Chosen qop; absent when the challenge offered none. */
  qop?: 'auth' | 'auth-int';
  /** 8 hex digits, e.g. `00000001` (required with qop). */
  nc?: string;
  cnonce?: string;
  /** Entity body for qop=auth-int (empty for REGISTER). */
  body?: string;
}

export type DigestResult = { ok: true; response: string } | { ok: false; reason: string };

function hashFor(algorithm: string): ((data: Uint8Array | string) => string) | undefined {
  const a = algorithm.toUpperCase();
  if (a === 'MD5' || a === 'MD5-SESS' || a === 'AKAV1-MD5') return md5Hex;
  if (a === 'SHA-256' || a === 'SHA-256-SESS') return sha256Hex;
  return undefined;
}

/** The `response` value for these credentials, or why it cannot be computed here. */
export function digestResponse(input: DigestInput): DigestResult {
  const algorithm = input.algorithm ?? 'MD5';
  const H = hashFor(algorithm);
  if (!H) return { ok: false, reason: `algorithm ${algorithm} is not supported here (supported: ${SUPPORTED_DIGEST_ALGORITHMS.join(', ')})` };
  if (input.qop && (input.nc === undefined || input.cnonce === undefined)) return { ok: false, reason: 'qop needs nc and cnonce' };
  const secret = typeof input.password === 'string' ? utf8Bytes(input.password) : input.password;
  const a1 = concatBytes([utf8Bytes(`${input.username}:${input.realm}:`), secret]);
  let ha1 = H(a1);
  if (algorithm.toLowerCase().endsWith('-sess')) ha1 = H(`${ha1}:${input.nonce}:${input.cnonce ?? ''}`);
  const a2 = input.qop === 'auth-int' ? `${input.method}:${input.uri}:${H(input.body ?? '')}` : `${input.method}:${input.uri}`;
  const ha2 = H(a2);
  const response = input.qop ? H(`${ha1}:${input.nonce}:${input.nc}:${input.cnonce}:${input.qop}:${ha2}`) : H(`${ha1}:${input.nonce}:${ha2}`);
  return { ok: true, response };
}

/** Nonce count as Digest writes it: 8 lowercase hex digits (RFC 7616 §3.4). */
export function formatNonceCount(n: number): string {
  return (Math.max(1, Math.floor(n)) >>> 0).toString(16).padStart(8, '0');
}

/** Parses hex (whitespace and `0x` tolerated) into octets; undefined when it is not hex. */
export function hexOctets(hex: string): Uint8Array | undefined {
  const h = hex.replace(/^0x/i, '').replace(/\s+/g, '');
  if (h.length === 0 || h.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(h)) return undefined;
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}
