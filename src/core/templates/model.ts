/**
 * Types of the REGISTER template generator (rule catalog §12 compliant examples, §13 generation
 * notes): what the user chooses (kind, options), what fills the message (fields, blank or taken
 * from a trace) and what comes out (the message text, its placeholders, its check result).
 */
import type { MessageInput } from '../sip/writer';

/**
 * One message of the OMA SIMPLE IM registration life cycle (catalog §12):
 * initial REGISTER (12.1/12.8), REGISTER with credentials after a 401/407 (12.3), refresh (12.5),
 * IM-only de-registration (12.6), full de-registration (12.7a/b) and the IM service settings
 * PUBLISH (12.9).
 */
export type TemplateKind = 'initial' | 'credentials' | 'refresh' | 'im-deregistration' | 'full-deregistration' | 'publish';

/** Life-cycle order; also the order of a full SIPp flow. */
export const TEMPLATE_KINDS: readonly TemplateKind[] = ['initial', 'credentials', 'publish', 'refresh', 'im-deregistration', 'full-deregistration'];

export const TEMPLATE_KIND_LABELS: Readonly<Record<TemplateKind, string>> = {
  initial: 'Initial REGISTER',
  credentials: 'REGISTER with credentials (after 401/407)',
  refresh: 'Refresh REGISTER',
  'im-deregistration': 'IM-only de-registration',
  'full-deregistration': 'Full de-registration',
  publish: 'IM service settings PUBLISH',
};

export type TemplateProfile = 'generic' | 'ims';
/** digest: RFC 3261 §22 / RFC 8760; ims-aka: RFC 3310 with sec-agree (TS 33.203); none: no challenge expected. */
export type AuthMode = 'digest' | 'ims-aka' | 'none';
export type TemplateTransport = 'UDP' | 'TCP' | 'TLS';

export interface TemplateOptions {
  profile: TemplateProfile;
  auth: AuthMode;
  transport: TemplateTransport;
  /** RFC 5626: `reg-id` on the Contact and `Supported: outbound` (only with an instance id). */
  outbound: boolean;
  /** RFC 5627: `Supported: gruu` (only with an instance id). */
  gruu: boolean;
  /** Full de-registration with `Contact: *` (removes the AOR's other devices too: catalog 12.7b). */
  wildcard: boolean;
  /** The challenge came in a 407 (Proxy-Authenticate -> Proxy-Authorization) instead of a 401. */
  proxyChallenge: boolean;
  /** Show the PUBLISH although its «» placeholders are not filled (catalog 12.9: refused otherwise). */
  acceptPlaceholders: boolean;
}

export const DEFAULT_OPTIONS: Readonly<TemplateOptions> = {
  profile: 'generic',
  auth: 'digest',
  transport: 'UDP',
  outbound: false,
  gruu: true,
  wildcard: false,
  proxyChallenge: false,
  acceptPlaceholders: false,
};

/** Every value of every option: the space the generator's unit test walks completely. */
export const OPTION_SPACE: { readonly [K in keyof TemplateOptions]: readonly TemplateOptions[K][] } = {
  profile: ['generic', 'ims'],
  auth: ['digest', 'ims-aka', 'none'],
  transport: ['UDP', 'TCP', 'TLS'],
  outbound: [false, true],
  gruu: [false, true],
  wildcard: [false, true],
  proxyChallenge: [false, true],
  acceptPlaceholders: [false, true],
};

/** The last challenge (WWW-Authenticate / Proxy-Authenticate) the credentials answer. */
export interface ChallengeFields {
  realm: string;
  nonce: string;
  opaque?: string;
  /** As the challenge writes it (`MD5`, `SHA-256`, `AKAv1-MD5`, ...); absent = MD5. */
  algorithm?: string;
  /** As offered, e.g. `auth` or `auth,auth-int`; absent = no qop (RFC 2069 compatibility). */
  qop?: string;
}

/** What fills a template. Everything has a default (blankFields); a trace prefill overrides some. */
export interface TemplateFields {
  /** Address-of-record, in From and To: `sip:alice@ims.example.net`. */
  aor: string;
  /** Request-URI of REGISTER: the registrar domain, `sip:ims.example.net` (RFC3261-REG-001). */
  registrar: string;
  /** User part of the Contact URI (default: the AOR user). */
  contactUser?: string;
  /** Contact / Via host: an IP address (IPv6 with or without brackets) or a host name. */
  contactHost: string;
  contactPort?: number;
  /** `+sip.instance` URN without the angle brackets: `urn:uuid:...` or `urn:gsma:imei:...`. */
  instanceId?: string;
  /** `reg-id` when options.outbound (RFC 5626 §4.2). */
  regId: number;
  callId: string;
  /** CSeq of the generated request; default: its place in the life cycle (1, 2, 3 ...). */
  cseq?: number;
  fromTag: string;
  /** Vendor product(s) after the IM release product: `ExampleIM/2.3.1`. */
  vendorProduct: string;
  /** IM release of `IM-client/<release>` (catalog 11.2): `OMA1.0`. */
  imRelease: string;
  /** Requested expiry in seconds (catalog 11.11: 3600 generic, 600000 IMS). */
  expires: number;
  /** Digest username (private identity in IMS). Default: the AOR user (generic), user@domain (IMS). */
  username?: string;
  /** Password (Digest) or RES in hex (AKAv1-MD5). Never stored in webview state. */
  password?: string;
  challenge?: ChallengeFields;
  /** Nonce count of the generated request (default: its place after the challenge, 1, 2, ...). */
  nonceCount?: number;
  /** Client nonce; default random. */
  cnonce?: string;
  /** Via branch; default `z9hG4bK` + random. */
  branch?: string;
  /** IMS sec-agree (RFC 3329, TS 33.203): the client's Security-Client value. */
  securityClient?: string;
  /** Security-Server of the 401, echoed in Security-Verify. */
  securityServer?: string;
  /** Outbound proxy / P-CSCF as a URI (`sip:pcscf.ims.example.net;lr`): first Route of the PUBLISH. */
  outboundProxy?: string;
  /** Service-Route URIs of the last 2xx to REGISTER (RFC 3608): the rest of the PUBLISH Route. */
  serviceRoute: string[];
  publishCallId: string;
  publishFromTag: string;
  publishCSeq?: number;
  /** Event package of the settings PUBLISH (catalog 11.1: unconfirmed, placeholder when empty). */
  eventPackage?: string;
  /** MIME type of the settings document (catalog 11.1: placeholder when empty). */
  contentType?: string;
  /** The settings document (placeholder when empty). */
  settingsBody?: string;
  publishExpires: number;
}

/** A value the user still has to supply, written as «name» in the shown text. */
export interface Placeholder {
  name: string;
  /** Header it stands in (or `body`). */
  where: string;
  description: string;
  /** Catalog 12.9: the template is not emitted until this is filled or placeholders are accepted. */
  blocking: boolean;
}

/** How the Authorization `response` of this template was obtained. */
export type DigestState = 'computed' | 'placeholder' | 'empty' | 'none';

export interface GeneratedTemplate {
  kind: TemplateKind;
  options: TemplateOptions;
  /** The fields after defaults, with the values actually used (CSeq, branch, nc, cnonce). */
  fields: TemplateFields;
  /** The message as shown, copied, inserted: CRLF line ends, «» placeholders. */
  text: string;
  /** The same message with every placeholder replaced by a syntactically valid stand-in (what the checker reads). */
  checkText: string;
  /** The writer input the text was made from (same grammar table as the parser). */
  message: MessageInput;
  placeholders: Placeholder[];
  /** False while a blocking placeholder is open and not accepted (catalog 12.9). */
  ready: boolean;
  digest: DigestState;
  /** Human notes: how the response was computed, options that could not apply, ... */
  notes: string[];
}
