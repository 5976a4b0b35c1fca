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
import { nestedJson } from './json';

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

/** The tool's rule descriptors (SARIF §3.49), in the order `ruleIndex` refers to. */
function sarifRules(rules: readonly SarifRuleInfo[]): object[] {
  return rules.map((r) => ({
    id: r.id,
    name: r.id.replace(/[^A-Za-z0-9]/g, ''),
    shortDescription: { text: r.title },
    fullDescription: { text: r.helpText },
    help: { text: r.helpText, ...(r.helpMarkdown ? { markdown: r.helpMarkdown } : {}) },
    helpUri: r.helpUri,
    defaultConfiguration: { level: LEVEL[r.defaultSeverity], enabled: r.defaultSeverity !== 'off' },
    properties: { tags: [...new Set(['sip', r.id.split('-')[0].toLowerCase()])], ...(r.clause ? { clause: r.clause } : {}) },
  }));
}

function sarifTool(toolVersion: string, informationUri: string, rules: readonly SarifRuleInfo[]): object {
  return { driver: { name: 'sip-inspect', fullName: 'SIP Trace Inspector', semanticVersion: toolVersion, informationUri, rules: sarifRules(rules) } };
}

/** One result (SARIF §3.27). `ruleIndex` is left out for a rule the descriptors do not list. */
function sarifResult(r: SarifResultInput, fileIndex: number, ruleIndex: number | undefined): Record<string, unknown> {
  const res: Record<string, unknown> = {
    ruleId: r.ruleId,
    level: LEVEL[r.severity],
    message: { text: r.message },
    locations: [location(r.file, fileIndex, r.location)],
  };
  if (ruleIndex !== undefined) res.ruleIndex = ruleIndex;
  if (r.related?.length) res.relatedLocations = r.related.map((rel, i) => ({ id: i + 1, ...location(r.file, fileIndex, rel.location, rel.message) }));
  if (r.fingerprint) res.partialFingerprints = { sipInspectFinding: r.fingerprint };
  return res;
}

function sarifArtifacts(files: SarifInput['files']): object[] {
  return files.map((f) => ({
    location: { uri: toUri(f.path) },
    ...(f.format === 'log' ? { mimeType: 'text/plain' } : { mimeType: f.format === 'pcapng' ? 'application/x-pcapng' : 'application/vnd.tcpdump.pcap' }),
  }));
}

function sarifInvocations(notifications: NonNullable<SarifInput['notifications']>, fileIndex: ReadonlyMap<string, number>): object[] {
  return [
    {
      executionSuccessful: true,
      toolExecutionNotifications: notifications.map((n) => ({
        level: LEVEL[n.severity],
        message: { text: n.message },
        ...(n.location ? { locations: [location(n.file, fileIndex.get(n.file) ?? 0, n.location)] } : {}),
      })),
    },
  ];
}

const SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/**
 * The whole log as one object. The run's properties come in the order `SarifWriter` writes them
 * (results before artifacts: an artifact's MIME type is known only once its file was read).
 */
export function buildSarif(input: SarifInput): object {
  const ruleIndex = new Map(input.rules.map((r, i) => [r.id, i]));
  const fileIndex = new Map(input.files.map((f, i) => [f.path, i]));
  const run: Record<string, unknown> = {
    tool: sarifTool(input.toolVersion, input.informationUri, input.rules),
    columnKind: 'utf16CodeUnits',
    results: input.results.map((r) => sarifResult(r, fileIndex.get(r.file) ?? 0, ruleIndex.get(r.ruleId))),
    artifacts: sarifArtifacts(input.files),
  };
  if (input.notifications?.length) run.invocations = sarifInvocations(input.notifications, fileIndex);
  return { $schema: SCHEMA, version: '2.1.0', runs: [run] };
}

/**
 * Writes the same document as `JSON.stringify(buildSarif(input), null, 2)`, a piece at a time:
 * results are written as they come, so memory does not grow with their number (a 1 GB capture
 * gives hundreds of thousands; collecting them took 1.8 GB). The tool and its rules come first,
 * so the rules must be known before the first result; the files' formats only at the end.
 */
export class SarifWriter {
  private readonly ruleIndex: Map<string, number>;
  private readonly fileIndex: Map<string, number>;
  private results = 0;

  constructor(private readonly head: { toolVersion: string; informationUri: string; rules: readonly SarifRuleInfo[]; files: readonly string[] }) {
    this.ruleIndex = new Map(head.rules.map((r, i) => [r.id, i]));
    this.fileIndex = new Map(head.files.map((f, i) => [f, i]));
  }

  /** The text up to the opening of the results array. */
  begin(): string {
    const tool = nestedJson(sarifTool(this.head.toolVersion, this.head.informationUri, this.head.rules), 3);
    return `{\n  "$schema": ${JSON.stringify(SCHEMA)},\n  "version": "2.1.0",\n  "runs": [\n    {\n      "tool": ${tool},\n      "columnKind": "utf16CodeUnits",\n      "results": [`;
  }

  /** One result, with the separator before it. */
  result(r: SarifResultInput): string {
    const text = nestedJson(sarifResult(r, this.fileIndex.get(r.file) ?? 0, this.ruleIndex.get(r.ruleId)), 4);
    return `${this.results++ === 0 ? '' : ','}\n        ${text}`;
  }

  /** The rest of the document: the artifacts (each file's format) and the reading problems. */
  end(files: SarifInput['files'], notifications: NonNullable<SarifInput['notifications']>): string {
    let out = this.results === 0 ? ']' : '\n      ]';
    out += `,\n      "artifacts": ${nestedJson(sarifArtifacts(files), 3)}`;
    if (notifications.length) out += `,\n      "invocations": ${nestedJson(sarifInvocations(notifications, this.fileIndex), 3)}`;
    return out + '\n    }\n  ]\n}';
  }
}
