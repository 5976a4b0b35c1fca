/**
 * OMA SIMPLE IM feature tags in the REGISTER Contact (rule catalog §3: OMA-IM-REG-001..007, 016).
 * Source: OMA-TS-SIMPLE_IM §5.2.1 items 2, 2a, 2b and §5.2.3 item 2 (change request text);
 * encoding per RFC 3840 §9.
 */
import type { Severity, SipMessage } from '../types';
import { type ContactFacts, type ImTag, IM_TAGS, type RegisterFacts, canonicalImTag, isFalseValue, paramText } from '../register/facts';
import { headersOf } from '../sip/parser';
import { EX, IM_CONTACT, PLAIN_CONTACT, flow, imRegistration, register } from './examples';
import { defineRule, levenshtein, listText } from './helpers';
import type { RegisterContext, Rule } from './types';

/** Contacts that register (effective expiry not 0), the ones OMA §5.2.1 talks about. */
export function registeringContacts(req: RegisterFacts): ContactFacts[] {
  return req.contacts.filter((c) => !c.star && c.effExpiry !== 0);
}

const UNCERTAIN_NOTE = ' (the capture may have started after an IM registration, so this could be an IM-only de-registration: see CLASS-001)';

function normalizeTagName(n: string): string {
  return n.toLowerCase().replace(/^\+/, '').replace(/msg/g, 'message').replace(/sys(?!tem)/g, 'system').replace(/[-_.]/g, '');
}

/** The IM tag a misspelled parameter name most likely meant (OMA-IM-REG-005), if any. */
export function misspelledImTag(name: string): ImTag | undefined {
  const n = name.toLowerCase();
  if (canonicalImTag(n)) return undefined;
  if (!/^\+?g\.?oma/.test(n)) return undefined;
  let best: ImTag | undefined;
  let bestDist = Infinity;
  for (const tag of IM_TAGS) {
    const d = Math.min(levenshtein(n, tag), n.startsWith('+') ? Infinity : levenshtein(`+${n}`, tag));
    const same = normalizeTagName(n) === normalizeTagName(tag);
    const dist = same ? 0 : d;
    if (dist < bestDist) {
      bestDist = dist;
      best = tag;
    }
  }
  return bestDist <= 2 ? best : undefined;
}

/** Why a tag may look present to a human reader although it is not (hints for 001..003). */
/**
 * Tokens of the message's Accept-Contact headers, computed once per message: a REGISTER may
 * carry thousands of Contact values, and the hint below is built for each of them.
 */
const acceptContactTokens = new WeakMap<SipMessage, Set<string>>();

function acceptContactTokensOf(sip: SipMessage): Set<string> {
  let tokens = acceptContactTokens.get(sip);
  if (!tokens) {
    tokens = new Set(headersOf(sip, 'accept-contact').flatMap((h) => h.value.toLowerCase().split(/[;,\s]/)));
    acceptContactTokens.set(sip, tokens);
  }
  return tokens;
}

function missingTagHint(sip: SipMessage, c: ContactFacts, tag: ImTag): string {
  const asUri = c.uri?.params.find((p) => p.name.toLowerCase() === tag);
  if (asUri) return `; it is written as a URI parameter inside <...>, where it is not a feature tag (OMA-IM-REG-006)`;
  const falsy = c.imTagParams.find((x) => x.tag === tag && isFalseValue(x.param));
  if (falsy) return `; its value "FALSE" means "not supported" (RFC 3840), so it counts as absent`;
  const bare = c.params.find((p) => p.name.toLowerCase() === tag.slice(1));
  if (bare) return `; "${bare.name}" lacks the leading "+" and is a different parameter`;
  const typo = c.params.find((p) => misspelledImTag(p.name) === tag);
  if (typo) return `; "${typo.name}" looks like a misspelling of it (OMA-IM-REG-005)`;
  if (acceptContactTokensOf(sip).has(tag)) return '; it appears only in Accept-Contact, which registers nothing (RFC3841-001)';
  return '';
}

const TAG_ITEM: Record<ImTag, string> = {
  '+g.oma.sip-im': 'OMA-TS-SIMPLE_IM §5.2.1 item 2',
  '+g.oma.sip-im.system-message': 'OMA-TS-SIMPLE_IM §5.2.1 item 2a',
  '+g.oma.sip-im.large-message': 'OMA-TS-SIMPLE_IM §5.2.1 item 2b',
};

const TAG_PURPOSE: Record<ImTag, string> = {
  '+g.oma.sip-im': 'it tells the SIP/IP Core that this contact accepts IM traffic; without it the core routes no IM requests to the client',
  '+g.oma.sip-im.system-message': 'it announces System Message support; without it the IM server cannot deliver system messages to the client',
  '+g.oma.sip-im.large-message': 'it announces Large Message session support; without it large messages are not offered to the client',
};

function missingTagRule(id: string, tag: ImTag, withoutTag: string): Rule {
  const optional = tag !== '+g.oma.sip-im';
  return defineRule({
    id,
    title: `\`${tag}\` in Contact`,
    defaultSeverity: 'error',
    severities: optional
      ? { 'requireAllImTags = false': 'warning', 'classification uncertain (CLASS-001)': 'warning' }
      : { 'classification uncertain (CLASS-001)': 'warning' },
    clause: TAG_ITEM[tag],
    basis: 'SHALL',
    appliesTo: {
      events: ['register'],
      phases: ['initial', 'refresh'],
      description: 'Initial and refresh REGISTERs (every attempt): each Contact value with a non-zero expiry.',
    },
    settingsKeys: optional ? ['requireAllImTags'] : undefined,
    decision: optional
      ? 'Catalog 11.4: mandatory by default (error); `requireAllImTags: false` downgrades to warning for clients that lack the feature. Catalog 2.3 / 0.3: when the phase cannot be decided for lack of history (CLASS-001), reported as warning.'
      : 'Catalog 2.3 / 0.3: a tag-less REGISTER with no IM history in the capture is an initial registration missing the tag (error); when the capture seems to start mid-way (CLASS-001) it may be an IM-only de-registration, so it is reported as warning.',
    docs: {
      what: `Every Contact that a registering REGISTER (initial or refresh) binds must carry the \`${tag}\` feature tag as a Contact header parameter.`,
      why: `OMA SIMPLE IM requires it in the REGISTER Contact; ${TAG_PURPOSE[tag]}.`,
      get failing() {
        return register({ contact: withoutTag });
      },
      get passing() {
        return register();
      },
      fix: `Append \`;${tag}\` to the Contact value (after the \`>\`).`,
    },
    check(ctx) {
      if (ctx.event !== 'register') return;
      for (const c of registeringContacts(ctx.req)) {
        if (c.imTags.has(tag)) continue;
        let severity: Severity = 'error';
        if (optional && !ctx.settings.requireAllImTags) severity = 'warning';
        if (ctx.exchange.uncertain) severity = 'warning';
        const hint = missingTagHint(ctx.sip, c, tag);
        ctx.report(c.span, `Contact lacks the IM feature tag ${tag} (${TAG_ITEM[tag]})${hint}${ctx.exchange.uncertain ? UNCERTAIN_NOTE : ''}`, { severity });
      }
    },
  });
}

export const omaImReg001 = missingTagRule('OMA-IM-REG-001', '+g.oma.sip-im', PLAIN_CONTACT);
export const omaImReg002 = missingTagRule('OMA-IM-REG-002', '+g.oma.sip-im.system-message', `<${EX.contactUri}>;+g.oma.sip-im;+g.oma.sip-im.large-message`);
export const omaImReg003 = missingTagRule('OMA-IM-REG-003', '+g.oma.sip-im.large-message', `<${EX.contactUri}>;+g.oma.sip-im;+g.oma.sip-im.system-message`);

export const omaImReg004 = defineRule({
  id: 'OMA-IM-REG-004',
  title: 'IM tags must be boolean TRUE (no value, or `"TRUE"`)',
  defaultSeverity: 'warning',
  severities: { 'unquoted value': 'error' },
  clause: 'RFC 3840 §9 (value syntax); OMA-TS-SIMPLE_IM §5.2.1 items 2-2b',
  basis: 'INTEROP',
  appliesTo: { events: ['register'], description: 'Any REGISTER whose Contact carries an IM tag with a value.' },
  decision: 'Catalog 11.3: a tag without a value means TRUE, `="TRUE"` is accepted, `="FALSE"` counts as absent (OMA-IM-REG-001..003 then fire too); any other quoted value is reported here as warning but the tag still counts as present, so one mistake gives one finding.',
  docs: {
    what: 'An IM feature tag is a boolean: it is written without a value (preferred) or as `="TRUE"`.',
    why: 'RFC 3840 values must be quoted and a boolean tag is TRUE or FALSE; registrars and proxies that match capabilities may not see `=1` or `="yes"` as TRUE, and `="FALSE"` explicitly says the feature is NOT supported.',
    get failing() {
      return register({ contact: `<${EX.contactUri}>;+g.oma.sip-im=1;+g.oma.sip-im.system-message;+g.oma.sip-im.large-message` });
    },
    get passing() {
      return register({ contact: `<${EX.contactUri}>;+g.oma.sip-im;+g.oma.sip-im.system-message="TRUE";+g.oma.sip-im.large-message` });
    },
    fix: 'Write the tag without a value: `;+g.oma.sip-im`.',
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    for (const c of ctx.req.contacts) {
      for (const { tag, param } of c.imTagParams) {
        if (param.value === undefined) continue;
        const raw = param.value.trim();
        const quoted = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"');
        const v = (paramText(param) ?? '').trim().toUpperCase();
        if (!quoted) {
          ctx.report(param.span, `IM tag ${tag} has the unquoted value ${raw}: a boolean feature tag is written without a value (RFC 3840 §9 requires quotes around any value)`, { severity: 'error' });
        } else if (v === 'FALSE') {
          ctx.report(param.span, `IM tag ${tag}="FALSE" declares the feature NOT supported; it counts as absent`, { severity: 'warning' });
        } else if (v !== 'TRUE') {
          ctx.report(param.span, `IM tag ${tag} has the value ${raw}; a boolean feature tag takes no value (or "TRUE")`, { severity: 'warning' });
        }
      }
    }
  },
});

export const omaImReg005 = defineRule({
  id: 'OMA-IM-REG-005',
  title: 'Misspelled / malformed IM tag names',
  defaultSeverity: 'error',
  clause: 'OMA-TS-SIMPLE_IM §5.2.1 items 2-2b (exact tag names); RFC 3840 §9 (name syntax)',
  basis: 'SHALL',
  appliesTo: { events: ['register'], description: 'Any REGISTER: Contact header parameters starting with `+g.oma` or `g.oma`.' },
  decision: 'A name is a misspelling when it starts with `+g.oma`/`g.oma`, is not one of the three tags, and is within edit distance 2 of one of them (or equal after ignoring `-`, `_`, `.` and the abbreviations msg/sys).',
  docs: {
    what: 'Flags Contact parameters that look like an IM tag but are spelled differently (missing `+`, `_` for `-`, missing hyphen, abbreviations).',
    why: 'Feature tags match by exact name: a misspelled tag is simply a different, unknown capability, so the intended one is absent for every network element.',
    get failing() {
      return register({ contact: `<${EX.contactUri}>;+g.oma.sip-im;+g.oma.sip-im.system-message;+g.oma.sip-im.large_message` });
    },
    get passing() {
      return register();
    },
    fix: 'Use the exact name, e.g. `;+g.oma.sip-im.large-message`.',
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    for (const c of ctx.req.contacts) {
      for (const p of c.params) {
        const meant = misspelledImTag(p.name);
        if (meant) ctx.report(p.nameSpan, `"${p.name}" is not an IM feature tag; did you mean ${meant}?`);
      }
    }
  },
});

export const omaImReg006 = defineRule({
  id: 'OMA-IM-REG-006',
  title: 'IM tags must be Contact header parameters, not URI parameters',
  defaultSeverity: 'error',
  clause: 'RFC 3840 §9 (feature params are contact-params); RFC 3261 §20 (parameter placement)',
  basis: 'MUST',
  appliesTo: {
    events: ['register'],
    phases: ['initial', 'refresh', 'im-deregistration'],
    description: 'REGISTERs that bind contacts (initial, refresh, IM-only de-registration).',
  },
  docs: {
    what: 'An IM tag written inside `<...>` is a parameter of the contact URI, not a feature tag of the Contact.',
    why: 'Only parameters after the `>` are Contact (header) parameters; inside the brackets the tag is part of the URI and announces no capability.',
    get failing() {
      return register({ contact: `<${EX.contactUri};+g.oma.sip-im>;+g.oma.sip-im.system-message;+g.oma.sip-im.large-message` });
    },
    get passing() {
      return register();
    },
    fix: 'Move the tags after the closing `>`: `<sip:alice@192.0.2.10:5060>;+g.oma.sip-im;...`.',
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    for (const c of ctx.req.contacts) {
      if (!c.bracketed || !c.uri) continue;
      for (const p of c.uri.params) {
        const tag = canonicalImTag(p.name);
        if (tag) ctx.report(p.span, `${tag} is written as a URI parameter inside <...>; as such it is not a feature tag. Put it after the ">"`);
      }
    }
  },
});

export const omaImReg007 = defineRule({
  id: 'OMA-IM-REG-007',
  title: "All of the client's registering contacts carry the tags",
  defaultSeverity: 'warning',
  clause: 'OMA-TS-SIMPLE_IM §5.2.1 items 2-2b; catalog decision 11.9',
  basis: 'DECISION',
  appliesTo: { events: ['register'], phases: ['initial', 'refresh'], description: 'Initial and refresh REGISTERs with more than one non-zero Contact.' },
  decision: 'Catalog 11.9: every non-zero contact must carry the full IM tag set; a REGISTER where some contacts carry IM tags and others none is reported here (001-003 also fire per contact).',
  docs: {
    what: 'When one REGISTER binds several contacts, either all or none of them carry the IM tags.',
    why: 'A tag-less second contact (e.g. the IPv6 one of a dual-stack client) receives no IM traffic, which is rarely what the client meant.',
    get failing() {
      return register({ contact: `${IM_CONTACT}, <sip:alice@[2001:db8::10]:5060>` });
    },
    get passing() {
      return register({ contact: `${IM_CONTACT}, <sip:alice@[2001:db8::10]:5060>;${EX.imTags}` });
    },
    fix: 'Put the same tag set on every contact the client registers, or register them separately.',
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const regs = registeringContacts(ctx.req);
    if (regs.length < 2) return;
    const tagged = regs.find((c) => c.imTags.size > 0);
    if (!tagged) return;
    for (const c of regs) {
      if (c.imTags.size > 0) continue;
      ctx.report(c.span, 'this Contact carries no IM tags while another Contact of the same REGISTER does', [
        { messageIndex: ctx.msg.index, span: tagged.span, message: 'Contact with IM tags' },
      ]);
    }
  },
});

export const omaImReg016 = defineRule({
  id: 'OMA-IM-REG-016',
  title: 'Partial IM tag set',
  defaultSeverity: 'error',
  clause: 'OMA-TS-SIMPLE_IM §5.2.1 items 2-2b (all three) and §5.2.3 item 2 (none when leaving IM)',
  basis: 'SHALL',
  appliesTo: { events: ['register'], description: 'Any REGISTER: each Contact with an effective expiry other than 0.' },
  settingsKeys: ['requireAllImTags'],
  decision: 'With `requireAllImTags: false` (catalog 11.4) a set holding `+g.oma.sip-im` alone is accepted; only a set that lacks `+g.oma.sip-im` itself is then reported.',
  docs: {
    what: 'A Contact that carries some but not all of the three IM tags is neither a valid IM registration (all three) nor a valid IM-only de-registration (none).',
    why: 'OMA SIMPLE IM registers with all three tags and leaves IM by removing all three; a partial set leaves the core with a capability set no IM server expects.',
    get failing() {
      return flow(...imRegistration(), register({ cseq: 2, contact: `<${EX.contactUri}>;+g.oma.sip-im.large-message` }));
    },
    get passing() {
      return flow(...imRegistration(), register({ cseq: 2, contact: PLAIN_CONTACT }));
    },
    fix: 'Remove all three tags (IM-only de-registration) or include all three (stay registered for IM).',
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    for (const c of registeringContacts(ctx.req)) {
      const n = c.imTags.size;
      if (n === 0 || n === IM_TAGS.length) continue;
      if (!ctx.settings.requireAllImTags && c.imTags.has('+g.oma.sip-im')) continue;
      const present = IM_TAGS.filter((t) => c.imTags.has(t));
      const missing = IM_TAGS.filter((t) => !c.imTags.has(t));
      ctx.report(c.span, `Contact carries only ${listText(present)}: an IM registration needs all three IM tags and an IM-only de-registration none (missing: ${listText(missing)})`);
    }
  },
});

export type { RegisterContext };
