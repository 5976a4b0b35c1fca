/** REGISTER exchange model and checker (rule catalog §2). */
export { RegisterChecker } from './checker';
export type { CheckResult, ExchangeSummary, ExchangeKind, Phase, Attempt } from './model';
export { IM_TAGS } from './facts';
export { MemoryRecords } from './cold';
export type { PackedRecordStore } from './cold';
