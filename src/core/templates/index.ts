/**
 * Compliant REGISTER / PUBLISH templates (rule catalog §12, §13): generation from a blank form or
 * a trace, Digest computed locally, every template checked by the rule engine, SIPp export.
 */
export * from './model';
export * from './generate';
export * from './check';
export * from './digest';
export { md5Hex, sha256Hex } from './hash';
export * from './prefill';
export * from './sipp';
export * from './form';
export * from './session';
