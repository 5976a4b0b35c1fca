/**
 * Compact facts taken from one REGISTER / PUBLISH / response: what the exchange model and the
 * rules need, with the spans that findings point at. Facts hold numbers and short strings only,
 * never the message text, so the model can keep them after the message itself is dropped.
 */
import type { NameAddr, SipHeader, SipMessage, SipParam, SipUri, Span, ViaValue } from '../types';
import { firstHeader, headersOf } from '../sip/parser';
import { paramValue, parseCSeq, parseCredentials, parseNameAddr, parseNameAddrList, parseTokenList, parseVia } from '../sip/values';

/** The three OMA SIMPLE IM feature tags, in the order OMA-TS-SIMPLE_IM §5.2.1 items 2, 2a, 2b list them. */
export const IM_TAGS = ['+g.oma.sip-im', '+g.oma.sip-im.system-message', '+g.oma.sip-im.large-message'] as const;
export type ImTag = (typeof IM_TAGS)[number];

/** Effective expiry of a contact (catalog P-7). */
export type Expiry = number | 'unspecified' | 'malformed';

const MAX_EXPIRES = 4294967295;

export interface ContactFacts {
  /** The whole Contact value (where a missing parameter belongs). */
  span: Span;
  star: boolean;
  bracketed: boolean;
  uri?: SipUri;
  /** Normalised contact URI: the lineage key when there is no +sip.instance (catalog 2.2). */
  uriKey: string;
  /** `+sip.instance` value without quotes, when present. */
  instance?: string;
  regId?: string;
  params: SipParam[];
  /** IM tags present as header parameters whose value is not FALSE (decision 11.3), by canonical name. */
  imTags: Set<ImTag>;
  /** The header parameters that are IM tags, whatever their value. */
  imTagParams: { tag: ImTag; param: SipParam }[];
  expiresParam?: SipParam;
  effExpiry: Expiry;
  /** Header parameters that are RFC 3840 feature parameters (`+tag` or a base tag). */
  featureParams: SipParam[];
}

export interface CredentialsFacts {
  header: SipHeader;
  scheme: string;
  schemeSpan: Span;
  params: SipParam[];
  /** Lower-cased param name -> unquoted value. */
  values: Map<string, string>;
  /** The header value as written (to detect a resend of the very same credentials). */
  raw: string;
}

export interface ChallengeFacts {
  scheme: string;
  realm?: string;
  nonce?: string;
  algorithm?: string;
  opaque?: string;
  qop?: string;
  stale?: string;
  /** Where the challenge sits in its response. */
  span: Span;
}

export interface ViaFacts {
  count: number;
  branch?: string;
  branchSpan?: Span;
  topSpan?: Span;
  sentBy?: string;
  /** sent-by + branch of every Via value, in order (RFC3261-RSP-001). */
  list: string[];
  /** The parsed top Via value (transport, port, parameters), for rules that read it. */
  top?: ViaValue;
}

export interface CommonFacts {
  callId?: string;
  callIdSpan?: Span;
  cseq?: { num: number; method: string; span: Span; numSpan: Span; methodSpan: Span };
  via: ViaFacts;
  from?: NameAddr;
  fromTag?: string;
  to?: NameAddr;
  toTag?: string;
  /** Normalised To AOR (catalog 2.2), '' when To is missing or unparseable. */
  toAor: string;
  fromAor: string;
}

export interface RegisterFacts extends CommonFacts {
  startLine: string;
  startLineSpan: Span;
  requestUri?: SipUri;
  requestUriSpan: Span;
  /** Request-URI host[:port], lower-cased (catalog 2.2 registrar identity). */
  registrar: string;
  contacts: ContactFacts[];
  hasContactHeader: boolean;
  star: boolean;
  expiresHeader?: { header: SipHeader; value?: number; raw: string };
  require: { token: string; span: Span }[];
  proxyRequire: { token: string; span: Span }[];
  supported: { token: string; span: Span }[];
  authorization?: CredentialsFacts;
  proxyAuthorization?: CredentialsFacts;
  userAgent?: SipHeader;
}

export interface ResponseFacts extends CommonFacts {
  status: number;
  startLineSpan: Span;
  contacts: ContactFacts[];
  expiresHeader?: { header: SipHeader; value?: number; raw: string };
  challenges: ChallengeFacts[];
  minExpires?: { value?: number; span: Span };
  unsupported: { token: string; span: Span }[];
  serviceRoute: string[];
  pAssociatedUri: string[];
}

/**
 * A flat copy of a string. A slice of a message text can be a V8 "sliced string" that keeps the
 * whole text alive; state and findings that outlive the message go through this, so memory stays
 * proportional to the state, not to the messages read.
 */
export function detach(s: string): string {
  // ' ' + s is a cons string; slicing it flattens it into a fresh copy of s (plus one character)
  // and slices that: the result keeps only its own copy alive, not the message it came from.
  // Seven times cheaper than a JSON round trip, which did the same.
  return s.length < 13 ? s : (' ' + s).slice(1);
}

// ---------------------------------------------------------------------------------------------
// Normalisation
// ---------------------------------------------------------------------------------------------

/** RFC 3840 §9 base tags of the sip. tree, written without the `sip.` prefix and without `+`. */
export const BASE_FEATURE_TAGS = new Set([
  'audio', 'video', 'text', 'application', 'data', 'control', 'automata', 'class', 'duplex', 'mobility',
  'description', 'events', 'priority', 'methods', 'schemes', 'language', 'type', 'isfocus', 'actor', 'extensions',
]);

export function isFeatureParam(p: SipParam): boolean {
  const n = p.name.toLowerCase();
  return n.startsWith('+') || BASE_FEATURE_TAGS.has(n);
}

function unquote(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const t = v.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) return t.slice(1, -1).replace(/\\(.)/g, '$1');
  return t;
}

/** Unquoted value of a parameter (the parser's `unquoted`, else the raw value). */
export function paramText(p: SipParam | undefined): string | undefined {
  if (!p) return undefined;
  return p.unquoted ?? unquote(p.value);
}

/** Normalised AOR: scheme, user, lower-cased host, port; `user=phone` kept (catalog 2.2). */
export function normalizeAor(uri: SipUri | undefined): string {
  if (!uri) return '';
  if (uri.scheme !== 'sip' && uri.scheme !== 'sips') return uri.text.trim().toLowerCase();
  const user = uri.user ? `${uri.user}@` : '';
  const port = uri.port !== undefined ? `:${uri.port}` : '';
  const phone = uri.params.some((p) => p.name.toLowerCase() === 'user' && paramText(p)?.toLowerCase() === 'phone') ? ';user=phone' : '';
  return `${uri.scheme}:${user}${(uri.host ?? '').toLowerCase()}${port}${phone}`;
}

/** Normalised contact URI (scheme, user, host, port with its default, transport) for lineages and 2xx matching. */
export function normalizeContactUri(uri: SipUri | undefined, fallback: string): string {
  if (!uri) return fallback.trim().toLowerCase();
  if (uri.scheme !== 'sip' && uri.scheme !== 'sips') return uri.text.trim().toLowerCase();
  const port = uri.port ?? (uri.scheme === 'sips' ? 5061 : 5060);
  const transport = paramText(uri.params.find((p) => p.name.toLowerCase() === 'transport'))?.toLowerCase() ?? '';
  return `${uri.scheme}:${uri.user ?? ''}@${(uri.host ?? '').toLowerCase()}:${port};${transport}`;
}

/** Parses `1*DIGIT` delta-seconds, capped at 2^32-1 (RFC 3261 §10.2.1.1); undefined when malformed. */
export function parseDeltaSeconds(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const t = raw.trim();
  if (!/^\d+$/.test(t)) return undefined;
  const n = Number(t);
  return n > MAX_EXPIRES ? MAX_EXPIRES : n;
}

export function canonicalImTag(name: string): ImTag | undefined {
  const n = name.toLowerCase();
  // The constant, not `n`: a name already in lower case is a slice of the message text, and an
  // exchange's imTags would keep the whole message alive (issue 7: most of the checker's heap).
  for (const t of IM_TAGS) if (t === n) return t;
  return undefined;
}

/** `="FALSE"` (quoted or not, any case) means "not supported": the tag counts as absent (decision 11.3). */
export function isFalseValue(p: SipParam): boolean {
  return p.value !== undefined && (paramText(p) ?? '').trim().toUpperCase() === 'FALSE';
}

// ---------------------------------------------------------------------------------------------
// Extraction
// ---------------------------------------------------------------------------------------------

function contactFacts(v: NameAddr, expiresHeader: number | undefined, hasExpiresHeader: boolean, expiresHeaderMalformed: boolean): ContactFacts {
  if (v.star) {
    return {
      span: v.span, star: true, bracketed: false, uriKey: '*', params: v.params, imTags: new Set(), imTagParams: [],
      effExpiry: hasExpiresHeader ? (expiresHeaderMalformed ? 'malformed' : (expiresHeader as number)) : 'unspecified', featureParams: [],
    };
  }
  const imTags = new Set<ImTag>();
  const imTagParams: { tag: ImTag; param: SipParam }[] = [];
  let expiresParam: SipParam | undefined;
  let instance: string | undefined;
  let regId: string | undefined;
  const featureParams: SipParam[] = [];
  for (const p of v.params) {
    const n = p.name.toLowerCase();
    const tag = canonicalImTag(n);
    if (tag) {
      imTagParams.push({ tag, param: p });
      if (!isFalseValue(p)) imTags.add(tag);
    }
    if (n === 'expires' && !expiresParam) expiresParam = p;
    else if (n === '+sip.instance' && instance === undefined) instance = paramText(p);
    else if (n === 'reg-id' && regId === undefined) regId = paramText(p);
    if (isFeatureParam(p)) featureParams.push(p);
  }
  let effExpiry: Expiry;
  if (expiresParam) {
    const n = parseDeltaSeconds(paramText(expiresParam));
    effExpiry = n === undefined ? 'malformed' : n;
  } else if (hasExpiresHeader) {
    effExpiry = expiresHeaderMalformed ? 'malformed' : (expiresHeader as number);
  } else {
    effExpiry = 'unspecified';
  }
  return {
    span: v.span, star: false, bracketed: v.bracketed, uri: v.uri, uriKey: normalizeContactUri(v.uri, ''),
    instance, regId, params: v.params, imTags, imTagParams, expiresParam, effExpiry, featureParams,
  };
}

function expiresFacts(sip: SipMessage): RegisterFacts['expiresHeader'] {
  const h = firstHeader(sip, 'expires');
  if (!h) return undefined;
  return { header: h, raw: h.value, value: parseDeltaSeconds(h.value) };
}

function contactsOf(sip: SipMessage, exp: RegisterFacts['expiresHeader']): { contacts: ContactFacts[]; has: boolean } {
  const rows = headersOf(sip, 'contact');
  const contacts: ContactFacts[] = [];
  for (const h of rows) {
    for (const v of parseNameAddrList(sip, h).values) {
      contacts.push(contactFacts(v, exp?.value, exp !== undefined, exp !== undefined && exp.value === undefined));
    }
  }
  return { contacts, has: rows.length > 0 };
}

function viaFacts(sip: SipMessage): ViaFacts {
  const list: string[] = [];
  let top: ViaFacts | undefined;
  for (const h of headersOf(sip, 'via')) {
    for (const v of parseVia(sip, h).values) {
      const branchParam = paramValue(v.params, 'branch');
      const branch = paramText(branchParam);
      const sentBy = `${v.host.toLowerCase()}${v.port !== undefined ? `:${v.port}` : ''}`;
      if (!top) top = { count: 0, branch, branchSpan: branchParam?.span, topSpan: v.span, sentBy, list, top: v };
      list.push(`${v.transport.toUpperCase()} ${sentBy};${branch ?? ''}`);
    }
  }
  if (!top) return { count: 0, list };
  top.count = list.length;
  return top;
}

export function commonFacts(sip: SipMessage): CommonFacts {
  const callIdH = firstHeader(sip, 'call-id');
  const fromH = firstHeader(sip, 'from');
  const toH = firstHeader(sip, 'to');
  const from = fromH ? parseNameAddr(sip, fromH).value : undefined;
  const to = toH ? parseNameAddr(sip, toH).value : undefined;
  return {
    callId: callIdH?.value,
    callIdSpan: callIdH?.valueSpan,
    cseq: parseCSeq(sip),
    via: viaFacts(sip),
    from,
    fromTag: paramText(from && paramValue(from.params, 'tag')),
    to,
    toTag: paramText(to && paramValue(to.params, 'tag')),
    toAor: normalizeAor(to?.uri),
    fromAor: normalizeAor(from?.uri),
  };
}

export function credentialsFacts(sip: SipMessage, key: 'authorization' | 'proxy-authorization'): CredentialsFacts | undefined {
  const h = firstHeader(sip, key);
  if (!h) return undefined;
  const c = parseCredentials(sip, h);
  const values = new Map<string, string>();
  for (const p of c?.params ?? []) values.set(p.name.toLowerCase(), paramText(p) ?? '');
  return { header: h, scheme: c?.scheme ?? '', schemeSpan: c?.schemeSpan ?? h.valueSpan, params: c?.params ?? [], values, raw: h.value };
}

function tokens(sip: SipMessage, key: string): { token: string; span: Span }[] {
  const out: { token: string; span: Span }[] = [];
  for (const h of headersOf(sip, key)) out.push(...parseTokenList(sip, h));
  return out;
}

// The facts objects below list the common fields one by one rather than spreading `common`: V8
// builds `{ ...common, <17 more> }` through a slow path (about 40 µs a REGISTER, measured), the
// largest single cost of the checker.
export function registerFacts(sip: SipMessage): RegisterFacts {
  const sl = sip.startLine;
  const common = commonFacts(sip);
  const exp = expiresFacts(sip);
  const { contacts, has } = contactsOf(sip, exp);
  const uri = sl?.kind === 'request' ? sl.uri : undefined;
  const registrar = uri ? `${(uri.host ?? '').toLowerCase()}${uri.port !== undefined ? `:${uri.port}` : ''}` : '';
  return {
    callId: common.callId,
    callIdSpan: common.callIdSpan,
    cseq: common.cseq,
    via: common.via,
    from: common.from,
    fromTag: common.fromTag,
    to: common.to,
    toTag: common.toTag,
    toAor: common.toAor,
    fromAor: common.fromAor,
    startLine: sl ? sip.text.slice(sl.span.start, sl.span.end) : '',
    startLineSpan: sl?.span ?? { start: 0, end: 0 },
    requestUri: uri,
    requestUriSpan: sl?.kind === 'request' ? sl.uriSpan : { start: 0, end: 0 },
    registrar,
    contacts,
    hasContactHeader: has,
    star: contacts.some((c) => c.star),
    expiresHeader: exp,
    require: tokens(sip, 'require'),
    proxyRequire: tokens(sip, 'proxy-require'),
    supported: tokens(sip, 'supported'),
    authorization: credentialsFacts(sip, 'authorization'),
    proxyAuthorization: credentialsFacts(sip, 'proxy-authorization'),
    userAgent: firstHeader(sip, 'user-agent'),
  };
}

function uriList(sip: SipMessage, key: string): string[] {
  const out: string[] = [];
  for (const h of headersOf(sip, key)) for (const v of parseNameAddrList(sip, h).values) if (v.uri) out.push(v.uri.text.trim());
  return out;
}

export function challengesOf(sip: SipMessage, key: 'www-authenticate' | 'proxy-authenticate'): ChallengeFacts[] {
  const out: ChallengeFacts[] = [];
  for (const h of headersOf(sip, key)) {
    const c = parseCredentials(sip, h);
    if (!c) {
      out.push({ scheme: '', span: h.span });
      continue;
    }
    const get = (n: string) => paramText(paramValue(c.params, n));
    out.push({ scheme: c.scheme, realm: get('realm'), nonce: get('nonce'), algorithm: get('algorithm'), opaque: get('opaque'), qop: get('qop'), stale: get('stale'), span: h.span });
  }
  return out;
}

export function responseFacts(sip: SipMessage): ResponseFacts {
  const sl = sip.startLine;
  const common = commonFacts(sip);
  const exp = expiresFacts(sip);
  const status = sl?.kind === 'response' ? sl.status : 0;
  const me = firstHeader(sip, 'min-expires');
  return {
    callId: common.callId,
    callIdSpan: common.callIdSpan,
    cseq: common.cseq,
    via: common.via,
    from: common.from,
    fromTag: common.fromTag,
    to: common.to,
    toTag: common.toTag,
    toAor: common.toAor,
    fromAor: common.fromAor,
    status,
    startLineSpan: sl?.span ?? { start: 0, end: 0 },
    contacts: contactsOf(sip, exp).contacts,
    expiresHeader: exp,
    challenges: status === 407 ? challengesOf(sip, 'proxy-authenticate') : challengesOf(sip, 'www-authenticate'),
    minExpires: me ? { value: parseDeltaSeconds(me.value), span: me.valueSpan } : undefined,
    unsupported: tokens(sip, 'unsupported'),
    serviceRoute: uriList(sip, 'service-route'),
    pAssociatedUri: uriList(sip, 'p-associated-uri'),
  };
}

/** The first Contact of `list` that is the same binding as `c` (instance-id first, then URI). */
export function findSameBinding(list: readonly ContactFacts[], c: ContactFacts): ContactFacts | undefined {
  if (c.instance) {
    const byInstance = list.find((x) => x.instance !== undefined && x.instance === c.instance);
    if (byInstance) return byInstance;
  }
  return list.find((x) => !x.star && x.uriKey === c.uriKey);
}

export interface PublishFacts extends CommonFacts {
  startLineSpan: Span;
  requestUri?: SipUri;
  requestUriSpan: Span;
  requestAor: string;
  events: SipHeader[];
  ifMatch?: SipHeader;
  contentType?: SipHeader;
  expires?: SipHeader;
  userAgent?: SipHeader;
  routes: { uri: string; span: Span }[];
  routeHeader?: SipHeader;
  bodySpan: Span;
  hasBody: boolean;
}

export function publishFacts(sip: SipMessage): PublishFacts {
  const sl = sip.startLine;
  const uri = sl?.kind === 'request' ? sl.uri : undefined;
  const routes: { uri: string; span: Span }[] = [];
  const routeRows = headersOf(sip, 'route');
  for (const h of routeRows) for (const v of parseNameAddrList(sip, h).values) if (v.uri) routes.push({ uri: v.uri.text.trim(), span: v.span });
  const body = sip.text.slice(sip.bodySpan.start, sip.bodySpan.end);
  const common = commonFacts(sip);
  return {
    callId: common.callId,
    callIdSpan: common.callIdSpan,
    cseq: common.cseq,
    via: common.via,
    from: common.from,
    fromTag: common.fromTag,
    to: common.to,
    toTag: common.toTag,
    toAor: common.toAor,
    fromAor: common.fromAor,
    startLineSpan: sl?.span ?? { start: 0, end: 0 },
    requestUri: uri,
    requestUriSpan: sl?.kind === 'request' ? sl.uriSpan : { start: 0, end: 0 },
    requestAor: normalizeAor(uri),
    events: headersOf(sip, 'event'),
    ifMatch: firstHeader(sip, 'sip-if-match'),
    contentType: firstHeader(sip, 'content-type'),
    expires: firstHeader(sip, 'expires'),
    userAgent: firstHeader(sip, 'user-agent'),
    routes,
    routeHeader: routeRows[0],
    bodySpan: sip.bodySpan,
    hasBody: body.trim() !== '',
  };
}

/** Compares two Service-Route / Route URIs loosely (case-insensitive host part, whitespace trimmed). */
export function sameRouteUri(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}
