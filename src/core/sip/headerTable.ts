/**
 * The SIP header grammar table: one declarative row per header, read by the parser (which
 * validates every header it knows) and by the writer (which formats every header it writes), so
 * what the checker accepts and what the REGISTER templates produce cannot drift apart — the
 * shape sdp-transform uses for SDP (one `grammar.js` driving both `parser.js` and `writer.js`).
 *
 * Sources: RFC 3261 §7.3 and §20 (headers, which may be comma-joined, compact forms), §25.1
 * (grammar); IANA "SIP Parameters" header registry for compact forms (RFC 3841 a/j/d,
 * RFC 6665 o/u, RFC 3515 r, RFC 3892 b, RFC 4028 x, RFC 8224 y/n); rule catalog P-1/P-2.
 */

/**
 * Which value grammar a header follows (RFC 3261 §25.1 unless noted):
 * - 'name-addr': one `name-addr / addr-spec` with header params (From, To, Refer-To, ...).
 * - 'name-addr-list': comma list of those (Contact also allows `*`, see `star`).
 * - 'star-params-list': comma list of `"*" *(SEMI params)` (Accept-Contact, RFC 3841 §10).
 * - 'via': comma list of `sent-protocol LWS sent-by *(SEMI via-params)` (§20.42).
 * - 'cseq': `1*DIGIT LWS Method` (§20.16).
 * - 'call-id': `word ["@" word]` (§20.8).
 * - 'token': one token (SIP-ETag, Priority, ...).
 * - 'token-list': comma list of tokens (Require, Supported, Allow, ...), possibly empty.
 * - 'token-params': one `token *(SEMI generic-param)` (Event, Content-Disposition, ...).
 * - 'token-params-list': comma list of those (Security-Client, Reason, Accept-Encoding, ...).
 * - 'media-type': `m-type "/" m-subtype *(SEMI m-parameter)` (Content-Type, §20.15).
 * - 'media-range-list': comma list of media ranges with params (Accept, §20.1), possibly empty.
 * - 'credentials': `auth-scheme LWS auth-param *(COMMA auth-param)` (Authorization, ...).
 * - 'auth-params': comma list of auth-params without a scheme (Authentication-Info, §20.6).
 * - 'products': `server-val *(LWS server-val)`, products and comments (User-Agent, Server).
 * - 'delta-seconds': `1*DIGIT`, at most 2^32-1 (Expires, Min-Expires, §20.19, §20.23).
 * - 'integer': `1*DIGIT` with a header-specific maximum (Max-Forwards 0-255, RSeq).
 * - 'retry-after': `delta-seconds [comment] *(SEMI retry-param)` (§20.33).
 * - 'date': `rfc1123-date`, GMT only (§20.17).
 * - 'warning': comma list of `warn-code SP warn-agent SP warn-text` (§20.43).
 * - 'text': anything; not validated (Subject, Organization, unknown headers).
 */
export type HeaderGrammar =
  | 'name-addr'
  | 'name-addr-list'
  | 'star-params-list'
  | 'via'
  | 'cseq'
  | 'call-id'
  | 'token'
  | 'token-list'
  | 'token-params'
  | 'token-params-list'
  | 'media-type'
  | 'media-range-list'
  | 'credentials'
  | 'auth-params'
  | 'products'
  | 'delta-seconds'
  | 'integer'
  | 'retry-after'
  | 'date'
  | 'warning'
  | 'text';

export interface HeaderSpec {
  /** Canonical spelling, used when writing: 'Call-ID', 'WWW-Authenticate'. */
  name: string;
  /** Lowercase long name: the `SipHeader.key`. */
  key: string;
  /** Compact form (RFC 3261 §7.3.3), lowercase. */
  compact?: string;
  /** Several rows may be joined into one comma-separated row (RFC 3261 §7.3.1). */
  list: boolean;
  /** At most one row (and one value) per message (rule catalog P-2 -> SIP-PARSE-002). */
  single: boolean;
  grammar: HeaderGrammar;
  /** name-addr-list: the value `*` is allowed alone (Contact, RFC 3261 §10.2.2). */
  star?: boolean;
  /** 'integer' / 'delta-seconds': largest legal value. */
  max?: number;
  /** A list that may be empty (Allow, Supported, Accept, ...: `*(COMMA ...)` with no first item). */
  emptyOk?: boolean;
}

/** 2^32 - 1: the largest delta-seconds a registrar must accept (RFC 3261 §10.2.1.1, §20.19). */
export const MAX_DELTA_SECONDS = 4294967295;

function h(
  name: string,
  grammar: HeaderGrammar,
  list: boolean,
  single: boolean,
  extra: Partial<Pick<HeaderSpec, 'compact' | 'star' | 'max' | 'emptyOk'>> = {},
): HeaderSpec {
  return { name, key: name.toLowerCase(), list, single, grammar, ...extra };
}

/**
 * The table. `single` is the catalog's P-2 list (From, To, Call-ID, CSeq, Max-Forwards,
 * Expires, Content-Length, Content-Type, User-Agent, Min-Expires) plus the other headers
 * RFC 3261 §20 gives exactly one value; `list` is RFC 3261 §7.3.1 (only `#` grammars).
 */
export const HEADER_TABLE: readonly HeaderSpec[] = [
  // Addresses (RFC 3261 §20.10, §20.20, §20.39, §20.30, §20.34; RFC 3327; RFC 3608; RFC 3455; RFC 3325)
  h('From', 'name-addr', false, true, { compact: 'f' }),
  h('To', 'name-addr', false, true, { compact: 't' }),
  h('Contact', 'name-addr-list', true, false, { compact: 'm', star: true }),
  h('Route', 'name-addr-list', true, false),
  h('Record-Route', 'name-addr-list', true, false),
  h('Path', 'name-addr-list', true, false),
  h('Service-Route', 'name-addr-list', true, false),
  h('Reply-To', 'name-addr', false, true),
  h('P-Associated-URI', 'name-addr-list', true, false),
  h('P-Asserted-Identity', 'name-addr-list', true, false),
  h('P-Preferred-Identity', 'name-addr-list', true, false),
  h('P-Called-Party-ID', 'name-addr', false, true),
  h('Refer-To', 'name-addr', false, true, { compact: 'r' }),
  h('Referred-By', 'name-addr', false, true, { compact: 'b' }),
  h('Alert-Info', 'name-addr-list', true, false),
  h('Call-Info', 'name-addr-list', true, false),
  h('Error-Info', 'name-addr-list', true, false),
  // Caller preferences and capabilities (RFC 3841 §10, RFC 6809)
  h('Accept-Contact', 'star-params-list', true, false, { compact: 'a' }),
  h('Reject-Contact', 'star-params-list', true, false, { compact: 'j' }),
  h('Request-Disposition', 'token-list', true, false, { compact: 'd' }),
  h('Feature-Caps', 'star-params-list', true, false),
  // Transaction and dialog identification (RFC 3261 §20.42, §20.16, §20.8, §20.22)
  h('Via', 'via', true, false, { compact: 'v' }),
  h('CSeq', 'cseq', false, true),
  h('Call-ID', 'call-id', false, true, { compact: 'i' }),
  h('Max-Forwards', 'integer', false, true, { max: 255 }),
  // Expiry (RFC 3261 §20.19, §20.23, §20.33; RFC 4028)
  h('Expires', 'delta-seconds', false, true, { max: MAX_DELTA_SECONDS }),
  h('Min-Expires', 'delta-seconds', false, true, { max: MAX_DELTA_SECONDS }),
  h('Retry-After', 'retry-after', false, true, { max: MAX_DELTA_SECONDS }),
  h('Session-Expires', 'retry-after', false, true, { compact: 'x', max: MAX_DELTA_SECONDS }),
  h('Min-SE', 'retry-after', false, true, { max: MAX_DELTA_SECONDS }),
  // Extensions and capabilities (RFC 3261 §20.32, §20.29, §20.37, §20.40, §20.5; RFC 6665)
  h('Require', 'token-list', true, false),
  h('Proxy-Require', 'token-list', true, false),
  h('Supported', 'token-list', true, false, { compact: 'k', emptyOk: true }),
  h('Unsupported', 'token-list', true, false),
  h('Allow', 'token-list', true, false, { emptyOk: true }),
  h('Allow-Events', 'token-list', true, false, { compact: 'u' }),
  h('Event', 'token-params', false, true, { compact: 'o' }),
  h('Subscription-State', 'token-params', false, true),
  // Body (RFC 3261 §20.14, §20.15, §20.12, §20.13, §20.1-§20.3, §20.24)
  h('Content-Length', 'integer', false, true, { compact: 'l', max: Number.MAX_SAFE_INTEGER }),
  h('Content-Type', 'media-type', false, true, { compact: 'c' }),
  h('Content-Encoding', 'token-list', true, false, { compact: 'e' }),
  h('Content-Language', 'token-list', true, false),
  h('Content-Disposition', 'token-params', false, true),
  h('Accept', 'media-range-list', true, false, { emptyOk: true }),
  h('Accept-Encoding', 'token-params-list', true, false, { emptyOk: true }),
  h('Accept-Language', 'token-params-list', true, false, { emptyOk: true }),
  h('MIME-Version', 'text', false, true),
  // Security and authentication (RFC 3261 §20.7, §20.28, §20.27, §20.44, §20.6; RFC 3329)
  h('Authorization', 'credentials', false, false),
  h('Proxy-Authorization', 'credentials', false, false),
  h('WWW-Authenticate', 'credentials', false, false),
  h('Proxy-Authenticate', 'credentials', false, false),
  h('Authentication-Info', 'auth-params', false, true),
  h('Security-Client', 'token-params-list', true, false),
  h('Security-Server', 'token-params-list', true, false),
  h('Security-Verify', 'token-params-list', true, false),
  // Agents and informational (RFC 3261 §20.41, §20.35, §20.17, §20.43, §20.36, §20.26, §20.38)
  h('User-Agent', 'products', false, true),
  h('Server', 'products', false, true),
  h('Date', 'date', false, true),
  h('Warning', 'warning', true, false),
  h('Subject', 'text', false, true, { compact: 's' }),
  h('Organization', 'text', false, true),
  h('Priority', 'token', false, true),
  h('Timestamp', 'text', false, true),
  h('In-Reply-To', 'text', true, false),
  h('Reason', 'token-params-list', true, false),
  // Event state publication and IMS (RFC 3903, RFC 3455, RFC 7315, RFC 3313)
  h('SIP-ETag', 'token', false, true),
  h('SIP-If-Match', 'token', false, true),
  h('P-Access-Network-Info', 'token-params-list', true, false),
  h('P-Visited-Network-ID', 'text', true, false),
  h('P-Charging-Vector', 'token-params', false, true),
  h('P-Charging-Function-Addresses', 'text', false, true),
  h('P-Preferred-Service', 'text', true, false),
  h('P-Asserted-Service', 'text', true, false),
  h('Privacy', 'text', false, true),
  // Identity (RFC 8224 / RFC 4474)
  h('Identity', 'text', false, false, { compact: 'y' }),
  h('Identity-Info', 'text', false, true, { compact: 'n' }),
  // Misc
  h('RSeq', 'integer', false, true, { max: MAX_DELTA_SECONDS }),
  h('RAck', 'text', false, true),
  h('Replaces', 'text', false, true),
  h('Session-ID', 'text', false, true),
];

const BY_KEY = new Map<string, HeaderSpec>();
const BY_COMPACT = new Map<string, HeaderSpec>();
for (const spec of HEADER_TABLE) {
  BY_KEY.set(spec.key, spec);
  if (spec.compact) BY_COMPACT.set(spec.compact, spec);
}

/**
 * Maps a header name as written to its canonical lowercase long name: `m` -> `contact`,
 * `Call-Id` -> `call-id`. Names compare ASCII case-insensitively (RFC 3261 §7.3.1); a
 * one-letter name is a compact form when the table knows it (RFC 3261 §7.3.3, rule P-1).
 */
export function canonicalHeaderKey(name: string): { key: string; compact: boolean } {
  // Every header of every message, and every lookup by name (tens a message), comes here. A small
  // direct-mapped cache answers a name seen before (the names in code are the same string
  // objects each time, so the test is a pointer comparison); the answers are frozen and shared.
  const slot = (name.length * 31 + name.charCodeAt(0)) & (KEY_CACHE_SIZE - 1);
  if (keyCacheNames[slot] === name) return keyCacheAnswers[slot];
  const answer = canonicalHeaderKeyUncached(name);
  keyCacheNames[slot] = name;
  keyCacheAnswers[slot] = answer;
  return answer;
}

const KEY_CACHE_SIZE = 128;
const keyCacheNames: (string | undefined)[] = new Array<string | undefined>(KEY_CACHE_SIZE).fill(undefined);
const keyCacheAnswers: { key: string; compact: boolean }[] = new Array<{ key: string; compact: boolean }>(KEY_CACHE_SIZE).fill({ key: '', compact: false });

function canonicalHeaderKeyUncached(name: string): { key: string; compact: boolean } {
  // The usual spellings are answered from a table whose key is the table's own string, so later
  // comparisons and Map lookups by key are cheap.
  const known = KNOWN_SPELLINGS.get(name);
  if (known !== undefined) return known;
  const lower = name.toLowerCase();
  if (lower.length === 1) {
    const spec = BY_COMPACT.get(lower);
    if (spec) return Object.freeze({ key: spec.key, compact: true });
  }
  return Object.freeze({ key: lower, compact: false });
}

/** canonicalHeaderKey's answers for the table's keys, its names as written and its compact forms (either case). */
const KNOWN_SPELLINGS = new Map<string, { key: string; compact: boolean }>();
for (const spec of HEADER_TABLE) {
  const long = Object.freeze({ key: spec.key, compact: false });
  KNOWN_SPELLINGS.set(spec.key, long);
  KNOWN_SPELLINGS.set(spec.name, long);
  if (spec.compact) {
    const short = Object.freeze({ key: spec.key, compact: true });
    KNOWN_SPELLINGS.set(spec.compact, short);
    KNOWN_SPELLINGS.set(spec.compact.toUpperCase(), short);
  }
}

/** The table row for a canonical key (or any spelling, compact forms included). */
export function headerSpec(nameOrKey: string): HeaderSpec | undefined {
  return BY_KEY.get(nameOrKey) ?? BY_KEY.get(canonicalHeaderKey(nameOrKey).key);
}
