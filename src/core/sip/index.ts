/**
 * SIP message layer of the core: parser (start line, headers with offsets, body), the header
 * grammar table, value parsers (name-addr, Via, CSeq, tokens, products, credentials, params,
 * URIs) and the writer that formats headers and messages with the same table.
 */
export * from './framing';
export * from './headerTable';
export * from './parser';
export * from './values';
export {
  isIPv4,
  isIPv6,
  isToken,
  paramValue,
  parseParams,
  parseUri,
  quote,
  unfold,
  unquote,
  DUPLICATE_ERROR,
  MAX_PARAMS,
  type ParsedUri,
} from './uri';
export * from './writer';
