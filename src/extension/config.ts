/** Reads the `sipTraceInspector.*` settings into the core's Settings shape (src/core/settings.ts). */
import * as vscode from 'vscode';
import type { Settings } from '../core/settings';

export const CONFIG_SECTION = 'sipTraceInspector';

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

export function affectsSettings(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration(CONFIG_SECTION);
}
