/**
 * Feature-tag encoding in REGISTER Contact values (rule catalog §6: RFC3840-001..007, RFC3841-001;
 * RFC 3840 §9 ABNF, catalog P-6).
 */
import type { SipParam } from '../types';
import { headersOf } from '../sip/parser';
import { BASE_FEATURE_TAGS, canonicalImTag } from '../register/facts';
import { EX, IM_CONTACT, PLAIN_CONTACT, register } from './examples';
import { defineRule } from './helpers';

/** Other-tag name after the `+`: one ALPHA, then ALPHA / DIGIT / `!` `'` `.` `-` `%` (RFC 3840 §9 ftag-name). */
const FTAG_NAME = /^[A-Za-z][A-Za-z0-9!'.%-]*$/;
/** token-nobang: token characters except `!` (RFC 3840 §9). */
const TOKEN_NOBANG = /^[A-Za-z0-9\-.%*_+`'~]+$/;
const NUMERIC = /^#(?:(?:=|<=|>=)?[+-]?\d+(?:\.\d+)?|[+-]?\d+(?:\.\d+)?:[+-]?\d+(?:\.\d+)?)$/;

function isQuoted(raw: string): boolean {
  return raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"');
}

/** Why a quoted feature value breaks RFC 3840 §9 (undefined when it is valid). */
export function featureValueProblem(raw: string): string | undefined {
  const inner = raw.slice(1, -1);
  if (inner.startsWith('<')) {
    if (!inner.endsWith('>')) return 'a string value starts with "<" and must end with ">"';
    if (/[<>]/.test(inner.slice(1, -1))) return 'a string value "<...>" cannot contain "<" or ">" inside';
    return undefined;
  }
  if (inner === '') return 'empty value';
  for (const item of inner.split(',')) {
    if (item === '') return 'empty item in the value list';
    if (/\s/.test(item)) return `"${item}" contains whitespace: list items are separated by "," without spaces`;
    const v = item.startsWith('!') ? item.slice(1) : item;
    if (v.startsWith('#')) {
      if (!NUMERIC.test(v)) return `"${item}" is not a numeric value (#=n, #<=n, #>=n or #a:b)`;
    } else if (!TOKEN_NOBANG.test(v)) {
      return `"${item}" is not a token; a string value (e.g. a URN) must be written "<...>"`;
    }
  }
  return undefined;
}

export const rfc3840001 = defineRule({
  id: 'RFC3840-001',
  title: 'Feature-tag name syntax',
  defaultSeverity: 'error',
  clause: 'RFC 3840 §9 (ftag-name)',
  basis: 'MUST',
  appliesTo: { events: ['register'], description: 'Every Contact header parameter starting with `+` in a REGISTER.' },
  docs: {
    what: 'After the `+`, a feature tag name is one letter followed by letters, digits, `!`, `\'`, `.`, `-` or `%`; other characters are percent-escaped.',
    why: 'A name outside the grammar is not a feature tag: registrars keep it as an opaque parameter and capability matching ignores it.',
    get failing() {
      return register({ contact: `${IM_CONTACT};+g.3gpp.app_ref="urn%3Aurn-7%3A3gpp-application.ims.iari.example"` });
    },
    get passing() {
      return register({ contact: `${IM_CONTACT};+g.3gpp.app%5fref="urn%3Aurn-7%3A3gpp-application.ims.iari.example"` });
    },
    fix: 'Escape the character (`_` is `%5f`) or use the registered spelling.',
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    for (const c of ctx.req.contacts) {
      for (const p of c.params) {
        if (!p.name.startsWith('+')) continue;
        if (!FTAG_NAME.test(p.name.slice(1))) ctx.report(p.nameSpan, `feature tag name "${p.name}" breaks RFC 3840 §9: after "+" one letter, then letters, digits, ! ' . - % (escape other characters)`);
      }
    }
  },
});

export const rfc3840002 = defineRule({
  id: 'RFC3840-002',
  title: 'Feature values are double-quoted',
  defaultSeverity: 'error',
  clause: 'RFC 3840 §9 (feature-param)',
  basis: 'MUST',
  appliesTo: { events: ['register'], description: 'Every Contact feature parameter with a value (`+tag=` and base tags such as `mobility=`).' },
  decision: 'Catalog 11.10: unquoted values appear in some stacks but the ABNF requires quotes; error with the quoted form as fix.',
  docs: {
    what: 'A feature parameter that has a value writes it in double quotes.',
    why: 'Registrars that follow RFC 3840 treat an unquoted value as a generic parameter, so the capability is lost.',
    get failing() {
      return register({ contact: `${IM_CONTACT};+g.3gpp.icsi-ref=urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.msg` });
    },
    get passing() {
      return register({ contact: `${IM_CONTACT};+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.msg"` });
    },
    fix: 'Quote the value: `;+g.3gpp.icsi-ref="urn%3A..."`.',
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    for (const c of ctx.req.contacts) {
      for (const p of c.featureParams) {
        if (p.value === undefined || isQuoted(p.value.trim())) continue;
        if (canonicalImTag(p.name)) continue; // OMA-IM-REG-004 reports IM tags with a value
        ctx.report(p.valueSpan ?? p.span, `feature parameter ${p.name} has the unquoted value ${p.value}; RFC 3840 §9 requires ${p.name}="${p.value}"`);
      }
    }
  },
});

export const rfc3840003 = defineRule({
  id: 'RFC3840-003',
  title: 'Value list / string syntax inside the quotes',
  defaultSeverity: 'error',
  clause: 'RFC 3840 §9 (tag-value-list, string-value)',
  basis: 'MUST',
  appliesTo: { events: ['register'], description: 'Every quoted Contact feature value.' },
  docs: {
    what: 'Inside the quotes a feature value is either a comma list of tokens / TRUE / FALSE / #numerics (each may start with `!`), without spaces, or one string value `<...>`.',
    why: 'A URN written without `<...>` (e.g. a +sip.instance) is not a valid value; the registrar cannot use it to identify the instance.',
    get failing() {
      return register({ contact: `${IM_CONTACT};+sip.instance="urn:uuid:0ed88e5e-9fb0-4656-8d3c-41384aca903a"` });
    },
    get passing() {
      return register({ contact: `${IM_CONTACT};+sip.instance="<urn:uuid:0ed88e5e-9fb0-4656-8d3c-41384aca903a>"` });
    },
    fix: '`;+sip.instance="<urn:uuid:...>"`',
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    for (const c of ctx.req.contacts) {
      for (const p of c.featureParams) {
        const raw = p.value?.trim();
        if (!raw || !isQuoted(raw)) continue;
        const problem = featureValueProblem(raw);
        if (problem) ctx.report(p.valueSpan ?? p.span, `feature value of ${p.name}: ${problem} (RFC 3840 §9)`);
      }
    }
  },
});

export const rfc3840004 = defineRule({
  id: 'RFC3840-004',
  title: 'Base (sip-tree) tags carry no `+`',
  defaultSeverity: 'warning',
  clause: 'RFC 3840 §9 (base tags are written without `sip.` and without `+`)',
  basis: 'INTEROP',
  appliesTo: { events: ['register'], description: 'Contact parameters `+audio`, `+video`, `+text`, `+automata`, ... in a REGISTER.' },
  docs: {
    what: 'Base tags of the sip. tree (audio, video, text, automata, ...) are written without `+`.',
    why: '`+audio` is read as a different tag, `audio` of the global tree; matching against `audio` fails.',
    get failing() {
      return register({ contact: `${IM_CONTACT};+audio` });
    },
    get passing() {
      return register({ contact: `${IM_CONTACT};audio` });
    },
    fix: '`;audio`',
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    for (const c of ctx.req.contacts) {
      for (const p of c.params) {
        const n = p.name.toLowerCase();
        if (n.startsWith('+') && (BASE_FEATURE_TAGS.has(n.slice(1)) || (n.startsWith('+sip.') && BASE_FEATURE_TAGS.has(n.slice(5))))) {
          ctx.report(p.nameSpan, `base feature tag written as "${p.name}": RFC 3840 writes sip-tree tags without "+" (and without "sip."), i.e. ";${n.replace(/^\+(sip\.)?/, '')}"`);
        }
      }
    }
  },
});

export const rfc3840005 = defineRule({
  id: 'RFC3840-005',
  title: 'Duplicate feature tag on one Contact',
  defaultSeverity: 'warning',
  clause: 'Rule catalog §6 (decision; RFC 3841 §10 forbids it in Accept-Contact)',
  basis: 'DECISION',
  appliesTo: { events: ['register'], description: 'Every Contact value of a REGISTER.' },
  docs: {
    what: 'A feature tag appears at most once per Contact value (names compare case-insensitively).',
    why: 'The meaning of a repeated tag is undefined; registrars keep one of them, not necessarily the one intended.',
    get failing() {
      return register({ contact: `${IM_CONTACT};+G.OMA.SIP-IM` });
    },
    get passing() {
      return register();
    },
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    for (const c of ctx.req.contacts) {
      const seen = new Map<string, SipParam>();
      for (const p of c.featureParams) {
        const n = p.name.toLowerCase();
        const first = seen.get(n);
        if (first) ctx.report(p.span, `feature tag ${p.name} appears twice in this Contact`, [{ messageIndex: ctx.msg.index, span: first.span, message: 'first occurrence' }]);
        else seen.set(n, p);
      }
    }
  },
});

export const rfc3840006 = defineRule({
  id: 'RFC3840-006',
  title: 'Canonical case for tag names',
  defaultSeverity: 'info',
  clause: 'RFC 3840 (names compare case-insensitively); OMA-TS-SIMPLE_IM §5.2.1 (canonical spelling)',
  basis: 'DECISION',
  appliesTo: { events: ['register'], description: 'IM tags in REGISTER Contact values.' },
  docs: {
    what: 'IM tags are written in the canonical lower case of the OMA specification.',
    why: 'Matching is case-insensitive, but some network elements compare byte-wise.',
    get failing() {
      return register({ contact: `<${EX.contactUri}>;+G.OMA.SIP-IM;+g.oma.sip-im.system-message;+g.oma.sip-im.large-message` });
    },
    get passing() {
      return register();
    },
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    for (const c of ctx.req.contacts) {
      for (const p of c.params) {
        const tag = canonicalImTag(p.name);
        if (tag && p.name !== tag) ctx.report(p.nameSpan, `"${p.name}" is spelled "${tag}" in OMA-TS-SIMPLE_IM (names compare case-insensitively)`);
      }
    }
  },
});

export const rfc3840007 = defineRule({
  id: 'RFC3840-007',
  title: '`Require: pref` without feature parameters',
  defaultSeverity: 'info',
  clause: 'RFC 3840 (`pref` option tag)',
  basis: 'DECISION',
  appliesTo: { events: ['register'], description: 'REGISTERs with `Require: pref` and no feature parameter on any Contact.' },
  docs: {
    what: 'Notes a `Require: pref` on a REGISTER whose contacts carry no feature parameter (typical for an IM-only de-registration).',
    why: 'Harmless, but a registrar without RFC 3840 support then rejects the REGISTER with 420 for nothing.',
    get failing() {
      return register({ contact: PLAIN_CONTACT });
    },
    get passing() {
      return register();
    },
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const pref = ctx.req.require.find((t) => t.token.toLowerCase() === 'pref');
    if (!pref || ctx.req.contacts.some((c) => c.featureParams.length > 0)) return;
    ctx.report(pref.span, 'Require: pref although no Contact carries a feature parameter; a registrar without RFC 3840 support will answer 420 for nothing');
  },
});

export const rfc3841001 = defineRule({
  id: 'RFC3841-001',
  title: 'Caller-preference headers in REGISTER have no registration effect',
  defaultSeverity: 'info',
  clause: 'RFC 3841 §9 (Accept-Contact, Reject-Contact, Request-Disposition)',
  basis: 'DECISION',
  appliesTo: { events: ['register'], description: 'REGISTERs with Accept-Contact, Reject-Contact or Request-Disposition.' },
  decision: 'When the IM tags are only in Accept-Contact, OMA-IM-REG-001 also says so in its message.',
  docs: {
    what: 'Accept-Contact, Reject-Contact and Request-Disposition steer the routing of a request; a registrar stores none of them.',
    why: 'Capabilities written there are not registered; they belong in the Contact header.',
    get failing() {
      return register({ extra: [`Accept-Contact: *;+g.oma.sip-im`] });
    },
    get passing() {
      return register();
    },
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    for (const key of ['accept-contact', 'reject-contact', 'request-disposition']) {
      for (const h of headersOf(ctx.sip, key)) {
        ctx.report(h.span, `${h.name} in a REGISTER registers nothing (RFC 3841 §9); capabilities belong in Contact`);
      }
    }
  },
});

