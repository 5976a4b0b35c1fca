/**
 * Findings and reading problems as editor diagnostics, the vscode-eslint way: the rule id in
 * `code` with a link to the rule's page, one `source`, related information pointing at the other
 * messages of the exchange (e.g. the 401 a REGISTER answers).
 */
import * as vscode from 'vscode';
import { ruleDocUrl } from '../core/rules/index';
import type { Finding, MessageLocation, Problem, Severity } from '../core/types';

export const DIAGNOSTIC_SOURCE = 'SIP Trace Inspector';

export function toSeverity(s: Severity): vscode.DiagnosticSeverity {
  switch (s) {
    case 'error':
      return vscode.DiagnosticSeverity.Error;
    case 'warning':
      return vscode.DiagnosticSeverity.Warning;
    default:
      return vscode.DiagnosticSeverity.Information;
  }
}

/** Where a span of a message is in the document that shows the trace (undefined: not shown). */
export type RangeOf = (loc: MessageLocation) => vscode.Range | undefined;

export function findingToDiagnostic(f: Finding, uri: vscode.Uri, rangeOf: RangeOf): vscode.Diagnostic | undefined {
  const range = rangeOf(f);
  if (!range) return undefined;
  const d = new vscode.Diagnostic(range, f.message, toSeverity(f.severity));
  d.source = DIAGNOSTIC_SOURCE;
  const doc = ruleDocUrl(f.ruleId);
  d.code = doc ? { value: f.ruleId, target: vscode.Uri.parse(doc) } : f.ruleId;
  const related: vscode.DiagnosticRelatedInformation[] = [];
  for (const r of f.related ?? []) {
    const rr = rangeOf(r);
    if (rr) related.push(new vscode.DiagnosticRelatedInformation(new vscode.Location(uri, rr), r.message));
  }
  if (related.length) d.relatedInformation = related;
  return d;
}

export function problemToDiagnostic(p: Problem, range: vscode.Range, message = p.message): vscode.Diagnostic {
  const d = new vscode.Diagnostic(range, message, toSeverity(p.severity));
  d.source = DIAGNOSTIC_SOURCE;
  d.code = p.code;
  return d;
}
