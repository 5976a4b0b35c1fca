/**
 * RFC 3261 REGISTER construction rules (rule catalog §4: RFC3261-REG-001..023). Severities follow
 * the catalog, which follows the IPv6 Promotion Council conformance rule set where it has one.
 */
import type { Severity } from '../types';
import { firstHeader, headersOf } from '../sip/parser';
import { normalizeAor, paramText, parseDeltaSeconds } from '../register/facts';
import { isBound, type Exchange } from '../register/model';
import { EX, IM_CONTACT, PLAIN_CONTACT, flow, imRegistration, register, reply } from './examples';
import { defineRule, listText, related, startLineSpan } from './helpers';

const MAX_EXPIRES = 4294967295;

export const rfc3261Reg001 = defineRule({
  id: 'RFC3261-REG-001',
  title: 'Request-URI names the registrar domain only',
  defaultSeverity: 'error',
  clause: 'RFC 3261 §10.2 (Request-URI)',
  basis: 'MUST',
  appliesTo: { events: ['register'], description: 'Every REGISTER.' },
  docs: {
    what: 'The Request-URI of REGISTER is a SIP or SIPS URI naming the registrar domain: no user part, no `@`.',
    why: 'RFC 3261 §10.2: "The userinfo and \'@\' components of the SIP URI MUST NOT be present"; registrars reject or misroute such requests.',
    get failing() {
      return register({ requestUri: `sip:alice@${EX.domain}` });
    },
    get passing() {
      return register();
    },
    fix: '`REGISTER sip:ims.example.net SIP/2.0`',
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const uri = ctx.req.requestUri;
    const span = ctx.req.requestUriSpan;
    if (!uri) return; // unparseable: SIP-PARSE-001
    if (uri.scheme !== 'sip' && uri.scheme !== 'sips') ctx.report(span, `REGISTER Request-URI must be a sip: or sips: URI (not ${uri.scheme}:)`);
    else if (uri.user !== undefined || uri.text.includes('@')) ctx.report(span, `REGISTER Request-URI ${uri.text} has a user part; it names the registrar domain only (e.g. sip:${uri.host ?? 'example.net'})`);
  },
});

export const rfc3261Reg002 = defineRule({
  id: 'RFC3261-REG-002',
  title: 'To carries the AOR as a SIP/SIPS URI',
  defaultSeverity: 'error',
  clause: 'RFC 3261 §10.2 (To)',
  basis: 'MUST',
  appliesTo: { events: ['register'], description: 'Every REGISTER with a To header.' },
  docs: {
    what: 'The To header holds the address-of-record being registered, as a sip: or sips: URI.',
    why: 'A REGISTER binds contacts to a SIP AOR; a tel: URI cannot be registered (E.164 numbers are associated implicitly, OMA-IM-REG-021).',
    get failing() {
      return register({ to: '<tel:+15551230001>' });
    },
    get passing() {
      return register();
    },
    fix: '`To: <sip:+15551230001@ims.example.net;user=phone>` (or the operator\'s SIP AOR).',
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const uri = ctx.req.to?.uri;
    if (!uri) return;
    if (uri.scheme !== 'sip' && uri.scheme !== 'sips') ctx.report(uri.span, `To must carry the AOR as a sip: or sips: URI, not ${uri.scheme}: (RFC 3261 §10.2)`);
  },
});

export const rfc3261Reg003 = defineRule({
  id: 'RFC3261-REG-003',
  title: 'From equals To unless third-party registration',
  defaultSeverity: 'warning',
  clause: 'RFC 3261 §10.2 (From)',
  basis: 'DECISION',
  appliesTo: { events: ['register'], description: 'Every REGISTER.' },
  decision: 'Third-party registration is legal but unusual for an IM client: warning.',
  docs: {
    what: 'From and To of a REGISTER name the same AOR (a different From means a third-party registration).',
    why: 'An IM client registers itself; a different From usually means a configuration mistake and the registrar may refuse the third party.',
    get failing() {
      return register({ from: `<sip:admin@${EX.domain}>;tag=${EX.fromTag}` });
    },
    get passing() {
      return register();
    },
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const { from, to } = ctx.req;
    if (!from?.uri || !to?.uri) return;
    if (normalizeAor(from.uri) === normalizeAor(to.uri)) return;
    ctx.report(from.uri.span, `From ${from.uri.text} differs from To ${to.uri.text}: a third-party registration`, [{ messageIndex: ctx.msg.index, span: to.uri.span, message: 'AOR in To' }]);
  },
});

export const rfc3261Reg004 = defineRule({
  id: 'RFC3261-REG-004',
  title: 'No To tag in REGISTER',
  defaultSeverity: 'error',
  clause: 'RFC 3261 §8.1.1.2',
  basis: 'MUST',
  appliesTo: { events: ['register'], description: 'Every REGISTER.' },
  docs: {
    what: 'The To header of a REGISTER has no `tag` parameter.',
    why: 'A request outside a dialog carries no To tag; REGISTER never creates a dialog, and a registrar may treat a tagged request as an unknown in-dialog request.',
    get failing() {
      return register({ to: `<${EX.aor}>;tag=as7d8` });
    },
    get passing() {
      return register();
    },
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const tag = ctx.req.to?.params.find((p) => p.name.toLowerCase() === 'tag');
    if (tag) ctx.report(tag.span, 'REGISTER carries a To tag; requests outside a dialog have none (RFC 3261 §8.1.1.2)');
  },
});

const MANDATORY = ['to', 'from', 'cseq', 'call-id', 'max-forwards', 'via'];
const NAMES: Record<string, string> = { to: 'To', from: 'From', cseq: 'CSeq', 'call-id': 'Call-ID', 'max-forwards': 'Max-Forwards', via: 'Via' };

export const rfc3261Reg005 = defineRule({
  id: 'RFC3261-REG-005',
  title: 'Mandatory headers present',
  defaultSeverity: 'error',
  clause: 'RFC 3261 §8.1.1, §8.1.1.3',
  basis: 'MUST',
  appliesTo: { events: ['register'], description: 'Every REGISTER.' },
  docs: {
    what: 'A REGISTER has To, From, CSeq, Call-ID, Max-Forwards and Via, and From has a tag.',
    why: 'These six headers are mandatory in every request; the From tag identifies the sender\'s side of the transaction.',
    get failing() {
      return register({ maxForwards: null });
    },
    get passing() {
      return register();
    },
    fix: '`Max-Forwards: 70`',
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const missing = MANDATORY.filter((k) => !firstHeader(ctx.sip, k)).map((k) => NAMES[k]);
    if (missing.length) ctx.report(startLineSpan(ctx.sip), `REGISTER lacks the mandatory header${missing.length > 1 ? 's' : ''} ${listText(missing)} (RFC 3261 §8.1.1)`);
    const from = ctx.req.from;
    if (from && !from.params.some((p) => p.name.toLowerCase() === 'tag')) ctx.report(from.span, 'From has no tag parameter (RFC 3261 §8.1.1.3)');
  },
});

export const rfc3261Reg006 = defineRule({
  id: 'RFC3261-REG-006',
  title: 'CSeq well-formed and method REGISTER',
  defaultSeverity: 'error',
  clause: 'RFC 3261 §8.1.1.5, §20.16',
  basis: 'MUST',
  appliesTo: { events: ['register'], description: 'Every REGISTER with a CSeq header.' },
  explainsParseProblems: true,
  docs: {
    what: 'CSeq is `<number> REGISTER`: a number below 2^31 and the method written exactly as in the start line.',
    why: 'Responses are matched to requests by CSeq method; method names are case-sensitive and the number is limited to 31 bits.',
    get failing() {
      return register({ extra: [] }).replace('CSeq: 1 REGISTER', 'CSeq: 1 register');
    },
    get passing() {
      return register();
    },
    fix: '`CSeq: 1 REGISTER`',
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const h = firstHeader(ctx.sip, 'cseq');
    if (!h) return;
    const c = ctx.req.cseq;
    if (!c) {
      ctx.report(h.valueSpan, `CSeq "${h.value}" is not "<number> <method>" (RFC 3261 §20.16)`);
      return;
    }
    if (c.num >= 2 ** 31) ctx.report(c.numSpan, `CSeq number ${ctx.sip.text.slice(c.numSpan.start, c.numSpan.end)} must be less than 2^31 (RFC 3261 §8.1.1.5)`);
    if (c.method !== 'REGISTER') ctx.report(c.methodSpan, `CSeq method "${c.method}" must equal the request method REGISTER (method names are case-sensitive)`);
  },
});

export const rfc3261Reg007 = defineRule({
  id: 'RFC3261-REG-007',
  title: 'Max-Forwards value',
  defaultSeverity: 'warning',
  severities: { 'not an integer 0-255': 'error' },
  clause: 'RFC 3261 §8.1.1.6 (SHOULD be 70), §20.22 (0-255)',
  basis: 'SHOULD',
  appliesTo: { events: ['register'], description: 'Every REGISTER captured before any proxy (catalog 2.5).' },
  explainsParseProblems: true,
  docs: {
    what: 'A UA starts Max-Forwards at 70; the value is an integer from 0 to 255.',
    why: 'A low initial value makes the REGISTER die on a longer path (483 Too Many Hops).',
    get failing() {
      return register({ maxForwards: '10' });
    },
    get passing() {
      return register();
    },
    fix: '`Max-Forwards: 70`',
  },
  check(ctx) {
    if (ctx.event !== 'register' || ctx.observedDownstream) return;
    const h = firstHeader(ctx.sip, 'max-forwards');
    if (!h) return;
    const v = h.value.trim();
    if (!/^\d{1,3}$/.test(v) || Number(v) > 255) ctx.report(h.valueSpan, `Max-Forwards "${v}" is not an integer from 0 to 255 (RFC 3261 §20.22)`, { severity: 'error' });
    else if (Number(v) !== 70) ctx.report(h.valueSpan, `Max-Forwards is ${v}; a UA SHOULD start with 70 (RFC 3261 §8.1.1.6)`);
  },
});

export const rfc3261Reg008 = defineRule({
  id: 'RFC3261-REG-008',
  title: 'Via branch magic cookie',
  defaultSeverity: 'error',
  severities: { 'cookie in another case': 'warning' },
  clause: 'RFC 3261 §8.1.1.7',
  basis: 'MUST',
  appliesTo: { events: ['register'], description: 'Every REGISTER (top Via).' },
  docs: {
    what: 'The top Via has a `branch` that starts with the magic cookie `z9hG4bK`.',
    why: 'Without the cookie, responses cannot be matched per RFC 3261 §17.1.3 and proxies fall back to RFC 2543 loop detection.',
    get failing() {
      return register({ via: 'SIP/2.0/UDP 192.0.2.10:5060;branch=8a6b1c;rport' });
    },
    get passing() {
      return register();
    },
    fix: '`Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK8a6b1c;rport`',
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const via = ctx.req.via;
    if (!via.topSpan) return;
    if (via.branch === undefined) {
      ctx.report(via.topSpan, 'top Via has no branch parameter (RFC 3261 §8.1.1.7)');
      return;
    }
    const span = via.branchSpan ?? via.topSpan;
    if (via.branch.startsWith('z9hG4bK')) return;
    if (via.branch.toLowerCase().startsWith('z9hg4bk')) ctx.report(span, `branch "${via.branch}" has the magic cookie in another case; it is "z9hG4bK" exactly`, { severity: 'warning' });
    else ctx.report(span, `branch "${via.branch}" does not start with the magic cookie z9hG4bK (RFC 3261 §8.1.1.7)`);
  },
});

export const rfc3261Reg009 = defineRule({
  id: 'RFC3261-REG-009',
  title: 'New branch per new transaction',
  defaultSeverity: 'error',
  clause: 'RFC 3261 §8.1.1.7',
  basis: 'MUST',
  appliesTo: { events: ['register'], description: 'Every new REGISTER transaction (not a retransmission) of a flow.' },
  docs: {
    what: 'Each new REGISTER (new CSeq) uses a new top-Via branch.',
    why: 'The branch identifies the transaction: reusing it makes proxies and the registrar take the new request for a retransmission of the old one.',
    get failing() {
      return flow(register({ cseq: 1, branch: 'z9hG4bK111' }), reply(register({ cseq: 1, branch: 'z9hG4bK111' }), 401), register({ cseq: 2, branch: 'z9hG4bK111', authorization: true }));
    },
    get passing() {
      return flow(register({ cseq: 1 }), reply(register({ cseq: 1 }), 401), register({ cseq: 2, authorization: true }));
    },
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const b = ctx.req.via.branch;
    if (!b) return;
    const earlier = ctx.flow.branches.get(b);
    if (earlier) ctx.report(ctx.req.via.branchSpan ?? startLineSpan(ctx.sip), `branch ${b} was already used by an earlier REGISTER transaction; each new request needs a new branch`, related(earlier, 'earlier REGISTER with this branch'));
  },
});

export const rfc3261Reg010 = defineRule({
  id: 'RFC3261-REG-010',
  title: 'Single Call-ID per registrar across refreshes',
  defaultSeverity: 'warning',
  clause: 'RFC 3261 §10.2 (Call-ID)',
  basis: 'SHOULD',
  appliesTo: { events: ['register'], phases: ['refresh', 'im-deregistration', 'full-deregistration'], description: 'REGISTERs of a binding that is still registered, to the same registrar.' },
  decision: 'Catalog 11.14: not reported when the binding had expired or been removed, when the gap exceeds the granted expiry (reboot), or when the last response was an IMS 401 without a usable Security-Server (TS 24.229 §5.1.1.5.1 mandates a new Call-ID).',
  docs: {
    what: 'Refreshes and de-registrations of a binding reuse the Call-ID of its registration.',
    why: 'The registrar orders REGISTERs of one client by Call-ID + CSeq; a new Call-ID looks like another client and defeats out-of-order detection.',
    get failing() {
      return flow(...imRegistration(), register({ cseq: 2, callId: '9f1c77aa@192.0.2.10' }));
    },
    get passing() {
      return flow(...imRegistration(), register({ cseq: 2 }));
    },
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const l = ctx.lineage;
    if (!l.callId || l.callId === ctx.exchange.callId || !l.registered || !isBound(l, ctx.time)) return;
    if (l.lastRegistrar !== undefined && l.lastRegistrar !== ctx.req.registrar) return;
    if (l.lastFinal?.status === 401 && ctx.profile === 'ims' && !l.lastFinal.securityServer) return;
    ctx.report(ctx.req.callIdSpan ?? startLineSpan(ctx.sip), `Call-ID differs from the one that registered this binding (${l.callId}); a UA SHOULD use one Call-ID for all REGISTERs to a registrar (RFC 3261 §10.2)`, related(l.lastRegister, 'previous REGISTER of this binding'));
  },
});

export const rfc3261Reg011 = defineRule({
  id: 'RFC3261-REG-011',
  title: 'CSeq strictly increasing by one within the Call-ID',
  defaultSeverity: 'error',
  severities: { 'gap larger than one': 'warning' },
  clause: 'RFC 3261 §10.2 (CSeq), §22.2',
  basis: 'MUST',
  appliesTo: { events: ['register'], description: 'Every new REGISTER transaction after the first of its flow (To AOR + Call-ID).' },
  decision: 'Catalog 11.8: reuse or decrease is an error; a gap above one is a warning (a REGISTER may be missing from the capture).',
  docs: {
    what: 'Within one Call-ID, each new REGISTER (including the resend with credentials) uses the previous CSeq + 1.',
    why: 'Registrars drop or ignore REGISTERs whose CSeq does not increase (OpenSIPS answers 200 without applying them), so the client believes a refresh worked that never did.',
    get failing() {
      return flow(register({ cseq: 1 }), reply(register({ cseq: 1 }), 401), register({ cseq: 1, branch: 'z9hG4bKreg1b', authorization: true }));
    },
    get passing() {
      return flow(register({ cseq: 1 }), reply(register({ cseq: 1 }), 401), register({ cseq: 2, authorization: true }));
    },
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const prev = ctx.previous;
    const c = ctx.req.cseq;
    if (!prev || !c) return;
    const rel = prev.cseqSpan ? [{ messageIndex: prev.requestIndex, span: prev.cseqSpan, message: `previous REGISTER, CSeq ${prev.cseq}` }] : [];
    if (c.num <= prev.cseq) ctx.report(c.numSpan, `CSeq ${c.num} does not increase (previous REGISTER of this Call-ID used ${prev.cseq}); RFC 3261 §10.2 requires ${prev.cseq + 1}`, rel);
    else if (c.num > prev.cseq + 1) ctx.report(c.numSpan, `CSeq jumps from ${prev.cseq} to ${c.num}; it increases by one per REGISTER (a REGISTER may be missing from the capture)`, { severity: 'warning', related: rel });
  },
});

export const rfc3261Reg012 = defineRule({
  id: 'RFC3261-REG-012',
  title: 'One outstanding REGISTER at a time',
  defaultSeverity: 'error',
  severities: { 'the earlier REGISTER never gets a response in the capture': 'warning' },
  clause: 'RFC 3261 §10.2; 3GPP TS 24.229 §5.1.1.2',
  basis: 'MUST',
  appliesTo: { events: ['register', 'register-response', 'window', 'end'], description: 'A new REGISTER of a binding sent while its previous REGISTER has no final response and is younger than Timer F.' },
  settingsKeys: ['timerFSeconds'],
  decision: 'Needs timestamps (skipped without them). Error when the earlier REGISTER\'s final response arrives after the new one was sent (proof it was outstanding); warning when the earlier one never gets a response in the capture (it may have been lost by the capture), and then only if the trace shows REGISTER responses at all.',
  docs: {
    what: 'A UA does not send a new REGISTER for a binding until the previous one got a final response or timed out (Timer F, 32 s).',
    why: 'Overlapping REGISTERs race at the registrar: the older one may be applied last and undo the newer binding state.',
    get failing() {
      return flow(register({ cseq: 4 }), 2, register({ cseq: 5 }), reply(register({ cseq: 4 }), 200), reply(register({ cseq: 5 }), 200));
    },
    get passing() {
      return flow(...imRegistration({ cseq: 4 }), register({ cseq: 5 }), reply(register({ cseq: 5 }), 200));
    },
  },
  check(ctx) {
    type Pending = { index: number; span: { start: number; end: number }; cseq: number; ex: Exchange };
    const store = ctx.store;
    const report = (p: Pending, answered: boolean) =>
      ctx.report(
        p.span,
        answered
          ? `REGISTER CSeq ${p.cseq} was sent while REGISTER CSeq ${p.ex.cseq} was still waiting for its final response (RFC 3261 §10.2: one outstanding REGISTER at a time)`
          : `REGISTER CSeq ${p.cseq} was sent while REGISTER CSeq ${p.ex.cseq} had no final response (none appears in the capture)`,
        { messageIndex: p.index, severity: answered ? 'error' : 'warning', related: [{ messageIndex: p.ex.requestIndex, span: p.ex.startLine.span, message: `outstanding REGISTER CSeq ${p.ex.cseq}` }] },
      );
    if (ctx.event === 'register') {
      const out = ctx.lineage.outstanding;
      if (!out || out.finalStatus !== undefined || out.time === undefined || ctx.time === undefined) return;
      if (ctx.time - out.time >= ctx.settings.timerFSeconds) return;
      const key = `p${out.id}`;
      const list = (store.get(key) as Pending[] | undefined) ?? [];
      list.push({ index: ctx.msg.index, span: ctx.req.startLineSpan, cseq: ctx.exchange.cseq, ex: out });
      store.set(key, list);
      return;
    }
    if (ctx.event === 'register-response') {
      store.set('responses', true);
      if (!ctx.exchange || ctx.res.status < 200 || ctx.retransmission) return;
      const list = store.get(`p${ctx.exchange.id}`) as Pending[] | undefined;
      store.delete(`p${ctx.exchange.id}`);
      for (const p of list ?? []) report(p, true);
      return;
    }
    if (ctx.event === 'window') {
      const ex = ctx.window.kind === 'final-response' ? ctx.window.exchange : undefined;
      const list = ex && (store.get(`p${ex.id}`) as Pending[] | undefined);
      if (!ex || !list) return;
      store.delete(`p${ex.id}`);
      // Never answered: decided at the end, when we know whether the trace shows responses at all.
      store.set('unanswered', [...((store.get('unanswered') as Pending[] | undefined) ?? []), ...list]);
      return;
    }
    if (ctx.event === 'end' && store.get('responses')) {
      for (const p of (store.get('unanswered') as Pending[] | undefined) ?? []) report(p, false);
    }
  },
});

export const rfc3261Reg013 = defineRule({
  id: 'RFC3261-REG-013',
  title: '`Contact: *` only with `Expires: 0`',
  defaultSeverity: 'error',
  clause: 'RFC 3261 §10.2.2',
  basis: 'MUST',
  appliesTo: { events: ['register'], description: 'REGISTERs with the wildcard Contact.' },
  docs: {
    what: '`Contact: *` (remove all bindings) is only allowed with an `Expires: 0` header.',
    why: 'Registrars reject a wildcard without a zero expiry with 400 Bad Request: the de-registration does not happen.',
    get failing() {
      return register({ cseq: 5, contact: '*', expires: null });
    },
    get passing() {
      return register({ cseq: 5, contact: '*', expires: '0' });
    },
    fix: '`Contact: *` + `Expires: 0`.',
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const star = ctx.req.contacts.find((c) => c.star);
    if (!star) return;
    const exp = ctx.req.expiresHeader;
    if (!exp) ctx.report(star.span, 'Contact: * requires an "Expires: 0" header (RFC 3261 §10.2.2); the registrar answers 400');
    else if (exp.value !== 0) ctx.report(exp.header.valueSpan, `Contact: * requires Expires: 0, not ${exp.raw} (RFC 3261 §10.2.2)`, [{ messageIndex: ctx.msg.index, span: star.span, message: 'wildcard Contact' }]);
  },
});

export const rfc3261Reg014 = defineRule({
  id: 'RFC3261-REG-014',
  title: '`Contact: *` stands alone',
  defaultSeverity: 'error',
  clause: 'RFC 3261 §10.2.2, §10.3 step 6',
  basis: 'MUST',
  appliesTo: { events: ['register'], description: 'REGISTERs with the wildcard Contact.' },
  explainsParseProblems: true,
  docs: {
    what: 'The wildcard `*` is the only Contact value and carries no parameters.',
    why: 'A registrar rejects `*` combined with other contacts or with parameters (400).',
    get failing() {
      return register({ cseq: 5, contact: `*, ${PLAIN_CONTACT}`, expires: '0' });
    },
    get passing() {
      return register({ cseq: 5, contact: '*', expires: '0' });
    },
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const star = ctx.req.contacts.find((c) => c.star);
    if (!star) return;
    if (ctx.req.contacts.length > 1) ctx.report(star.span, 'Contact: * cannot be combined with other Contact values (RFC 3261 §10.3 step 6)');
    if (star.params.length > 0) ctx.report(star.span, 'Contact: * takes no parameters; give the expiry in an "Expires: 0" header');
  },
});

const URI_NATURED = new Set(['transport', 'user', 'maddr', 'lr', 'ttl', 'method']);

export const rfc3261Reg015 = defineRule({
  id: 'RFC3261-REG-015',
  title: 'Contact URI bracketing',
  defaultSeverity: 'error',
  severities: { 'URI parameters outside brackets': 'warning' },
  clause: 'RFC 3261 §20 (preamble)',
  basis: 'MUST',
  appliesTo: { events: ['register'], description: 'Every REGISTER with Contact values written without `<...>`.' },
  explainsParseProblems: true,
  docs: {
    what: 'A Contact URI that has URI headers (`?`) or parameters must be enclosed in `<...>`; without brackets every `;param` is a Contact header parameter.',
    why: 'Unbracketed, `;transport=tcp` silently becomes a Contact parameter and the binding is registered without it.',
    get failing() {
      return register({ contact: `sip:alice@192.0.2.10:5060;transport=tcp;${EX.imTags}` });
    },
    get passing() {
      return register({ contact: `<sip:alice@192.0.2.10:5060;transport=tcp>;${EX.imTags}` });
    },
    fix: '`Contact: <sip:alice@192.0.2.10;transport=tcp>;+g.oma.sip-im;…`',
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    for (const c of ctx.req.contacts) {
      if (c.star || c.bracketed || !c.uri) continue;
      if (c.uri.headers !== undefined) ctx.report(c.uri.span, 'a Contact URI with "?" headers must be enclosed in <...> (RFC 3261 §20)');
      for (const p of c.params) {
        if (URI_NATURED.has(p.name.toLowerCase())) {
          ctx.report(p.span, `"${p.name}" follows an unbracketed Contact URI, so it is a Contact header parameter, not a URI parameter; write <${c.uri.text};${ctx.sip.text.slice(p.span.start, p.span.end)}> (RFC 3261 §20)`, { severity: 'warning' });
        }
      }
    }
  },
});

export const rfc3261Reg016 = defineRule({
  id: 'RFC3261-REG-016',
  title: 'Contact `expires` / `Expires` values are delta-seconds',
  defaultSeverity: 'error',
  severities: { 'above 2^32-1': 'warning' },
  clause: 'RFC 3261 §10.2.1.1, §20.19',
  basis: 'MUST',
  appliesTo: { events: ['register'], description: 'Every REGISTER with an Expires header or Contact expires parameters.' },
  explainsParseProblems: true,
  docs: {
    what: 'The Expires header and the Contact `expires` parameter are plain decimal seconds (`1*DIGIT`), at most 2^32-1.',
    why: 'A registrar treats a malformed expiry as 3600 (RFC 3261) or rejects the REGISTER (OpenSIPS: 400): the client\'s intent, e.g. de-registration, is lost.',
    get failing() {
      return register({ expires: '3600s' });
    },
    get passing() {
      return register();
    },
    fix: '`Expires: 3600`',
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const check = (raw: string, span: { start: number; end: number }, what: string) => {
      const t = raw.trim();
      if (!/^\d+$/.test(t)) ctx.report(span, `${what} "${t}" is not a number of seconds (delta-seconds); a registrar treats it as 3600 or rejects it`);
      else if (Number(t) > MAX_EXPIRES) ctx.report(span, `${what} ${t} exceeds 2^32-1 seconds`, { severity: 'warning' });
    };
    const exp = ctx.req.expiresHeader;
    if (exp) check(exp.raw, exp.header.valueSpan, 'Expires');
    for (const c of ctx.req.contacts) {
      const p = c.expiresParam;
      if (p) check(p.value ?? '', p.valueSpan ?? p.span, 'Contact expires');
    }
  },
});

export const rfc3261Reg017 = defineRule({
  id: 'RFC3261-REG-017',
  title: 'Contradictory expiry indications',
  defaultSeverity: 'warning',
  clause: 'RFC 3261 §10.2.1.1 (the contact parameter overrides the header)',
  basis: 'DECISION',
  appliesTo: { events: ['register'], description: 'Every REGISTER with both an Expires header and Contact expires parameters.' },
  docs: {
    what: 'A Contact `expires` parameter and the `Expires` header disagree on whether the binding is removed (one is 0, the other not).',
    why: 'The parameter wins, but two opposite intents in one request usually mean a bug in the client\'s de-registration code.',
    get failing() {
      return register({ contact: `${PLAIN_CONTACT};expires=0`, expires: '600000' });
    },
    get passing() {
      return register({ contact: PLAIN_CONTACT, expires: '0' });
    },
    fix: 'State the intent once (parameter or header).',
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const exp = ctx.req.expiresHeader;
    if (!exp || exp.value === undefined) return;
    for (const c of ctx.req.contacts) {
      if (!c.expiresParam) continue;
      const v = parseDeltaSeconds(paramText(c.expiresParam));
      if (v === undefined || (v === 0) === (exp.value === 0)) continue;
      ctx.report(c.expiresParam.span, `Contact expires=${v} contradicts Expires: ${exp.value} (the contact parameter wins: the binding is ${v === 0 ? 'removed' : 'kept'})`, [
        { messageIndex: ctx.msg.index, span: exp.header.valueSpan, message: 'Expires header' },
      ]);
    }
  },
});

export const rfc3261Reg018 = defineRule({
  id: 'RFC3261-REG-018',
  title: 'No `action` Contact parameter',
  defaultSeverity: 'warning',
  clause: 'RFC 3261 §10.2 (the RFC 2543 `action` parameter is deprecated)',
  basis: 'SHOULD',
  appliesTo: { events: ['register'], description: 'Every REGISTER with Contact.' },
  docs: {
    what: 'Contact values of a REGISTER do not carry the RFC 2543 `action` parameter.',
    why: 'RFC 3261 deprecated `action` (proxy/redirect); clients SHOULD NOT send it and registrars ignore it.',
    get failing() {
      return register({ contact: `${IM_CONTACT};action=proxy` });
    },
    get passing() {
      return register();
    },
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    for (const c of ctx.req.contacts) {
      const p = c.params.find((x) => x.name.toLowerCase() === 'action');
      if (p) ctx.report(p.span, 'the "action" Contact parameter is deprecated (RFC 3261 §10.2); remove it');
    }
  },
});

export const rfc3261Reg019 = defineRule({
  id: 'RFC3261-REG-019',
  title: '`q` value range',
  defaultSeverity: 'error',
  clause: 'RFC 3261 §20.10, §25.1 (qvalue)',
  basis: 'MUST',
  appliesTo: { events: ['register'], description: 'Every REGISTER whose Contact has a `q` parameter.' },
  explainsParseProblems: true,
  docs: {
    what: 'The Contact `q` parameter is a qvalue: 0 to 1 with at most three decimals.',
    why: 'Registrars reject an invalid q (OpenSIPS: 400) or drop the preference.',
    get failing() {
      return register({ contact: `${IM_CONTACT};q=1.5` });
    },
    get passing() {
      return register({ contact: `${IM_CONTACT};q=0.8` });
    },
    fix: '`;q=1.0`',
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    for (const c of ctx.req.contacts) {
      const q = c.params.find((x) => x.name.toLowerCase() === 'q');
      if (q && !/^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(q.value ?? '')) ctx.report(q.valueSpan ?? q.span, `q=${q.value ?? ''} is not a qvalue from 0 to 1 with at most three decimals (RFC 3261 §25.1)`);
    }
  },
});

export const rfc3261Reg020 = defineRule({
  id: 'RFC3261-REG-020',
  title: 'SIPS AOR implies SIPS contacts',
  defaultSeverity: 'warning',
  clause: 'RFC 3261 §10.2.1',
  basis: 'SHOULD',
  appliesTo: { events: ['register'], description: 'REGISTERs whose To is a sips: URI.' },
  docs: {
    what: 'When the AOR is a `sips:` URI, the registered contacts are `sips:` URIs too.',
    why: 'A sips: AOR promises TLS end to end; a sip: contact lets the last hop fall back to an unprotected transport.',
    get failing() {
      return register({ to: `<sips:alice@${EX.domain}>`, from: `<sips:alice@${EX.domain}>;tag=${EX.fromTag}` });
    },
    get passing() {
      return register({ to: `<sips:alice@${EX.domain}>`, from: `<sips:alice@${EX.domain}>;tag=${EX.fromTag}`, contact: `<sips:alice@192.0.2.10:5061>;${EX.imTags}` });
    },
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    if (ctx.req.to?.uri?.scheme !== 'sips') return;
    for (const c of ctx.req.contacts) {
      if (!c.star && c.uri && c.uri.scheme !== 'sips' && c.effExpiry !== 0) ctx.report(c.uri.span, `the AOR is a sips: URI but this contact is ${c.uri.scheme}: (RFC 3261 §10.2.1)`);
    }
  },
});

export const rfc3261Reg021 = defineRule({
  id: 'RFC3261-REG-021',
  title: 'Record-Route has no meaning in REGISTER',
  defaultSeverity: 'warning',
  clause: 'RFC 3261 §10.2',
  basis: 'DECISION',
  appliesTo: { events: ['register'], description: 'Every REGISTER captured before any proxy.' },
  decision: 'The registrar ignores it, so warning rather than the error of the IPv6PC rule set.',
  docs: {
    what: 'A UA does not put Record-Route in a REGISTER.',
    why: 'Harmless to the registrar (ignored), but a sign of a stack that treats REGISTER like a dialog-creating request.',
    get failing() {
      return register({ extra: ['Record-Route: <sip:192.0.2.10;lr>'] });
    },
    get passing() {
      return register();
    },
  },
  check(ctx) {
    if (ctx.event !== 'register' || ctx.observedDownstream) return;
    const rr = firstHeader(ctx.sip, 'record-route');
    if (rr) ctx.report(rr.span, 'Record-Route has no meaning in a REGISTER and is ignored by the registrar (RFC 3261 §10.2)');
  },
});

const STREAM = new Set(['TCP', 'TLS', 'WS', 'WSS']);

export const rfc3261Reg022 = defineRule({
  id: 'RFC3261-REG-022',
  title: 'Content-Length',
  defaultSeverity: 'error',
  severities: { 'missing over UDP': 'info' },
  clause: 'RFC 3261 §18.3, §20.14',
  basis: 'MUST',
  appliesTo: { events: ['register'], description: 'Every REGISTER.' },
  decision: 'A Content-Length larger than the body is reported by the parser (SIP-PARSE-001); this rule reports a missing header and a body the length leaves out.',
  docs: {
    what: 'A REGISTER over a stream transport (TCP/TLS) carries Content-Length, and the value covers the whole body.',
    why: 'On a stream, Content-Length is the only message boundary; with a wrong value the receiver cuts the stream at the wrong place.',
    get failing() {
      return register({ contentLength: 'Content-Length: 0', body: 'unexpected\n' });
    },
    get passing() {
      return register();
    },
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const sip = ctx.sip;
    const cls = headersOf(sip, 'content-length');
    if (cls.length === 0) {
      const stream = STREAM.has(ctx.msg.transport);
      const severity: Severity = stream ? 'error' : 'info';
      ctx.report(startLineSpan(sip), stream ? `REGISTER over ${ctx.msg.transport} has no Content-Length: the receiver cannot find the end of the message (RFC 3261 §18.3)` : 'REGISTER has no Content-Length (required on stream transports; "Content-Length: 0" is customary everywhere)', { severity });
      return;
    }
    if (sip.contentLength === undefined) return;
    const rest = sip.text.slice(sip.bodySpan.end);
    if (rest.trim() !== '') ctx.report(cls[0].valueSpan, `Content-Length ${sip.contentLength} leaves out ${rest.length} octets of body: the receiver ignores them, or on a stream reads them as the next message`);
  },
});

export const rfc3261Reg023 = defineRule({
  id: 'RFC3261-REG-023',
  title: 'Refresh to the same registrar',
  defaultSeverity: 'warning',
  clause: 'RFC 3261 §10.2.4',
  basis: 'SHOULD',
  appliesTo: { events: ['register'], phases: ['refresh', 'im-deregistration', 'full-deregistration'], description: 'Refreshes and de-registrations of a binding seen registering before.' },
  docs: {
    what: 'A refresh or de-registration goes to the registrar (Request-URI host and port) the binding was registered with.',
    why: 'Another registrar does not know the binding: the refresh creates a second one and the de-registration removes nothing.',
    get failing() {
      return flow(...imRegistration(), register({ cseq: 2, requestUri: 'sip:other.example.net' }));
    },
    get passing() {
      return flow(...imRegistration(), register({ cseq: 2 }));
    },
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const last = ctx.lineage.lastRegistrar;
    if (!last || !ctx.req.registrar || last === ctx.req.registrar) return;
    ctx.report(ctx.req.requestUriSpan, `this REGISTER goes to ${ctx.req.registrar}, the binding was registered with ${last} (RFC 3261 §10.2.4)`, related(ctx.lineage.lastRegister, 'previous REGISTER of this binding'));
  },
});
