/**
 * Checker settings: one shape for the editor extension (workspace configuration) and the CLI
 * (`.sip-inspect.json`). Everything is optional; `resolveSettings` fills the defaults and
 * `validateSettings` explains what is wrong with a user-written object instead of throwing.
 *
 * Rule severities: `rules` maps a rule id, or a pattern with `*` wildcards (`RFC3261-*`,
 * `OMA-IM-*`, `*`), to `off | info | warning | error`. The most specific key wins: an exact id
 * beats any pattern, and among patterns the one with more literal characters wins.
 */
import type { Severity, SeverityLevel } from './types';

export type ProfileSetting = 'auto' | 'generic' | 'ims';

export interface Settings {
  /** Severity per rule id or id pattern (`RFC3261-*`). */
  rules?: Record<string, SeverityLevel>;
  /** IM release the client claims in User-Agent (`IM-client/<release>`); catalog 2.6, OMA-IM-REG-011. */
  imRelease?: string;
  /** Rule profile; `auto` turns the IMS profile on when the capture shows IMS signals (catalog 2.6). */
  profile?: ProfileSetting;
  /**
   * Catalog decision 11.4: the system-message / large-message tags are mandatory (`true`, error).
   * `false` downgrades OMA-IM-REG-002/003 to warnings and lets OMA-IM-REG-016 accept a set that
   * has `+g.oma.sip-im` alone.
   */
  requireAllImTags?: boolean;
  /** How long after an initial 2xx the IM service settings PUBLISH may come (OMA-IM-REG-015). */
  publishWindowSeconds?: number;
  /** Expected `Event` of the IM service settings PUBLISH (catalog 11.1: no built-in value). */
  settingsEventPackage?: string;
  /** Expected `Content-Type` of the IM service settings PUBLISH (catalog 11.1). */
  settingsContentType?: string;
  /** Expected XML namespace of the settings document root (OMA-IM-PUB-004). */
  settingsNamespace?: string;
  /**
   * Addresses of the SIP/IP Core entry points (P-CSCF / outbound proxy): `ip`, `ip:port`, host
   * names as used in Route. OMA-IM-REG-013 only runs when this is set (catalog 11.7).
   */
  sipIpCoreAddresses?: string[];
  /** RFC 3261 Timer F (64 x T1) in seconds: how long a REGISTER may stay unanswered. */
  timerFSeconds?: number;
}

export interface ResolvedSettings {
  rules: Record<string, SeverityLevel>;
  imRelease: string;
  profile: ProfileSetting;
  requireAllImTags: boolean;
  publishWindowSeconds: number;
  settingsEventPackage?: string;
  settingsContentType?: string;
  settingsNamespace?: string;
  sipIpCoreAddresses: string[];
  timerFSeconds: number;
  /** Precompiled `rules` patterns, most specific first (filled by resolveSettings). */
  readonly rulePatterns: readonly RulePattern[];
}

export interface RulePattern {
  key: string;
  level: SeverityLevel;
  /** undefined for an exact id. */
  regex?: RegExp;
  /** Literal characters in the key: more means more specific. */
  weight: number;
}

export const DEFAULT_SETTINGS = {
  imRelease: 'OMA1.0',
  profile: 'auto' as ProfileSetting,
  requireAllImTags: true,
  publishWindowSeconds: 30,
  timerFSeconds: 32,
};

const SEVERITY_LEVELS: readonly SeverityLevel[] = ['off', 'info', 'warning', 'error'];
const PROFILES: readonly ProfileSetting[] = ['auto', 'generic', 'ims'];

function compilePatterns(rules: Record<string, SeverityLevel>): RulePattern[] {
  const out: RulePattern[] = [];
  for (const [key, level] of Object.entries(rules)) {
    const upper = key.toUpperCase();
    if (!upper.includes('*')) {
      out.push({ key: upper, level, weight: Number.MAX_SAFE_INTEGER });
      continue;
    }
    const source = upper.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\-]/g, '\\$&')).join('.*');
    out.push({ key: upper, level, regex: new RegExp(`^${source}$`), weight: upper.replace(/\*/g, '').length });
  }
  // Stable sort: most specific first; on equal weight the key written later wins.
  return out.map((p, i) => ({ p, i })).sort((a, b) => b.p.weight - a.p.weight || b.i - a.i).map((x) => x.p);
}

/** Fills defaults. Unknown or ill-typed values fall back to the default (see validateSettings). */
export function resolveSettings(partial: Settings = {}): ResolvedSettings {
  const rules: Record<string, SeverityLevel> = {};
  if (partial.rules && typeof partial.rules === 'object') {
    for (const [k, v] of Object.entries(partial.rules)) if (SEVERITY_LEVELS.includes(v)) rules[k] = v;
  }
  const positive = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : d);
  const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
  return {
    rules,
    imRelease: str(partial.imRelease) ?? DEFAULT_SETTINGS.imRelease,
    profile: PROFILES.includes(partial.profile as ProfileSetting) ? (partial.profile as ProfileSetting) : DEFAULT_SETTINGS.profile,
    requireAllImTags: typeof partial.requireAllImTags === 'boolean' ? partial.requireAllImTags : DEFAULT_SETTINGS.requireAllImTags,
    publishWindowSeconds: positive(partial.publishWindowSeconds, DEFAULT_SETTINGS.publishWindowSeconds),
    settingsEventPackage: str(partial.settingsEventPackage),
    settingsContentType: str(partial.settingsContentType),
    settingsNamespace: str(partial.settingsNamespace),
    sipIpCoreAddresses: Array.isArray(partial.sipIpCoreAddresses)
      ? partial.sipIpCoreAddresses.filter((a): a is string => typeof a === 'string' && a.trim() !== '').map((a) => a.trim().toLowerCase())
      : [],
    timerFSeconds: positive(partial.timerFSeconds, DEFAULT_SETTINGS.timerFSeconds),
    rulePatterns: compilePatterns(rules),
  };
}

/** The level the user configured for a rule id (most specific matching key), if any. */
export function configuredSeverity(ruleId: string, settings: ResolvedSettings): SeverityLevel | undefined {
  const id = ruleId.toUpperCase();
  for (const p of settings.rulePatterns) {
    if (p.regex ? p.regex.test(id) : p.key === id) return p.level;
  }
  return undefined;
}

/** Effective level of a rule: the configured one, else the rule's default. */
export function severityFor(ruleId: string, defaultSeverity: Severity, settings: ResolvedSettings): SeverityLevel {
  return configuredSeverity(ruleId, settings) ?? defaultSeverity;
}

const KNOWN_KEYS: Record<keyof Settings, string> = {
  rules: 'object mapping rule ids or patterns to off|info|warning|error',
  imRelease: 'string such as "OMA1.0"',
  profile: '"auto" | "generic" | "ims"',
  requireAllImTags: 'boolean',
  publishWindowSeconds: 'positive number (seconds)',
  settingsEventPackage: 'string (Event package of the IM service settings PUBLISH)',
  settingsContentType: 'string (MIME type of the IM service settings PUBLISH body)',
  settingsNamespace: 'string (XML namespace of the settings document)',
  sipIpCoreAddresses: 'array of strings (ip, ip:port or host)',
  timerFSeconds: 'positive number (seconds)',
};

/**
 * Explains what is wrong with a user-written settings object (for example `.sip-inspect.json`).
 * Returns one readable message per problem; an empty list means the object is valid.
 * `knownRuleIds`, when given, also flags `rules` keys that match no rule.
 */
export function validateSettings(value: unknown, knownRuleIds?: readonly string[]): string[] {
  const errors: string[] = [];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return ['settings must be a JSON object'];
  }
  const obj = value as Record<string, unknown>;
  for (const [key, v] of Object.entries(obj)) {
    if (!(key in KNOWN_KEYS)) {
      errors.push(`unknown setting "${key}" (known: ${Object.keys(KNOWN_KEYS).join(', ')})`);
      continue;
    }
    const expect = KNOWN_KEYS[key as keyof Settings];
    switch (key as keyof Settings) {
      case 'rules': {
        if (v === null || typeof v !== 'object' || Array.isArray(v)) {
          errors.push(`"rules" must be an ${expect}`);
          break;
        }
        const upperIds = knownRuleIds?.map((id) => id.toUpperCase());
        for (const [rk, rv] of Object.entries(v as Record<string, unknown>)) {
          if (!SEVERITY_LEVELS.includes(rv as SeverityLevel)) {
            errors.push(`"rules.${rk}": ${JSON.stringify(rv)} is not one of off, info, warning, error`);
          }
          if (!/^[A-Za-z0-9*.-]+$/.test(rk)) {
            errors.push(`"rules.${rk}": a rule key is a rule id or a pattern of letters, digits, "-" and "*"`);
          } else if (upperIds) {
            const pattern = compilePatterns({ [rk]: 'off' })[0];
            const matches = upperIds.some((id) => (pattern.regex ? pattern.regex.test(id) : pattern.key === id));
            if (!matches) errors.push(`"rules.${rk}" matches no known rule id`);
          }
        }
        break;
      }
      case 'imRelease':
      case 'settingsEventPackage':
      case 'settingsContentType':
      case 'settingsNamespace':
        if (typeof v !== 'string' || v.trim() === '') errors.push(`"${key}" must be a non-empty ${expect}`);
        break;
      case 'profile':
        if (!PROFILES.includes(v as ProfileSetting)) errors.push(`"profile": ${JSON.stringify(v)} is not one of ${expect}`);
        break;
      case 'requireAllImTags':
        if (typeof v !== 'boolean') errors.push(`"requireAllImTags" must be a boolean`);
        break;
      case 'publishWindowSeconds':
      case 'timerFSeconds':
        if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) errors.push(`"${key}" must be a ${expect}`);
        break;
      case 'sipIpCoreAddresses':
        if (!Array.isArray(v) || v.some((a) => typeof a !== 'string' || a.trim() === '')) errors.push(`"sipIpCoreAddresses" must be an ${expect}`);
        break;
    }
  }
  return errors;
}
