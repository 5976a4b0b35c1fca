/**
 * Classification notices (rule catalog §4 "CLASS-001 / CLASS-002") and parse findings
 * (SIP-PARSE-001/002: the parser's own problems of REGISTER-related messages, catalog P-1..P-12).
 */
import { DUPLICATE_ERROR, PARSE_ERROR } from '../sip/uri';
import { IM_CONTACT, PLAIN_CONTACT, register } from './examples';
import { defineRule, startLineSpan } from './helpers';
import type { Rule } from './types';

export const class001 = defineRule({
  id: 'CLASS-001',
  title: 'Phase could not be decided for lack of history',
  defaultSeverity: 'info',
  clause: 'Rule catalog 2.3 (notes), 2.4',
  basis: 'DECISION',
  appliesTo: { events: ['register'], attempts: ['first'], description: 'The first REGISTER of a binding when the capture seems to start mid-way.' },
  decision: 'The capture is taken to start mid-way for a binding when its first REGISTER in the capture carries credentials (a non-empty nonce) that answer no challenge seen in the capture; a CSeq above 1 alone is not evidence (baresip and pjsip start at a random CSeq). Such a REGISTER is classified `initial` with `uncertain: true`; OMA-IM-REG-001..003 then report warnings instead of errors and no settings PUBLISH is expected. In a trace with no REGISTER response at all (a request-only log), each REGISTER is classified as if the previous one was accepted, also marked uncertain.',
  docs: {
    what: 'Explains that a REGISTER was classified without history: it may refresh (or, without IM tags, leave IM for) a registration made before the capture started; or the trace shows no responses, so acceptance was assumed.',
    why: 'An IM-only de-registration is only recognisable when the earlier IM registration is in the capture; without it the checker cannot tell "left IM" from "forgot the tags".',
    get failing() {
      return register({ cseq: 7, contact: PLAIN_CONTACT, authorization: true });
    },
    get passing() {
      return register({ cseq: 1, contact: IM_CONTACT });
    },
  },
  check(ctx) {
    if (ctx.event !== 'register' || !ctx.exchange.uncertain) return;
    const tagged = ctx.exchange.imTags.length > 0;
    if (ctx.exchange.uncertainReason === 'no-responses') {
      ctx.report(startLineSpan(ctx.sip), `classified as ${ctx.exchange.phase} assuming the previous REGISTER was accepted: the trace holds no REGISTER response at all (a request-only log?)`);
      return;
    }
    const evidence = 'it carries credentials for a challenge that is not in the capture';
    const alternative = tagged
      ? 'it may refresh a registration made before the capture started'
      : 'without IM tags it may be an IM-only de-registration of a registration made before the capture started, or an initial registration that forgot the tags';
    ctx.report(startLineSpan(ctx.sip), `classified as initial registration without history: the capture seems to start mid-way (${evidence}); ${alternative}`);
  },
});

export const class002 = defineRule({
  id: 'CLASS-002',
  title: 'One REGISTER both adds and removes contacts',
  defaultSeverity: 'info',
  clause: 'Rule catalog 2.3 (mixed expiries)',
  basis: 'DECISION',
  appliesTo: { events: ['register'], attempts: ['first'], description: 'REGISTERs where some contacts have expiry 0 and others not.' },
  docs: {
    what: 'A REGISTER removes some contacts (expiry 0) and registers or refreshes others; its phase is decided by the contacts it keeps.',
    why: 'Mixed requests are legal but easy to misread; the notice shows which contact is removed.',
    get failing() {
      return register({ contact: `${IM_CONTACT}, <sip:alice@192.0.2.10:5070>;expires=0` });
    },
    get passing() {
      return register();
    },
  },
  check(ctx) {
    if (ctx.event !== 'register' || !ctx.exchange.mixed) return;
    for (const c of ctx.req.contacts) {
      if (!c.star && c.effExpiry === 0) ctx.report(c.span, 'this REGISTER removes this contact (expiry 0) while it registers other contacts');
    }
  },
});

function parseRule(id: string, code: string, title: string, what: string, failing: string, passing: string): Rule {
  return defineRule({
    id,
    title,
    defaultSeverity: 'error',
    severities: code === PARSE_ERROR ? { 'parser warnings': 'warning', 'tolerated deviations (captures only)': 'info' } : undefined,
    clause: code === PARSE_ERROR ? 'RFC 3261 §25 (grammar), §7' : 'RFC 3261 §7.3.1, §20 (single-valued headers)',
    basis: 'MUST',
    appliesTo: { events: ['message'], description: 'REGISTER, PUBLISH and their responses (every message the checker reads), retransmissions excluded.' },
    decision:
      code === PARSE_ERROR
        ? 'Each parse problem keeps the parser\'s severity. Tolerated deviations (bare LF line ends, octets after the body, ...) are reported as info only for messages read from captures, where the bytes are what went over the wire; logs often lose CRs. A parse problem that a more specific rule reports at the same place (e.g. RFC3261-REG-016 for a malformed expires) is reported once, under that rule.'
        : 'A parse problem that a more specific rule reports at the same place is reported once, under that rule.',
    docs: {
      what,
      why: 'Rules that need a value that cannot be parsed are skipped (not reported as passing); receivers may reject the message or read it differently from what the sender meant.',
      failing,
      passing,
    },
    check(ctx) {
      if (ctx.event !== 'message') return;
      const fromCapture = ctx.msg.frame !== undefined && ctx.msg.lineMap === undefined;
      for (const p of ctx.sip.problems) {
        if (p.code !== code) continue;
        if (p.severity === 'info') {
          if (fromCapture) ctx.report(p.span, p.message, { severity: 'info', severityLocked: true });
          continue;
        }
        ctx.report(p.span, p.message, { severity: p.severity });
      }
    },
  });
}

export const sipParse001 = parseRule(
  'SIP-PARSE-001',
  PARSE_ERROR,
  'Unparseable message or header',
  'A start line, header line or header value of a REGISTER-related message does not follow the SIP grammar; the finding points at the offending characters.',
  register({ via: 'SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKreg1a;rport=abc' }),
  register(),
);

export const sipParse002 = parseRule(
  'SIP-PARSE-002',
  DUPLICATE_ERROR,
  'Single-valued header repeated',
  'A header that takes exactly one value (From, To, Call-ID, CSeq, Max-Forwards, Expires, Content-Length, Content-Type, User-Agent, Min-Expires, ...) appears twice or holds a comma list.',
  register({ extra: ['User-Agent: ExampleIM/2.3.1'] }),
  register(),
);

