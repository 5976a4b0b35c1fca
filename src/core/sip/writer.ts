/**
 * SIP writer driven by the same grammar table the parser validates with (headerTable.ts), so a
 * REGISTER template is written by the grammar the checker reads (sdp-transform's one-grammar
 * shape). Parse -> write -> parse gives the same structures (test/unit/sip/writer.test.ts).
 *
 * Inputs are plain objects without spans; the parsed types (SipParam, SipUri, NameAddr,
 * ViaValue) are accepted as they are. Writers never emit CR or LF inside a header value: a
 * line break in an input becomes one SP, so a template cannot inject header lines.
 */
import type { SipHeader, SipMessage } from '../types';
import { headerSpec, type HeaderGrammar } from './headerTable';
import { isToken, quote } from './uri';
import {
  parseCredentials,
  parseCSeq,
  parseNameAddr,
  parseNameAddrList,
  parseNumberHeader,
  parseProducts,
  parseTokenList,
  parseValueParams,
  parseVia,
} from './values';

export interface ParamInput {
  name: string;
  /** Raw value (a value starting with `"` is written as is) or a number; absent for a flag. */
  value?: string | number;
  /** true: write `value` as a quoted-string (escaping `"` and `\`); false: write it raw. */
  quote?: boolean;
}

export interface UriInput {
  scheme?: string;
  user?: string;
  password?: string;
  host?: string;
  port?: number;
  params?: readonly ParamInput[];
  /** Raw text after `?`. */
  headers?: string;
  /** Used as is for schemes other than sip, sips and tel. */
  text?: string;
}

export interface NameAddrInput {
  star?: boolean;
  displayName?: string;
  uri?: UriInput | string;
  /** false: addr-spec form (only possible without display name, URI params or headers). Default true. */
  bracketed?: boolean;
  params?: readonly ParamInput[];
}

export interface ViaInput {
  /** Full sent-protocol, e.g. 'SIP/2.0/TCP'; default `SIP/2.0/<transport>`. */
  protocol?: string;
  transport?: string;
  host: string;
  port?: number;
  params?: readonly ParamInput[];
}

export interface CSeqInput {
  num: number;
  method: string;
}

export interface CredentialsInput {
  scheme: string;
  params: readonly ParamInput[];
}

export interface ProductInput {
  product: string;
  version?: string;
  isComment?: boolean;
}

export interface ValueParamsInput {
  value: string;
  params?: readonly ParamInput[];
}

export type HeaderValueInput =
  | string
  | number
  | NameAddrInput
  | ViaInput
  | CSeqInput
  | CredentialsInput
  | ValueParamsInput
  | readonly (string | NameAddrInput | ViaInput | ProductInput | ValueParamsInput)[];

export type HeaderInput = { name: string; value: HeaderValueInput } | readonly [string, HeaderValueInput] | string;

export type StartLineInput =
  | string
  | { method: string; uri: UriInput | string; version?: string }
  | { status: number; reason?: string; version?: string };

export interface MessageInput {
  startLine: StartLineInput;
  headers: readonly HeaderInput[];
  /** Body text; Content-Length (UTF-8 octets) is added when the headers do not give one. */
  body?: string;
}

/** A line break inside a value would start a new header line: write one SP instead. */
function oneLine(s: string): string {
  if (s.indexOf('\r') < 0 && s.indexOf('\n') < 0) return s;
  // Split and trim by hand: /[ \t]*[\r\n]+[ \t]*/ backtracks quadratically over long runs of
  // blanks that end in no line break (a hostile 10 MB value).
  const parts = s.split(/[\r\n]+/);
  for (let i = 0; i < parts.length; i++) {
    let a = 0;
    let b = parts[i].length;
    if (i > 0) while (a < b && isBlank(parts[i].charCodeAt(a))) a++;
    if (i < parts.length - 1) while (b > a && isBlank(parts[i].charCodeAt(b - 1))) b--;
    parts[i] = parts[i].slice(a, b);
  }
  return parts.join(' ');
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** Trims SP/HTAB only, as the parser does (String.trim() would also drop U+00A0 and friends). */
function trimBlanks(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isBlank(s.charCodeAt(a))) a++;
  while (b > a && isBlank(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** Token or host (IPv4, hostname, [IPv6], bare IPv6 as RFC 5118 §4.5 allows for received). */
function isPlainParamValue(v: string): boolean {
  return v.length > 0 && /^[A-Za-z0-9\-.!%*_+`'~:[\]]+$/.test(v);
}

function paramValueText(p: ParamInput, mode: 'header' | 'uri' | 'auth'): string | undefined {
  if (p.value === undefined) return undefined;
  const v = oneLine(String(p.value));
  if (mode === 'uri') return escapeUriPart(v, /[A-Za-z0-9\-_.!~*'()[\]/:&+$%]/);
  if (p.quote === true) return quote(v);
  if (p.quote === false || (v.length >= 2 && v.startsWith('"') && v.endsWith('"'))) return v;
  if (mode === 'auth' && DIGEST_QUOTED.has(p.name.toLowerCase())) return quote(v);
  return (mode === 'auth' ? isToken(v) : isPlainParamValue(v)) ? v : quote(v);
}

/** Digest parameters whose value is always a quoted-string (RFC 3261 §25.1, RFC 2617 §3.2). */
const DIGEST_QUOTED = new Set(['username', 'realm', 'nonce', 'uri', 'response', 'cnonce', 'opaque', 'domain', 'nextnonce', 'auts']);

function escapeUriPart(v: string, allowed: RegExp): string {
  let out = '';
  for (const ch of v) {
    if (allowed.test(ch)) out += ch;
    else for (const b of new TextEncoder().encode(ch)) out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** `;name=value;flag` (header parameters; `mode: 'uri'` escapes values for a URI). */
export function formatParams(params: readonly ParamInput[] | undefined, mode: 'header' | 'uri' = 'header'): string {
  if (!params) return '';
  let out = '';
  for (const p of params) {
    const v = paramValueText(p, mode);
    out += ';' + p.name + (v === undefined ? '' : '=' + v);
  }
  return out;
}

/** A URI from its parts (RFC 3261 §19.1.1; RFC 3966 for tel); other schemes use `text`. */
export function formatUri(uri: UriInput | string): string {
  if (typeof uri === 'string') return oneLine(uri);
  const scheme = (uri.scheme ?? 'sip').toLowerCase();
  if (scheme === 'tel') return `tel:${uri.user ?? ''}${formatParams(uri.params, 'uri')}`;
  if (scheme !== 'sip' && scheme !== 'sips') return oneLine(uri.text ?? `${scheme}:${uri.user ?? ''}`);
  let out = scheme + ':';
  if (uri.user !== undefined) out += uri.user + (uri.password !== undefined ? ':' + uri.password : '') + '@';
  out += uri.host ?? '';
  if (uri.port !== undefined) out += ':' + uri.port;
  out += formatParams(uri.params, 'uri');
  if (uri.headers !== undefined) out += '?' + uri.headers;
  return out;
}

/**
 * `"Display" <uri>;params`, or addr-spec `uri;params` when `bracketed: false` and the URI has no
 * parameters or headers (RFC 3261 §20: otherwise its `;` and `?` would be misread), or `*`.
 * A display name is always written quoted.
 */
export function formatNameAddr(v: NameAddrInput): string {
  if (v.star) return '*';
  const uriText = v.uri === undefined ? '' : formatUri(v.uri);
  const needsBrackets = v.displayName !== undefined || /[;,?]/.test(uriText) || v.bracketed !== false;
  let out = '';
  if (v.displayName !== undefined && v.displayName !== '') out += quote(oneLine(v.displayName)) + ' ';
  out += needsBrackets ? `<${uriText}>` : uriText;
  return out + formatParams(v.params);
}

/** `SIP/2.0/UDP host:port;params` (RFC 3261 §20.42). */
export function formatVia(v: ViaInput): string {
  const protocol = v.protocol ?? `SIP/2.0/${(v.transport ?? 'UDP').toUpperCase()}`;
  return `${protocol} ${v.host}${v.port !== undefined ? ':' + v.port : ''}${formatParams(v.params)}`;
}

/** `Digest name="value", ...` (RFC 3261 §25.1 credentials / challenge). */
export function formatCredentials(c: CredentialsInput): string {
  const params = c.params.map((p) => {
    const v = paramValueText(p, 'auth');
    return v === undefined ? p.name : `${p.name}=${v}`;
  });
  return `${c.scheme} ${params.join(', ')}`;
}

/** `product/version (comment) ...` (RFC 3261 §20.41, §25.1 server-val). */
export function formatProducts(products: readonly (ProductInput | string)[]): string {
  return products
    .map((p) => {
      if (typeof p === 'string') return oneLine(p);
      if (p.isComment) return `(${oneLine(p.product)})`;
      return p.product + (p.version !== undefined ? '/' + p.version : '');
    })
    .join(' ');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function formatOne(grammar: HeaderGrammar, v: unknown): string {
  // A latin1-decoded UTF-8 byte 0xA0 at the end of a value is U+00A0: part of the value.
  if (typeof v === 'string') return trimBlanks(oneLine(v));
  if (typeof v === 'number') return String(v);
  if (!isObject(v)) return '';
  switch (grammar) {
    case 'name-addr':
    case 'name-addr-list':
      return formatNameAddr(v as NameAddrInput);
    case 'via':
      return formatVia(v as unknown as ViaInput);
    case 'cseq':
      return `${(v as unknown as CSeqInput).num} ${(v as unknown as CSeqInput).method}`;
    case 'credentials':
      return formatCredentials(v as unknown as CredentialsInput);
    case 'products':
      return formatProducts([v as unknown as ProductInput]);
    default:
      if ('value' in v) return `${oneLine(String(v.value))}${formatParams(v.params as ParamInput[] | undefined)}`;
      return '';
  }
}

/** The value text of one header, formatted by its table grammar. */
export function formatHeaderValue(name: string, value: HeaderValueInput): string {
  const grammar = headerSpec(name)?.grammar ?? 'text';
  if (Array.isArray(value)) {
    if (grammar === 'products') return formatProducts(value as (ProductInput | string)[]);
    return value.map((v) => formatOne(grammar, v)).join(', ');
  }
  return formatOne(grammar, value);
}

/**
 * `Name: value` (no line break). The name is written in the table's canonical spelling
 * ('call-id' -> 'Call-ID'), or in compact form with `{ compact: true }` when one exists.
 */
export function formatHeader(name: string, value: HeaderValueInput, opts: { compact?: boolean } = {}): string {
  const spec = headerSpec(name);
  const written = spec ? (opts.compact && spec.compact ? spec.compact : spec.name) : oneLine(name).trim();
  return `${written}: ${formatHeaderValue(name, value)}`;
}

function utf8Octets(s: string): number {
  return new TextEncoder().encode(s).length;
}

function formatStartLine(sl: StartLineInput): string {
  if (typeof sl === 'string') return oneLine(sl);
  if ('method' in sl) return `${sl.method} ${formatUri(sl.uri)} ${sl.version ?? 'SIP/2.0'}`;
  return `${sl.version ?? 'SIP/2.0'} ${sl.status} ${oneLine(sl.reason ?? '')}`;
}

/**
 * A whole message: start line, headers in the given order, empty line, body; CRLF line ends
 * (RFC 3261 §7). Content-Length is appended when absent (octets of the UTF-8 body).
 */
export function formatMessage(m: MessageInput): string {
  const lines = [formatStartLine(m.startLine)];
  let hasLength = false;
  for (const h of m.headers) {
    let line: string;
    let name: string;
    if (typeof h === 'string') {
      line = oneLine(h);
      name = line.slice(0, Math.max(0, line.indexOf(':'))).trim();
    } else if (Array.isArray(h)) {
      const [n, v] = h as readonly [string, HeaderValueInput];
      name = n;
      line = formatHeader(n, v);
    } else {
      const o = h as { name: string; value: HeaderValueInput };
      name = o.name;
      line = formatHeader(o.name, o.value);
    }
    if (headerSpec(name)?.key === 'content-length') hasLength = true;
    lines.push(line);
  }
  const body = m.body ?? '';
  if (!hasLength) lines.push(formatHeader('Content-Length', utf8Octets(body)));
  return lines.join('\r\n') + '\r\n\r\n' + body;
}

/**
 * Re-writes a parsed header from its parsed structure through the table grammar (used by the
 * round-trip tests and to show a normalised header). Undefined when its value cannot be read.
 */
export function formatParsedHeader(msg: SipMessage, h: SipHeader, opts: { compact?: boolean } = {}): string | undefined {
  const grammar = headerSpec(h.key)?.grammar ?? 'text';
  let value: HeaderValueInput | undefined;
  switch (grammar) {
    case 'name-addr':
      value = parseNameAddr(msg, h).value;
      break;
    case 'name-addr-list':
      value = parseNameAddrList(msg, h).values;
      break;
    case 'via':
      value = parseVia(msg, h).values;
      break;
    case 'cseq': {
      const c = parseCSeq({ ...msg, headers: [h] });
      value = c && { num: c.num, method: c.method };
      break;
    }
    case 'token-list':
      value = parseTokenList(msg, h).map((t) => t.token);
      break;
    case 'products':
      value = parseProducts(msg, h);
      break;
    case 'credentials':
      value = parseCredentials(msg, h);
      break;
    case 'delta-seconds':
    case 'integer':
      value = parseNumberHeader(msg, h).value;
      break;
    case 'token-params':
    case 'media-type':
      value = parseValueParams(msg, h, grammar === 'media-type' ? 'media-type' : 'token', false).values[0];
      break;
    case 'token-params-list':
    case 'media-range-list':
    case 'star-params-list':
      value = parseValueParams(msg, h, grammar === 'star-params-list' ? 'star' : grammar === 'media-range-list' ? 'media-range' : 'token').values;
      break;
    default:
      value = h.value;
  }
  return value === undefined ? undefined : formatHeader(h.key, value, opts);
}
