/** Reads the `sipTraceInspector.*` settings into the core's Settings shape (src/core/settings.ts). */
import * as vscode from 'vscode';
import type { Settings } from '../core/settings';
import type { SeverityLevel } from '../core/types';

export const CONFIG_SECTION = 'sipTraceInspector';

/** Settings of the extension itself (not passed to the core). */
export const EDITOR_SETTINGS = {
  maxFileSizeMB: 'maxFileSizeMB',
} as const;
const DEFAULT_MAX_FILE_SIZE_MB = 10;

/** Only settings the user (or workspace) actually set are passed; the core fills the defaults. */
export function readSettings(scope?: vscode.Uri): Settings {
  const c = vscode.workspace.getConfiguration(CONFIG_SECTION, scope);
  const out: Record<string, unknown> = {};
  for (const key of [
    'rules',
    'imRelease',
    'profile',
    'requireAllImTags',
    'publishWindowSeconds',
    'settingsEventPackage',
    'settingsContentType',
    'settingsNamespace',
    'sipIpCoreAddresses',
    'timerFSeconds',
  ] as const) {
    const v = c.get(key);
    // Configuration objects are read-only proxies, which cannot be posted to a worker: copy.
    if (v !== undefined && v !== null && v !== '') out[key] = JSON.parse(JSON.stringify(v));
  }
  return out as Settings;
}

/** Logs larger than this many characters are only checked on request (`maxFileSizeMB`). */
export function maxLogChars(scope?: vscode.Uri): number {
  const mb = vscode.workspace.getConfiguration(CONFIG_SECTION, scope).get<number>(EDITOR_SETTINGS.maxFileSizeMB, DEFAULT_MAX_FILE_SIZE_MB);
  const value = typeof mb === 'number' && Number.isFinite(mb) && mb > 0 ? mb : DEFAULT_MAX_FILE_SIZE_MB;
  return Math.round(value * 1024 * 1024);
}

export function affectsSettings(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration(CONFIG_SECTION);
}

/**
 * Sets one rule's level in `sipTraceInspector.rules`, keeping the other entries, in the
 * workspace settings when a folder is open (the team shares the policy), else the user's.
 */
export async function setRuleLevel(ruleId: string, level: SeverityLevel): Promise<vscode.ConfigurationTarget> {
  const c = vscode.workspace.getConfiguration(CONFIG_SECTION);
  const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  const inspected = c.inspect<Record<string, SeverityLevel>>('rules');
  const current = (target === vscode.ConfigurationTarget.Workspace ? inspected?.workspaceValue : inspected?.globalValue) ?? {};
  await c.update('rules', { ...JSON.parse(JSON.stringify(current)), [ruleId]: level }, target);
  return target;
}
