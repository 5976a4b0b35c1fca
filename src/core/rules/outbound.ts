/**
 * SIP Outbound rules (rule catalog §7: OUTBOUND-001..005): the instance-id (`+sip.instance`),
 * `reg-id` and the `outbound` option tag of RFC 5626, and the 439 response.
 */
import type { SipParam } from '../types';
import type { Severity } from '../types';
import { firstHeader } from '../sip/parser';
import { EX, IM_CONTACT, flow, imRegistration, register, reply } from './examples';
import { defineRule, related, startLineSpan } from './helpers';

/** An example instance-id (RFC 4122 UUID URN). */
export const EXAMPLE_INSTANCE = '"<urn:uuid:0ed88e5e-9fb0-4656-8d3c-41384aca903a>"';

const URN_RE = /^urn:[a-z0-9][a-z0-9-]{0,31}:[^\s<>"]+$/i;
const UUID_URN_RE = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** RFC 7254: tac "-" snr "-" spare, optionally followed by `;vers=` / `;svn=` parameters. */
const IMEI_URN_RE = /^urn:gsma:imei:\d{8}-\d{6}-\d(?:;[a-z]+=[0-9a-z]+)*$/i;

export interface InstanceProblem {
  message: string;
  severity: Severity;
}

/**
 * What is wrong with a `+sip.instance` value as written (quotes included), or undefined:
 * RFC 5626 `"<" instance-val ">"` inside double quotes, the URN a UUID (RFC 4122) or an IMEI
 * (RFC 7254, used by 3GPP / GSMA RCS). Another URN namespace is legal but unusual: warning.
 */
export function instanceProblem(raw: string | undefined): InstanceProblem | undefined {
  const error = (message: string): InstanceProblem => ({ message, severity: 'error' });
  if (raw === undefined || raw.trim() === '') return error('+sip.instance has no value; it is a quoted, angle-bracketed URN: +sip.instance="<urn:uuid:...>"');
  const v = raw.trim();
  if (v.length < 2 || !v.startsWith('"') || !v.endsWith('"')) return error(`+sip.instance value ${v} is not double-quoted; write +sip.instance="<${v.replace(/^<|>$/g, '')}>" (RFC 5626)`);
  const inner = v.slice(1, -1);
  if (!inner.startsWith('<') || !inner.endsWith('>')) return error(`+sip.instance value ${v} lacks the angle brackets inside the quotes; write "<${inner}>" (RFC 5626)`);
  const urn = inner.slice(1, -1);
  if (!URN_RE.test(urn)) return error(`+sip.instance "${urn}" is not a URN (RFC 5626: the instance-id is a URN, e.g. urn:uuid:...)`);
  const lower = urn.toLowerCase();
  if (lower.startsWith('urn:uuid:')) return UUID_URN_RE.test(urn) ? undefined : error(`+sip.instance "${urn}" is not an RFC 4122 UUID URN (8-4-4-4-12 hexadecimal digits)`);
  if (lower.startsWith('urn:gsma:imei:')) return IMEI_URN_RE.test(urn) ? undefined : error(`+sip.instance "${urn}" is not an IMEI URN (RFC 7254: urn:gsma:imei:<8 digits>-<6 digits>-<1 digit>)`);
  return { message: `+sip.instance uses the URN namespace "${urn.split(':')[1]}"; RFC 5626 instance-ids are UUID URNs (urn:uuid:), 3GPP devices use urn:gsma:imei:`, severity: 'warning' };
}

function paramOf(params: readonly SipParam[], name: string): SipParam | undefined {
  for (const p of params) if (p.name.toLowerCase() === name) return p;
  return undefined;
}

export const outbound001 = defineRule({
  id: 'OUTBOUND-001',
  title: '`+sip.instance` syntax',
  defaultSeverity: 'error',
  severities: { 'a URN namespace other than uuid or gsma:imei': 'warning' },
  clause: 'RFC 5626 §4.1 (instance-id), RFC 4122 (UUID URN), RFC 7254 (IMEI URN)',
  basis: 'MUST',
  appliesTo: { events: ['register'], description: 'Every REGISTER whose Contact carries `+sip.instance`.' },
  decision:
    'The quoting and the angle brackets are part of the instance-id syntax, so this rule reports them even though RFC3840-002 / RFC3840-003 also flag an unquoted or bracket-less feature value. A UUID or IMEI URN whose digits do not fit the URN syntax is an error; a URN of another namespace is a warning (legal URN, but no registrar-side convention for it).',
  docs: {
    what: 'The `+sip.instance` Contact parameter is a URN in angle brackets inside double quotes: `"<urn:uuid:…>"` (RFC 4122 UUID) or `"<urn:gsma:imei:…>"` (3GPP / RCS devices).',
    why: 'The registrar compares instance-ids as strings to recognise the same device across registrations (RFC 5626, GRUU); a malformed value is ignored or makes each REGISTER look like a new device.',
    get failing() {
      return register({ contact: `${IM_CONTACT};+sip.instance=urn:uuid:0ed88e5e-9fb0-4656-8d3c-41384aca903a` });
    },
    get passing() {
      return register({ contact: `${IM_CONTACT};+sip.instance=${EXAMPLE_INSTANCE}` });
    },
    fix: '`;+sip.instance="<urn:uuid:0ed88e5e-9fb0-4656-8d3c-41384aca903a>"`',
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    for (const c of ctx.req.contacts) {
      if (c.star) continue;
      const p = paramOf(c.params, '+sip.instance');
      if (!p) continue;
      const problem = instanceProblem(p.value);
      if (problem) ctx.report(p.valueSpan ?? p.span, problem.message, { severity: problem.severity });
    }
  },
});

const MAX_REG_ID = 2 ** 31 - 1;

export const outbound002 = defineRule({
  id: 'OUTBOUND-002',
  title: '`reg-id` requires `+sip.instance` and a positive integer',
  defaultSeverity: 'warning',
  severities: { '`reg-id` without `+sip.instance` in the IMS profile': 'error' },
  clause: 'RFC 5626 §4.2 (reg-id; wording and range unconfirmed: catalog §15 item 9); 3GPP TS 24.229 §5.1.1.2.1 c, f',
  basis: 'MUST',
  appliesTo: { events: ['register'], description: 'Every REGISTER whose Contact carries `reg-id`.' },
  decision:
    'The RFC 5626 wording of the pairing and the value range are unconfirmed (catalog (U), §0.3: not error): warning in the generic profile. TS 24.229 §5.1.1.2.1 (confirmed) always sends reg-id with +sip.instance, so a reg-id without an instance-id is an error in the IMS profile. The value must be 1 to 2^31-1.',
  docs: {
    what: 'A Contact with `reg-id` also carries `+sip.instance`, and `reg-id` is a positive integer.',
    why: 'The registrar identifies an outbound flow by instance-id + reg-id; without the instance-id it ignores reg-id and the flow-failover the client expects does not happen.',
    get failing() {
      return register({ contact: `${IM_CONTACT};reg-id=1`, supported: 'path, outbound' });
    },
    get passing() {
      return register({ contact: `${IM_CONTACT};+sip.instance=${EXAMPLE_INSTANCE};reg-id=1`, supported: 'path, outbound' });
    },
    fix: 'Add `;+sip.instance="<urn:uuid:…>"` next to `;reg-id=1`.',
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    for (const c of ctx.req.contacts) {
      if (c.star) continue;
      const p = paramOf(c.params, 'reg-id');
      if (!p) continue;
      const v = (p.value ?? '').trim();
      if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > MAX_REG_ID) {
        ctx.report(p.valueSpan ?? p.span, `reg-id "${v}" is not a positive integer (1 to 2^31-1, RFC 5626)`);
      }
      if (c.instance === undefined) {
        ctx.report(p.span, 'reg-id without +sip.instance on the same Contact: the registrar ignores reg-id (RFC 5626 §4.2; TS 24.229 §5.1.1.2.1 sends them together)', {
          severity: ctx.profile === 'ims' ? 'error' : 'warning',
        });
      }
    }
  },
});

export const outbound003 = defineRule({
  id: 'OUTBOUND-003',
  title: '`reg-id` requires `Supported: outbound`',
  defaultSeverity: 'error',
  clause: 'RFC 5626 §4.2 (section number unconfirmed); 3GPP TS 24.229 §5.1.1.2.1 g',
  basis: 'MUST',
  appliesTo: { events: ['register'], description: 'Every REGISTER that binds a Contact carrying `reg-id` (expiry not 0).' },
  decision: 'Only contacts being registered count: a de-registration (expiry 0) that names the flow with its reg-id sets up no flow, so it needs no `outbound` option tag. In the IMS profile IMS-REG-004 leaves the `outbound` option tag to this rule (same condition, one finding).',
  docs: {
    what: 'A REGISTER that uses outbound (`reg-id` in Contact) lists `outbound` in Supported.',
    why: 'The `outbound` option tag tells the edge proxy and the registrar to keep the flow; without it the registrar treats the REGISTER as a normal one and replaces bindings instead of flows.',
    get failing() {
      return register({ contact: `${IM_CONTACT};+sip.instance=${EXAMPLE_INSTANCE};reg-id=1` });
    },
    get passing() {
      return register({ contact: `${IM_CONTACT};+sip.instance=${EXAMPLE_INSTANCE};reg-id=1`, supported: 'path, outbound' });
    },
    fix: '`Supported: path, outbound`',
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    let regId: SipParam | undefined;
    for (const c of ctx.req.contacts) {
      if (c.star || c.effExpiry === 0) continue;
      regId = paramOf(c.params, 'reg-id');
      if (regId) break;
    }
    if (!regId) return;
    if (ctx.req.supported.some((t) => t.token.toLowerCase() === 'outbound')) return;
    const supported = firstHeader(ctx.sip, 'supported');
    const rel = [{ messageIndex: ctx.msg.index, span: regId.span, message: 'reg-id' }];
    if (supported) ctx.report(supported.valueSpan, 'Contact carries reg-id but Supported does not list "outbound" (RFC 5626 §4.2)', rel);
    else ctx.report(startLineSpan(ctx.sip), 'Contact carries reg-id but the REGISTER has no "Supported: outbound" (RFC 5626 §4.2)', rel);
  },
});

const INSTANCE_A = '"<urn:uuid:6f1d2c4e-8b3a-4f5e-9a7c-2d1e0b9c8a71>"';
const INSTANCE_B = '"<urn:uuid:0ed88e5e-9fb0-4656-8d3c-41384aca903a>"';

export const outbound004 = defineRule({
  id: 'OUTBOUND-004',
  title: 'Stable instance-id',
  defaultSeverity: 'warning',
  clause: 'RFC 5626 §4.1 (the instance-id identifies the device across registrations; wording unconfirmed)',
  basis: 'MUST',
  appliesTo: { events: ['register'], description: 'A REGISTER whose previous REGISTER in the same flow (To AOR + Call-ID) carried another `+sip.instance`, or none where it had one.' },
  decision:
    'Checked against the previous REGISTER of the same flow whatever the phase: a new instance-id makes a new binding lineage (catalog 2.2), so the REGISTER is classified as initial. The requirement rests on RFC 5626 wording the catalog could not confirm (U): warning, not error. Contact: * and queries name no instance and are not checked.',
  docs: {
    what: 'Within one Call-ID, every REGISTER of the client carries the same `+sip.instance` value.',
    why: 'The registrar keys the binding (and the GRUU) on the instance-id: a changed value creates a second binding for the same device, which keeps attracting requests until it expires.',
    get failing() {
      return flow(...imRegistration({ cseq: 1, contact: `${IM_CONTACT};+sip.instance=${INSTANCE_A}` }), register({ cseq: 2, contact: `${IM_CONTACT};+sip.instance=${INSTANCE_B}` }));
    },
    get passing() {
      return flow(...imRegistration({ cseq: 1, contact: `${IM_CONTACT};+sip.instance=${INSTANCE_A}` }), register({ cseq: 2, contact: `${IM_CONTACT};+sip.instance=${INSTANCE_A}` }));
    },
    fix: 'Generate the instance-id once per device (store it) and send it in every REGISTER.',
  },
  check(ctx) {
    if (ctx.event !== 'register' || !ctx.previous) return;
    const key = ctx.flow.lastLineageKey;
    const before = key ? ctx.lineageOf(key)?.instanceId : undefined;
    if (before === undefined) return;
    const primary = ctx.req.contacts.find((c) => !c.star && c.effExpiry !== 0) ?? ctx.req.contacts.find((c) => !c.star);
    if (!primary || primary.instance === before) return;
    const rel = related(ctx.previous.startLine, `previous REGISTER of this Call-ID, +sip.instance "${before}"`);
    const p = paramOf(primary.params, '+sip.instance');
    if (p) ctx.report(p.valueSpan ?? p.span, `+sip.instance changed within Call-ID ${ctx.exchange.callId} (was "${before}"): the registrar sees a new device`, rel);
    else ctx.report(primary.span, `this Contact drops the +sip.instance "${before}" the previous REGISTER of Call-ID ${ctx.exchange.callId} carried: the registrar sees a new binding`, rel);
  },
});

export const outbound005 = defineRule({
  id: 'OUTBOUND-005',
  title: '439 First Hop Lacks Outbound Support',
  defaultSeverity: 'warning',
  clause: 'RFC 5626 §6 (439 First Hop Lacks Outbound Support)',
  basis: 'INTEROP',
  appliesTo: { events: ['register-response'], description: '439 responses to REGISTER (network side).' },
  docs: {
    what: 'The registrar answers 439: the REGISTER asked for outbound (`reg-id`) but the first-hop proxy did not add a Path with `;ob`.',
    why: 'The client cannot use outbound through this edge proxy: it must register again without `reg-id` or through an outbound-capable edge, or it stays unregistered.',
    get failing() {
      return flow(
        register({ contact: `${IM_CONTACT};+sip.instance=${EXAMPLE_INSTANCE};reg-id=1`, supported: 'path, outbound' }),
        reply(register({ contact: `${IM_CONTACT};+sip.instance=${EXAMPLE_INSTANCE};reg-id=1`, supported: 'path, outbound' }), 439, { reason: 'First Hop Lacks Outbound Support' }),
      );
    },
    get passing() {
      return flow(
        register({ contact: `${IM_CONTACT};+sip.instance=${EXAMPLE_INSTANCE};reg-id=1`, supported: 'path, outbound' }),
        reply(register({ contact: `${IM_CONTACT};+sip.instance=${EXAMPLE_INSTANCE};reg-id=1`, supported: 'path, outbound' }), 200, {
          extra: [`Path: <sip:edge.${EX.domain};lr;ob>`, 'Require: outbound'],
        }),
      );
    },
    fix: 'Network side: let the edge proxy support RFC 5626 (Path with `;ob`); client side: retry without `reg-id`.',
  },
  check(ctx) {
    if (ctx.event !== 'register-response' || ctx.retransmission || ctx.res.status !== 439) return;
    const rel = ctx.exchange ? [{ messageIndex: ctx.exchange.requestIndex, span: ctx.exchange.startLine.span, message: 'REGISTER asking for outbound' }] : [];
    ctx.report(ctx.res.startLineSpan, '439 First Hop Lacks Outbound Support: the edge proxy did not add a Path with ";ob"; the client should register again without reg-id or through an outbound-capable edge (RFC 5626 §6; network side)', rel);
  },
});
