/**
 * Settings for `sip-inspect check`: a `.sip-inspect.json` found upwards from each trace (or
 * `--config FILE`), then `--rule ID=level` overrides from the command line. The settings shape is
 * the core's (src/core/settings.ts), the same one the extension reads from its configuration.
 */
import * as fs from 'fs';
import * as path from 'path';
import { knownRuleIds } from '../core/rules/index';
import { validateSettings, type Settings } from '../core/settings';
import type { SeverityLevel } from '../core/types';
import { UsageError } from './files';

export const CONFIG_FILE_NAME = '.sip-inspect.json';

export interface LoadedConfig {
  settings: Settings;
  /** The file the settings came from, if any. */
  source?: string;
}

const LEVELS: readonly SeverityLevel[] = ['off', 'info', 'warning', 'error'];

/** Parses `--rule ID=level` values (ID may be a pattern such as `RFC3261-*`). */
export function parseRuleOverrides(values: string[]): Record<string, SeverityLevel> {
  const out: Record<string, SeverityLevel> = {};
  for (const v of values) {
    const eq = v.lastIndexOf('=');
    const id = eq > 0 ? v.slice(0, eq).trim() : '';
    const level = (eq > 0 ? v.slice(eq + 1).trim().toLowerCase() : '') as SeverityLevel;
    if (!id || !LEVELS.includes(level)) throw new UsageError(`--rule expects ID=off|info|warning|error, got '${v}'`);
    out[id] = level;
  }
  return out;
}

function readConfigFile(file: string): Settings {
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`${file}: cannot read settings: ${(e as Error).message}`);
  }
  const errors = validateSettings(value, knownRuleIds());
  if (errors.length) throw new UsageError(`${file}: invalid settings:\n  ${errors.join('\n  ')}`);
  return value as Settings;
}

/** Finds and loads the settings that apply to `traceFile`; results are cached per folder. */
export class ConfigResolver {
  private readonly cache = new Map<string, LoadedConfig>();

  constructor(
    private readonly explicitFile: string | undefined,
    private readonly overrides: Record<string, SeverityLevel>,
  ) {}

  forTrace(traceFile: string): LoadedConfig {
    const base = this.explicitFile ? { settings: readConfigFile(this.explicitFile), source: this.explicitFile } : this.lookup(path.dirname(path.resolve(traceFile)));
    if (Object.keys(this.overrides).length === 0) return base;
    return { source: base.source, settings: { ...base.settings, rules: { ...(base.settings.rules ?? {}), ...this.overrides } } };
  }

  private lookup(dir: string): LoadedConfig {
    const cached = this.cache.get(dir);
    if (cached) return cached;
    const candidate = path.join(dir, CONFIG_FILE_NAME);
    let found: LoadedConfig;
    if (fs.existsSync(candidate)) found = { settings: readConfigFile(candidate), source: candidate };
    else {
      const parent = path.dirname(dir);
      found = parent === dir ? { settings: {} } : this.lookup(parent);
    }
    this.cache.set(dir, found);
    return found;
  }
}
