/**
 * The template form: every editable field as text (what a form control holds), its label and
 * group, and the conversions between the form and TemplateFields. Shared by the webview (which
 * draws the form from FORM_FIELDS) and the extension host (which validates and converts).
 */
import type { ChallengeFields, TemplateFields } from './model';

export type FormFieldName =
  | 'aor'
  | 'registrar'
  | 'contactUser'
  | 'contactHost'
  | 'contactPort'
  | 'instanceId'
  | 'regId'
  | 'callId'
  | 'cseq'
  | 'fromTag'
  | 'vendorProduct'
  | 'imRelease'
  | 'expires'
  | 'username'
  | 'password'
  | 'realm'
  | 'nonce'
  | 'algorithm'
  | 'qop'
  | 'opaque'
  | 'nonceCount'
  | 'securityClient'
  | 'securityServer'
  | 'outboundProxy'
  | 'serviceRoute'
  | 'publishCallId'
  | 'publishFromTag'
  | 'eventPackage'
  | 'contentType'
  | 'settingsBody'
  | 'publishExpires';

export type FormGroup = 'identity' | 'contact' | 'dialog' | 'auth' | 'ims' | 'publish';

export interface FormFieldSpec {
  name: FormFieldName;
  label: string;
  group: FormGroup;
  input: 'text' | 'number' | 'password' | 'multiline';
  /** Longest value accepted from the webview. */
  maxLength: number;
  hint?: string;
}

const f = (name: FormFieldName, label: string, group: FormGroup, input: FormFieldSpec['input'] = 'text', hint?: string): FormFieldSpec => ({
  name,
  label,
  group,
  input,
  maxLength: input === 'multiline' ? 65536 : 2048,
  hint,
});

/** Form order. `id` of each control in the webview: `field-<name>`. */
export const FORM_FIELDS: readonly FormFieldSpec[] = [
  f('aor', 'AOR (From / To)', 'identity', 'text', 'sip:alice@ims.example.net'),
  f('registrar', 'Registrar (Request-URI)', 'identity', 'text', 'sip:ims.example.net'),
  f('vendorProduct', 'Vendor product(s) in User-Agent', 'identity'),
  f('imRelease', 'IM release (IM-client/…)', 'identity', 'text', 'OMA1.0'),
  f('expires', 'Expires (s)', 'identity', 'number'),
  f('contactUser', 'Contact user', 'contact'),
  f('contactHost', 'Contact host', 'contact'),
  f('contactPort', 'Contact port', 'contact', 'number'),
  f('instanceId', '+sip.instance (URN)', 'contact', 'text', 'urn:uuid:…'),
  f('regId', 'reg-id', 'contact', 'number'),
  f('callId', 'Call-ID', 'dialog'),
  f('cseq', 'CSeq (empty: life-cycle order)', 'dialog', 'number'),
  f('fromTag', 'From tag', 'dialog'),
  f('username', 'Username', 'auth'),
  f('password', 'Password (or AKA RES, hex)', 'auth', 'password', 'computed here, never stored'),
  f('realm', 'Realm', 'auth'),
  f('nonce', 'Nonce', 'auth'),
  f('algorithm', 'Algorithm', 'auth', 'text', 'MD5, SHA-256, AKAv1-MD5'),
  f('qop', 'qop offered', 'auth', 'text', 'auth'),
  f('opaque', 'Opaque', 'auth'),
  f('nonceCount', 'Nonce count', 'auth', 'number'),
  f('securityClient', 'Security-Client', 'ims'),
  f('securityServer', 'Security-Server of the 401', 'ims'),
  f('outboundProxy', 'Outbound proxy / P-CSCF (first Route)', 'publish', 'text', 'sip:pcscf.example.net;lr'),
  f('serviceRoute', 'Service-Route (comma-separated URIs)', 'publish'),
  f('publishCallId', 'PUBLISH Call-ID', 'publish'),
  f('publishFromTag', 'PUBLISH From tag', 'publish'),
  f('eventPackage', 'Event package «unconfirmed»', 'publish'),
  f('contentType', 'Content-Type «unconfirmed»', 'publish'),
  f('settingsBody', 'Settings document «unconfirmed»', 'publish', 'multiline'),
  f('publishExpires', 'PUBLISH Expires (s)', 'publish', 'number'),
];

export const FORM_FIELD_NAMES: ReadonlySet<string> = new Set(FORM_FIELDS.map((x) => x.name));

export type FormValues = Partial<Record<FormFieldName, string>>;

function num(v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v.trim());
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : undefined;
}

function str(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/** Form text of the fields (the password is never put in a form: the user types it). */
export function fieldsToForm(x: TemplateFields): FormValues {
  const s = (v: string | number | undefined) => (v === undefined ? '' : String(v));
  return {
    aor: x.aor,
    registrar: x.registrar,
    contactUser: s(x.contactUser),
    contactHost: x.contactHost,
    contactPort: s(x.contactPort),
    instanceId: s(x.instanceId),
    regId: s(x.regId),
    callId: x.callId,
    cseq: s(x.cseq),
    fromTag: x.fromTag,
    vendorProduct: x.vendorProduct,
    imRelease: x.imRelease,
    expires: s(x.expires),
    username: s(x.username),
    password: '',
    realm: s(x.challenge?.realm),
    nonce: s(x.challenge?.nonce),
    algorithm: s(x.challenge?.algorithm),
    qop: s(x.challenge?.qop),
    opaque: s(x.challenge?.opaque),
    nonceCount: s(x.nonceCount),
    securityClient: s(x.securityClient),
    securityServer: s(x.securityServer),
    outboundProxy: s(x.outboundProxy),
    serviceRoute: x.serviceRoute.join(', '),
    publishCallId: x.publishCallId,
    publishFromTag: x.publishFromTag,
    eventPackage: s(x.eventPackage),
    contentType: s(x.contentType),
    settingsBody: s(x.settingsBody),
    publishExpires: s(x.publishExpires),
  };
}

/**
 * Fields from the form, over `base` (the blank form or the trace prefill): an empty text field
 * means "no value" for optional fields and "keep the base value" for required ones.
 */
export function formToFields(form: FormValues, base: TemplateFields): TemplateFields {
  const out: TemplateFields = { ...base, serviceRoute: [...base.serviceRoute] };
  const req = (k: 'aor' | 'registrar' | 'contactHost' | 'callId' | 'fromTag' | 'imRelease' | 'publishCallId' | 'publishFromTag') => {
    const v = str(form[k]);
    if (v !== undefined) out[k] = v;
  };
  req('aor');
  req('registrar');
  req('contactHost');
  req('callId');
  req('fromTag');
  req('imRelease');
  req('publishCallId');
  req('publishFromTag');
  if (form.vendorProduct !== undefined) out.vendorProduct = form.vendorProduct.trim();
  if (form.contactUser !== undefined) out.contactUser = str(form.contactUser);
  if (form.contactPort !== undefined) out.contactPort = num(form.contactPort);
  if (form.instanceId !== undefined) out.instanceId = str(form.instanceId)?.replace(/^<|>$/g, '');
  if (form.regId !== undefined) out.regId = num(form.regId) ?? base.regId;
  if (form.cseq !== undefined) out.cseq = num(form.cseq);
  if (form.expires !== undefined) out.expires = num(form.expires) ?? base.expires;
  if (form.username !== undefined) out.username = str(form.username);
  if (form.password !== undefined) out.password = form.password === '' ? undefined : form.password;
  if (form.nonceCount !== undefined) out.nonceCount = num(form.nonceCount);
  if (form.securityClient !== undefined) out.securityClient = str(form.securityClient);
  if (form.securityServer !== undefined) out.securityServer = str(form.securityServer);
  if (form.outboundProxy !== undefined) out.outboundProxy = str(form.outboundProxy);
  if (form.serviceRoute !== undefined) out.serviceRoute = splitUris(form.serviceRoute);
  if (form.eventPackage !== undefined) out.eventPackage = str(form.eventPackage);
  if (form.contentType !== undefined) out.contentType = str(form.contentType);
  if (form.settingsBody !== undefined) out.settingsBody = form.settingsBody.trim() === '' ? undefined : form.settingsBody;
  if (form.publishExpires !== undefined) out.publishExpires = num(form.publishExpires) ?? base.publishExpires;
  // A challenge needs at least a realm and a nonce; otherwise the template shows placeholders.
  const realm = str(form.realm);
  const nonce = str(form.nonce);
  if (form.realm !== undefined || form.nonce !== undefined) {
    if (realm !== undefined && nonce !== undefined) {
      const ch: ChallengeFields = { realm, nonce, algorithm: str(form.algorithm), qop: str(form.qop), opaque: str(form.opaque) };
      out.challenge = ch;
    } else {
      out.challenge = undefined;
    }
  }
  return out;
}

/** `<sip:a;lr>, sip:b` -> ['sip:a;lr', 'sip:b'] (commas inside <> kept). */
export function splitUris(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '<') depth++;
    if (ch === '>') depth = Math.max(0, depth - 1);
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim().replace(/^<(.*)>$/, '$1').trim()).filter((s) => s !== '');
}
