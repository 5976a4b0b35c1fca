/**
 * SARIF 2.1.0 output (OASIS SARIF v2.1.0; the subset GitHub code scanning ingests).
 *
 * Logs are text: results carry a text region (startLine/startColumn/endLine/endColumn) and a
 * snippet. Captures are binary: results carry a binary region (byteOffset/byteLength in the
 * capture file, SARIF §3.30.2) when the message lies contiguous in one frame, and always name
 * the frame, as a logical location and in `properties.frame`, because a reviewer navigates a
 * capture by frame number (Wireshark's "Go to packet").
 */
import type { Severity } from '../types';

export interface SarifRuleInfo {
  id: string;
  title: string;
  defaultSeverity: Severity | 'off';
  /** Plain-text help: what the rule checks and why. */
  helpText: string;
  /** Markdown help (the rule's documentation page). */
  helpMarkdown?: string;
  helpUri: string;
  clause?: string;
}

export type SarifLocation =
  | { kind: 'text'; startLine: number; startColumn: number; endLine: number; endColumn: number; snippet?: string }
  | { kind: 'binary'; frame: number; byteOffset?: number; byteLength?: number; snippet?: string };

export interface SarifResultInput {
  ruleId: string;
  severity: Severity;
  message: string;
  file: string;
  location: SarifLocation;
  related?: { message: string; location: SarifLocation }[];
  /** Stable identity of the finding across runs (e.g. Call-ID + CSeq + rule). */
  fingerprint?: string;
}

export interface SarifInput {
  toolVersion: string;
  informationUri: string;
  rules: SarifRuleInfo[];
  files: { path: string; format: string }[];
  results: SarifResultInput[];
  /** Problems met while reading (tool execution notifications, SARIF §3.58). */
  notifications?: { file: string; message: string; severity: Severity; location?: SarifLocation }[];
}

const LEVEL: Record<Severity | 'off', string> = { error: 'error', warning: 'warning', info: 'note', off: 'none' };

function region(loc: SarifLocation): Record<string, unknown> | undefined {
  if (loc.kind === 'text') {
    const r: Record<string, unknown> = { startLine: loc.startLine, startColumn: loc.startColumn, endLine: loc.endLine, endColumn: loc.endColumn };
    if (loc.snippet !== undefined) r.snippet = { text: loc.snippet };
    return r;
  }
  if (loc.byteOffset === undefined) return undefined;
  const r: Record<string, unknown> = { byteOffset: loc.byteOffset };
  if (loc.byteLength !== undefined) r.byteLength = loc.byteLength;
  return r;
}

function location(file: string, fileIndex: number, loc: SarifLocation, message?: string): Record<string, unknown> {
  const physical: Record<string, unknown> = { artifactLocation: { uri: toUri(file), index: fileIndex } };
  const reg = region(loc);
  if (reg) physical.region = reg;
  const out: Record<string, unknown> = { physicalLocation: physical };
  if (loc.kind === 'binary') {
    out.logicalLocations = [{ name: `frame ${loc.frame}`, kind: 'element' }];
    out.properties = { frame: loc.frame };
  }
  if (message) out.message = { text: message };
  return out;
}

/** Relative paths as SARIF URI references (forward slashes, percent-encoded). */
function toUri(file: string): string {
  return file
    .split(/[\\/]/)
    .map((seg) => encodeURIComponent(seg))
    .join('/');
}

export function buildSarif(input: SarifInput): object {
  const ruleIndex = new Map(input.rules.map((r, i) => [r.id, i]));
  const fileIndex = new Map(input.files.map((f, i) => [f.path, i]));
  const results = input.results.map((r) => {
    const fi = fileIndex.get(r.file) ?? 0;
    const res: Record<string, unknown> = {
      ruleId: r.ruleId,
      level: LEVEL[r.severity],
      message: { text: r.message },
      locations: [location(r.file, fi, r.location)],
    };
    const ri = ruleIndex.get(r.ruleId);
    if (ri !== undefined) res.ruleIndex = ri;
    if (r.related?.length) res.relatedLocations = r.related.map((rel, i) => ({ id: i + 1, ...location(r.file, fi, rel.location, rel.message) }));
    if (r.fingerprint) res.partialFingerprints = { sipInspectFinding: r.fingerprint };
    return res;
  });
  const run: Record<string, unknown> = {
    tool: {
      driver: {
        name: 'sip-inspect',
        fullName: 'SIP Trace Inspector',
        semanticVersion: input.toolVersion,
        informationUri: input.informationUri,
        rules: input.rules.map((r) => ({
          id: r.id,
          name: r.id.replace(/[^A-Za-z0-9]/g, ''),
          shortDescription: { text: r.title },
          fullDescription: { text: r.helpText },
          help: { text: r.helpText, ...(r.helpMarkdown ? { markdown: r.helpMarkdown } : {}) },
          helpUri: r.helpUri,
          defaultConfiguration: { level: LEVEL[r.defaultSeverity], enabled: r.defaultSeverity !== 'off' },
          properties: { tags: [...new Set(['sip', r.id.split('-')[0].toLowerCase()])], ...(r.clause ? { clause: r.clause } : {}) },
        })),
      },
    },
    artifacts: input.files.map((f) => ({
      location: { uri: toUri(f.path) },
      ...(f.format === 'log' ? { mimeType: 'text/plain' } : { mimeType: f.format === 'pcapng' ? 'application/x-pcapng' : 'application/vnd.tcpdump.pcap' }),
    })),
    columnKind: 'utf16CodeUnits',
    results,
  };
  if (input.notifications?.length) {
    run.invocations = [
      {
        executionSuccessful: true,
        toolExecutionNotifications: input.notifications.map((n) => ({
          level: LEVEL[n.severity],
          message: { text: n.message },
          ...(n.location ? { locations: [location(n.file, fileIndex.get(n.file) ?? 0, n.location)] } : {}),
        })),
      },
    ];
  }
  return { $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs: [run] };
}
