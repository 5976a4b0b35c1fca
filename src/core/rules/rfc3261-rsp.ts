/**
 * Response and pairing rules (rule catalog §5: RFC3261-RSP-001..011): the registrar side of the
 * exchange, and the client's reaction to it.
 */
import type { RelatedInfo } from '../types';
import { firstHeader } from '../sip/parser';
import { IM_TAGS, findSameBinding, paramText, parseDeltaSeconds, type ContactFacts } from '../register/facts';
import { EX, PLAIN_CONTACT, flow, imRegistration, publish, register, reply } from './examples';
import { defineRule, listText, startLineSpan } from './helpers';
import type { WindowContext } from './types';
import { registeringContacts } from './oma-im-tags';

const NETWORK = ' (registrar / proxy side)';

/** Same items in the same order (then their '\n'-joined texts are equal too: the cheap test first). */
function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export const rfc3261Rsp001 = defineRule({
  id: 'RFC3261-RSP-001',
  title: 'Response echoes transaction identifiers',
  defaultSeverity: 'error',
  clause: 'RFC 3261 §8.2.6.2',
  basis: 'MUST',
  appliesTo: { events: ['register-response'], description: 'Every response matched to a REGISTER (network side).' },
  decision: 'Via values are compared by transport, sent-by and branch: the server legitimately adds `received` and fills `rport` in the top Via.',
  docs: {
    what: 'A response copies Call-ID, CSeq, From (with its tag) and the Via list of the request, and the To URI.',
    why: 'The client matches responses by these fields; a response that changes them is dropped or attached to the wrong transaction.',
    get failing() {
      return flow(register(), reply(register(), 200).replace(`tag=${EX.fromTag}`, 'tag=zz99'));
    },
    get passing() {
      return flow(register(), reply(register(), 200));
    },
  },
  check(ctx) {
    if (ctx.event !== 'register-response' || ctx.retransmission || !ctx.req) return;
    const { res, req } = ctx;
    const sip = ctx.sip;
    const rel: RelatedInfo[] = ctx.exchange ? [{ messageIndex: ctx.exchange.requestIndex, span: ctx.exchange.startLine.span, message: 'the request' }] : [];
    if (res.from && req.from) {
      if (res.fromTag !== req.fromTag) ctx.report(res.from.span, `From tag ${res.fromTag ?? '(none)'} differs from the request's ${req.fromTag ?? '(none)'}${NETWORK}`, rel);
      // fromAor / toAor are normalizeAor of the URI, computed with the facts.
      else if (res.fromAor !== req.fromAor) ctx.report(res.from.span, `From URI differs from the request's ${req.from.uri?.text ?? ''}${NETWORK}`, rel);
    }
    if (res.to?.uri && req.to?.uri && res.toAor !== req.toAor) ctx.report(res.to.uri.span, `To URI differs from the request's ${req.to.uri.text}${NETWORK}`, rel);
    if (!sameList(res.via.list, req.via.list) && res.via.list.join('\n') !== req.via.list.join('\n')) {
      const via = firstHeader(sip, 'via');
      ctx.report(via?.valueSpan ?? startLineSpan(sip), `Via list (${res.via.count} value${res.via.count === 1 ? '' : 's'}) does not echo the request's (${req.via.count})${NETWORK}`, rel);
    }
  },
});

export const rfc3261Rsp002 = defineRule({
  id: 'RFC3261-RSP-002',
  title: 'To tag on final responses',
  defaultSeverity: 'error',
  clause: 'RFC 3261 §8.2.6.2',
  basis: 'MUST',
  appliesTo: { events: ['register-response'], description: 'Every response to REGISTER except 100 Trying (network side).' },
  docs: {
    what: 'A response other than 100 adds a tag to To.',
    why: 'The UAS must add a To tag when the request had none; clients may discard tag-less final responses.',
    get failing() {
      return flow(register(), reply(register(), 200, { toTag: null }));
    },
    get passing() {
      return flow(register(), reply(register(), 200));
    },
  },
  check(ctx) {
    if (ctx.event !== 'register-response' || ctx.retransmission) return;
    if (ctx.res.status === 100 || !ctx.res.to) return;
    if (ctx.res.toTag === undefined) ctx.report(ctx.res.to.span, `${ctx.res.status} response has no To tag (RFC 3261 §8.2.6.2)${NETWORK}`);
  },
});

export const rfc3261Rsp003 = defineRule({
  id: 'RFC3261-RSP-003',
  title: 'Orphan response / unanswered request',
  defaultSeverity: 'warning',
  severities: { 'orphan response': 'info' },
  clause: 'RFC 3261 §17.1.3, §17.1.2.2 (Timer F)',
  basis: 'DECISION',
  appliesTo: { events: ['register-response', 'window', 'end'], description: 'Responses with no matching REGISTER; REGISTERs with no final response within Timer F.' },
  settingsKeys: ['timerFSeconds'],
  decision: 'An unanswered REGISTER is reported only when the capture goes on past Timer F (or, without timestamps, when the client sends something afterwards), and only when the trace holds REGISTER responses at all: a log that records requests only (a registrar\'s request log) proves nothing about answers. An orphan response usually means the capture started late (info).',
  docs: {
    what: 'Every REGISTER gets a final response within Timer F (32 s); every response belongs to a REGISTER in the capture.',
    why: 'A REGISTER without a final response means the registrar is unreachable or the response was lost (wrong Via, NAT); the client is not registered.',
    get failing() {
      return flow(register({ cseq: 1 }), 40, register({ cseq: 2, branch: 'z9hG4bKnext' }), reply(register({ cseq: 2, branch: 'z9hG4bKnext' }), 200));
    },
    get passing() {
      return flow(...imRegistration({ cseq: 1 }), 40, register({ cseq: 2 }), reply(register({ cseq: 2 }), 200));
    },
  },
  check(ctx) {
    if (ctx.event === 'register-response') {
      ctx.store.set('responses', true);
      if (ctx.exchange || ctx.retransmission) return;
      ctx.report(ctx.res.startLineSpan, `${ctx.res.status} response to a REGISTER that is not in the capture (CSeq ${ctx.res.cseq?.num ?? '?'}, Call-ID ${ctx.res.callId ?? '?'}); the capture may have started late`, { severity: 'info' });
      return;
    }
    if (ctx.event === 'window') {
      if (ctx.window.kind !== 'final-response' || !ctx.captureContinued) return;
      // Decided at the end: only a trace that shows responses can show a missing one.
      const pending = (ctx.store.get('pending') as WindowContext['window'][] | undefined) ?? [];
      pending.push(ctx.window);
      ctx.store.set('pending', pending);
      return;
    }
    if (ctx.event !== 'end' || !ctx.store.get('responses')) return;
    for (const w of (ctx.store.get('pending') as WindowContext['window'][] | undefined) ?? []) {
      ctx.report(w.opened.span, `REGISTER got no final response within ${ctx.settings.timerFSeconds} s (Timer F): the registrar did not answer or the response was lost`, {
        messageIndex: w.opened.index,
        exchange: w.exchange,
      });
    }
  },
});

export const rfc3261Rsp004 = defineRule({
  id: 'RFC3261-RSP-004',
  title: '401/407 carry a challenge',
  defaultSeverity: 'error',
  clause: 'RFC 3261 §22.1, §20.44, §20.27',
  basis: 'MUST',
  appliesTo: { events: ['register-response'], description: '401 (needs WWW-Authenticate) and 407 (needs Proxy-Authenticate) responses to REGISTER (network side).' },
  docs: {
    what: 'A 401 carries WWW-Authenticate, a 407 carries Proxy-Authenticate.',
    why: 'Without the challenge the client has no realm and nonce to answer: it cannot register.',
    get failing() {
      return flow(register(), reply(register(), 401).replace(/^WWW-Authenticate:.*\n/m, ''));
    },
    get passing() {
      return flow(register(), reply(register(), 401), register({ cseq: 2, authorization: true }), reply(register({ cseq: 2, authorization: true }), 200), publish(), reply(publish(), 200, { extra: ['SIP-ETag: e1'] }));
    },
  },
  check(ctx) {
    if (ctx.event !== 'register-response' || ctx.retransmission) return;
    const s = ctx.res.status;
    if (s !== 401 && s !== 407) return;
    if (ctx.res.challenges.length === 0) ctx.report(ctx.res.startLineSpan, `${s} response without ${s === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate'}: nothing to answer (RFC 3261 §22.1)${NETWORK}`);
  },
});

export const rfc3261Rsp005 = defineRule({
  id: 'RFC3261-RSP-005',
  title: 'Client answers the challenge',
  defaultSeverity: 'warning',
  severities: { 'same rejected credentials resent': 'error' },
  clause: 'RFC 3261 §8.1.3.5, §22.2 (see also OMA-IM-REG-014)',
  basis: 'DECISION',
  appliesTo: { events: ['register', 'window'], description: 'The client after a 401/407 to its REGISTER.' },
  decision: 'No resend within Timer F is a warning (the client may have given up on purpose, e.g. a wrong password), also when the capture ends first; resending exactly the rejected credentials while the challenge offered no new nonce is an error (a loop).',
  docs: {
    what: 'After a 401/407 the client resends the REGISTER with credentials, and not the very credentials that were just rejected.',
    why: 'A client that does not answer never registers; one that resends rejected credentials loops against the registrar.',
    get failing() {
      return flow(register(), reply(register(), 401));
    },
    get passing() {
      return flow(register({ cseq: 1 }), reply(register({ cseq: 1 }), 401), ...imRegistration({ cseq: 2, authorization: true }));
    },
  },
  check(ctx) {
    if (ctx.event === 'window') {
      if (ctx.window.kind !== 'challenge') return;
      ctx.report(ctx.window.opened.span, ctx.captureContinued ? `the client did not resend the REGISTER within ${ctx.settings.timerFSeconds} s of this challenge` : 'the client did not resend the REGISTER after this challenge before the capture ends', {
        messageIndex: ctx.window.opened.index,
      });
      return;
    }
    if (ctx.event !== 'register') return;
    const prev = ctx.previous;
    if (!prev?.final || (prev.finalStatus !== 401 && prev.finalStatus !== 407)) return;
    const is407 = prev.finalStatus === 407;
    const raw = is407 ? ctx.req.proxyAuthorization : ctx.req.authorization;
    const prevRaw = is407 ? prev.proxyAuthorizationRaw : prev.authorizationRaw;
    if (!raw || !prevRaw || raw.raw.trim() !== prevRaw.trim()) return;
    const nonce = raw.values.get('nonce');
    if (!(prev.challenges ?? []).some((c) => c.nonce !== undefined && c.nonce === nonce)) return;
    ctx.report(raw.header.valueSpan, `the REGISTER resends exactly the credentials the ${prev.finalStatus} just rejected (same nonce, no new one offered): an authentication loop`, {
      severity: 'error',
      related: [{ messageIndex: prev.final.index, span: prev.final.span, message: `${prev.finalStatus} rejecting these credentials` }],
    });
  },
});

export const rfc3261Rsp006 = defineRule({
  id: 'RFC3261-RSP-006',
  title: '423 carries Min-Expires',
  defaultSeverity: 'error',
  clause: 'RFC 3261 §10.3 step 7, §20.23',
  basis: 'MUST',
  appliesTo: { events: ['register-response'], description: '423 Interval Too Brief responses (network side).' },
  docs: {
    what: 'A 423 Interval Too Brief carries Min-Expires.',
    why: 'Without Min-Expires the client cannot tell which expiry the registrar accepts; some stacks treat it as a failure.',
    get failing() {
      return flow(register({ expires: '30' }), reply(register({ expires: '30' }), 423));
    },
    get passing() {
      return flow(register({ expires: '30' }), reply(register({ expires: '30' }), 423, { extra: ['Min-Expires: 60'] }));
    },
  },
  check(ctx) {
    if (ctx.event !== 'register-response' || ctx.retransmission || ctx.res.status !== 423) return;
    if (!ctx.res.minExpires) ctx.report(ctx.res.startLineSpan, `423 without Min-Expires (RFC 3261 §10.3 step 7)${NETWORK}`);
  },
});

function expirySpan(c: ContactFacts, exp: { header: { valueSpan: { start: number; end: number } } } | undefined) {
  return c.expiresParam?.span ?? exp?.header.valueSpan ?? c.span;
}

export const rfc3261Rsp007 = defineRule({
  id: 'RFC3261-RSP-007',
  title: 'Retry after 423 honours Min-Expires',
  defaultSeverity: 'error',
  clause: 'RFC 3261 §10.2.8; 3GPP TS 24.229',
  basis: 'MUST',
  appliesTo: { events: ['register'], attempts: ['interval-retry'], description: 'The REGISTER that follows a 423 in the same flow.' },
  docs: {
    what: 'After 423 with Min-Expires N, the retry asks for at least N seconds on every contact it registers.',
    why: 'A retry with a shorter expiry gets 423 again: the client never registers.',
    get failing() {
      return flow(register({ cseq: 1, expires: '30' }), reply(register({ cseq: 1, expires: '30' }), 423, { extra: ['Min-Expires: 60'] }), register({ cseq: 2, expires: '45' }));
    },
    get passing() {
      return flow(register({ cseq: 1, expires: '30' }), reply(register({ cseq: 1, expires: '30' }), 423, { extra: ['Min-Expires: 60'] }), register({ cseq: 2, expires: '60' }));
    },
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const min = ctx.previous?.minExpires;
    if (!min || min.value === undefined) return;
    for (const c of registeringContacts(ctx.req)) {
      if (typeof c.effExpiry !== 'number' || c.effExpiry >= min.value) continue;
      ctx.report(expirySpan(c, ctx.req.expiresHeader), `retry after 423 asks for ${c.effExpiry} s, below Min-Expires ${min.value} (RFC 3261 §10.2.8)`, [
        { messageIndex: min.index, span: min.span, message: `Min-Expires: ${min.value}` },
      ]);
    }
  },
});

function expiresOf(c: ContactFacts, header: number | undefined): number | undefined {
  const p = c.expiresParam ? parseDeltaSeconds(paramText(c.expiresParam)) : undefined;
  return p ?? header;
}

export const rfc3261Rsp008 = defineRule({
  id: 'RFC3261-RSP-008',
  title: '2xx lists the current bindings',
  defaultSeverity: 'warning',
  clause: 'RFC 3261 §10.2.4, §10.3 step 8',
  basis: 'MUST',
  appliesTo: { events: ['register-response'], description: '2xx responses to initial, refresh and IM-only de-registration REGISTERs (network side).' },
  decision: 'The client\'s contact is found in the 2xx by +sip.instance or by contact URI (scheme, user, host, port, transport); a NAT or SBC that rewrites contacts makes it look missing, hence warning.',
  docs: {
    what: 'The 2xx to a registering REGISTER lists every current binding of the AOR, including the contact just registered.',
    why: 'The client reads its granted expiry from its own contact in the 2xx; if it is missing the client cannot tell whether the binding exists.',
    get failing() {
      return flow(register(), reply(register(), 200, { contact: [] }));
    },
    get passing() {
      return flow(register(), reply(register(), 200));
    },
  },
  check(ctx) {
    if (ctx.event !== 'register-response' || ctx.retransmission || !ctx.exchange || !ctx.req) return;
    if (ctx.res.status < 200 || ctx.res.status >= 300) return;
    const phase = ctx.exchange.phase;
    if (phase !== 'initial' && phase !== 'refresh' && phase !== 'im-deregistration') return;
    for (const c of registeringContacts(ctx.req)) {
      if (findSameBinding(ctx.res.contacts, c)) continue;
      const h = firstHeader(ctx.sip, 'contact');
      ctx.report(h?.valueSpan ?? ctx.res.startLineSpan, `the 2xx does not list the registered contact ${c.uri?.text ?? ''} among the bindings (RFC 3261 §10.3 step 8)${NETWORK}`, [
        { messageIndex: ctx.exchange.requestIndex, span: c.span, message: 'registered contact' },
      ]);
    }
  },
});

export const rfc3261Rsp009 = defineRule({
  id: 'RFC3261-RSP-009',
  title: 'Removed binding not listed after de-registration',
  defaultSeverity: 'warning',
  clause: 'RFC 3261 §10.2.2, §10.3',
  basis: 'MUST',
  appliesTo: { events: ['register-response'], description: '2xx responses to full de-registrations (network side).' },
  docs: {
    what: 'After a successful de-registration the 2xx no longer lists the removed contact with a non-zero expiry.',
    why: 'A binding still listed was not removed: requests keep being routed to a client that left.',
    get failing() {
      return flow(register({ cseq: 5, contact: PLAIN_CONTACT, expires: '0' }), reply(register({ cseq: 5, contact: PLAIN_CONTACT, expires: '0' }), 200, { contact: [`Contact: ${PLAIN_CONTACT};expires=1800`] }));
    },
    get passing() {
      return flow(register({ cseq: 5, contact: PLAIN_CONTACT, expires: '0' }), reply(register({ cseq: 5, contact: PLAIN_CONTACT, expires: '0' }), 200));
    },
  },
  check(ctx) {
    if (ctx.event !== 'register-response' || ctx.retransmission || !ctx.exchange || !ctx.req) return;
    if (ctx.res.status < 200 || ctx.res.status >= 300 || ctx.exchange.phase !== 'full-deregistration') return;
    const header = ctx.res.expiresHeader?.value;
    const removed = ctx.req.contacts.filter((c) => c.star || c.effExpiry === 0);
    for (const r of ctx.res.contacts) {
      const left = expiresOf(r, header);
      if (left === 0) continue;
      const wasRemoved = removed.some((c) => c.star || findSameBinding([r], c));
      if (wasRemoved) ctx.report(r.span, `the de-registered contact is still listed${left !== undefined ? ` with expires ${left}` : ''}: the binding was not removed${NETWORK}`);
    }
  },
});

export const rfc3261Rsp010 = defineRule({
  id: 'RFC3261-RSP-010',
  title: 'Granted expiry respected by the client',
  defaultSeverity: 'warning',
  clause: 'RFC 3261 §10.2.4',
  basis: 'DECISION',
  appliesTo: { events: ['register'], description: 'A REGISTER of a binding whose granted expiry had already passed.' },
  docs: {
    what: 'The client refreshes before the expiry granted in the 2xx (the `expires` of its contact, or Expires).',
    why: 'Once the granted time passes the binding lapses: the client is unreachable for IM until it registers again.',
    get failing() {
      return flow(register({ cseq: 1, expires: '600' }), reply(register({ cseq: 1, expires: '600' }), 200), 700, register({ cseq: 2, expires: '600' }));
    },
    get passing() {
      return flow(...imRegistration({ cseq: 1, expires: '600' }), 500, register({ cseq: 2, expires: '600' }));
    },
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const l = ctx.lineage;
    if (!l.registered || l.grantTime === undefined || l.grantedExpiry === undefined || ctx.time === undefined) return;
    const lapse = ctx.time - (l.grantTime + l.grantedExpiry);
    if (lapse <= 0) return;
    ctx.report(startLineSpan(ctx.sip), `this REGISTER comes ${Math.round(lapse)} s after the binding expired (granted ${l.grantedExpiry} s): the client was not registered in between`, l.grant ? [{ messageIndex: l.grant.index, span: l.grant.span, message: `2xx granting ${l.grantedExpiry} s` }] : []);
  },
});

export const rfc3261Rsp011 = defineRule({
  id: 'RFC3261-RSP-011',
  title: 'Echo of IM tags in the 2xx',
  defaultSeverity: 'info',
  clause: 'Rule catalog decision 11.12',
  basis: 'DECISION',
  appliesTo: { events: ['register-response'], description: '2xx responses to initial and refresh REGISTERs.' },
  decision: 'Catalog 11.12: neither RFC 3261 nor the OMA text obliges the registrar to return feature parameters; info only, useful when IM requests do not reach the client.',
  docs: {
    what: 'Notes when the client\'s contact in the 2xx lacks IM tags the REGISTER carried.',
    why: 'A registrar that drops the tags may also not use them when routing IM requests to the client.',
    get failing() {
      return flow(register(), reply(register(), 200, { contact: [`Contact: ${PLAIN_CONTACT};expires=3600`] }));
    },
    get passing() {
      return flow(register(), reply(register(), 200));
    },
  },
  check(ctx) {
    if (ctx.event !== 'register-response' || ctx.retransmission || !ctx.exchange || !ctx.req) return;
    if (ctx.res.status < 200 || ctx.res.status >= 300) return;
    if (ctx.exchange.phase !== 'initial' && ctx.exchange.phase !== 'refresh') return;
    for (const c of registeringContacts(ctx.req)) {
      const r = findSameBinding(ctx.res.contacts, c);
      if (!r) continue;
      const lost = IM_TAGS.filter((t) => c.imTags.has(t) && !r.imTags.has(t));
      if (lost.length) ctx.report(r.span, `the registrar returns this binding without ${listText(lost)} (registered with the REGISTER)`, [{ messageIndex: ctx.exchange.requestIndex, span: c.span, message: 'registered contact' }]);
    }
  },
});
