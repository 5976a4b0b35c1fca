/**
 * The rule engine: every check the tool makes on REGISTER exchanges, one small unit per rule.
 *
 * HOW TO ADD A RULE (e.g. OUTBOUND-001, GRUU-001, PATH-001, SR-001, IMS-REG-007)
 *
 * 1. Pick the file of its family (create `outbound.ts`, `ims-reg.ts`, ... for a new family) and
 *    write it with `defineRule({...})` (./helpers.ts):
 *      - `id`, `title`, `clause` (where the requirement is written), `basis` (SHALL / MUST /
 *        SHOULD / INTEROP / DECISION) and `defaultSeverity`, per the catalog's severity policy
 *        (shared/spec/register-rules.md §0.3); other case severities go in `severities` (docs)
 *        and are passed to `ctx.report(..., { severity })`.
 *      - `appliesTo.events`: when it runs (./types.ts RuleEvent). Most REGISTER rules use
 *        `['register']` and narrow with `phases` (initial, refresh, im-deregistration,
 *        full-deregistration, query) and `attempts` (first, auth-resend, interval-retry); the
 *        framework only calls `check` for matching REGISTERs. Response rules use
 *        `['register-response']`; expectations that need later messages use `['window']`.
 *      - `profile: 'ims'` for IMS-REG-* rules (they then run only when the IMS profile is on).
 *      - `decision`: how a catalog ambiguity (§11) or an unconfirmed (U) fact was settled.
 *      - `settingsKeys`: settings (../settings.ts) the rule reads; add new knobs there, with a
 *        default, validation and a line in KNOWN_KEYS.
 *      - `docs`: `what`, `why`, a `failing` and a `passing` example built with ./examples.ts
 *        (`register({...})`, `reply(req, 401)`, `publish()`, `flow(a, b, 40, c)`), and `fix`.
 * 2. In `check(ctx)`, narrow with `if (ctx.event !== 'register') return;` and read the facts:
 *    `ctx.req` (parsed REGISTER: contacts with imTags / effExpiry / instance, Require, Supported,
 *    Authorization, ...), `ctx.exchange` (phase, attempt, uncertain), `ctx.lineage` and
 *    `ctx.flow` (state BEFORE this request), `ctx.previous` (previous transaction of the flow),
 *    `ctx.observedDownstream` (captured after a proxy: skip origin-only checks), `ctx.sip` for
 *    anything else (headersOf / firstHeader / value parsers from ../sip).
 *    Report with `ctx.report(span, message, related?)`, where the span is EXACT: the offending
 *    parameter or header value, or where a missing item belongs (missing tag -> the Contact value,
 *    missing header -> startLineSpan(ctx.sip)). `related` points at the other messages involved
 *    (the challenge, the 2xx, the previous REGISTER). Never throw; return when a needed value is
 *    missing (SIP-PARSE-001 reports unparseable values).
 * 3. Add the export to ALL_RULES in ./registry.ts (documentation order), remove the id from
 *    PLANNED_RULE_IDS below, and run `node scripts/gen-rule-docs.mjs` to write
 *    docs/rules/<id>.md. The docs test runs both examples through the checker (the failing one must
 *    report the id, the passing one must not) and checks that docs/rules is up to date.
 * 4. Add focused tests in test/unit/rules/ (failing and passing cases, exact span text).
 */
import { ALL_RULES, ruleById } from './registry';

export { ALL_RULES, ruleById };
export type { Rule, RuleContext, RuleDocs, RuleEvent, RuleMeta, RuleBasis, ReportOptions } from './types';
export { defineRule, startLineSpan } from './helpers';

/** Where the rule pages live; override for forks or offline copies. */
export const DEFAULT_RULE_DOC_BASE = 'https://github.com/sip-trace-inspector/sip-trace-inspector/blob/main/docs/rules';

/** Link to the documentation page of a rule: `<base>/<id>.md`. */
export function ruleDocUrl(id: string, base: string = DEFAULT_RULE_DOC_BASE): string {
  return `${base.replace(/\/+$/, '')}/${encodeURIComponent(id)}.md`;
}

/**
 * Catalog rule ids (register-rules.md §16) that are not implemented as rules. Settings may
 * already configure them (validateSettings accepts them). CAPTURE-001 (encrypted or compressed
 * SIP skipped) has no message to sit on: the packet decoder reports it as a reading notice,
 * `sip-not-inspectable`, once per kind (TLS on 5061, IPsec ESP, SigComp), see net/decode.ts.
 */
export const PLANNED_RULE_IDS: readonly string[] = [
  'CAPTURE-001',
];

/** Every id a settings file may name: implemented and planned. */
export function knownRuleIds(): string[] {
  return [...ALL_RULES.map((r) => r.id), ...PLANNED_RULE_IDS];
}
