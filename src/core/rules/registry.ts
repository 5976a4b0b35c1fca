/**
 * The rule registry: every implemented rule, in documentation order. Add a new rule's export
 * here (see the guide in ./index.ts).
 */
import type { Rule } from './types';
import * as tags from './oma-im-tags';
import * as headers from './oma-im-headers';
import * as omaFlow from './oma-im-flow';
import * as pub from './oma-im-pub';
import * as notices from './notices';
import * as flows from './flow';
import * as reg from './rfc3261-reg';
import * as rsp from './rfc3261-rsp';
import * as f3840 from './rfc3840';
import * as outbound from './outbound';
import * as gps from './gruu-path-sr';
import * as ims from './ims-reg';

export const ALL_RULES: readonly Rule[] = [
  tags.omaImReg001, tags.omaImReg002, tags.omaImReg003, tags.omaImReg004, tags.omaImReg005, tags.omaImReg006, tags.omaImReg007,
  headers.omaImReg008, headers.omaImReg009, headers.omaImReg010, headers.omaImReg011, headers.omaImReg012, headers.omaImReg013,
  omaFlow.omaImReg014, omaFlow.omaImReg015, tags.omaImReg016, omaFlow.omaImReg017, omaFlow.omaImReg018, omaFlow.omaImReg019,
  omaFlow.omaImReg020, omaFlow.omaImReg021, omaFlow.omaImReg022,
  omaFlow.omaImPub001, pub.omaImPub002, pub.omaImPub003, pub.omaImPub004, pub.omaImPub005, pub.omaImPub006,
  reg.rfc3261Reg001, reg.rfc3261Reg002, reg.rfc3261Reg003, reg.rfc3261Reg004, reg.rfc3261Reg005, reg.rfc3261Reg006, reg.rfc3261Reg007,
  reg.rfc3261Reg008, reg.rfc3261Reg009, reg.rfc3261Reg010, reg.rfc3261Reg011, reg.rfc3261Reg012, reg.rfc3261Reg013, reg.rfc3261Reg014,
  reg.rfc3261Reg015, reg.rfc3261Reg016, reg.rfc3261Reg017, reg.rfc3261Reg018, reg.rfc3261Reg019, reg.rfc3261Reg020, reg.rfc3261Reg021,
  reg.rfc3261Reg022, reg.rfc3261Reg023,
  rsp.rfc3261Rsp001, rsp.rfc3261Rsp002, rsp.rfc3261Rsp003, rsp.rfc3261Rsp004, rsp.rfc3261Rsp005, rsp.rfc3261Rsp006, rsp.rfc3261Rsp007,
  rsp.rfc3261Rsp008, rsp.rfc3261Rsp009, rsp.rfc3261Rsp010, rsp.rfc3261Rsp011,
  f3840.rfc3840001, f3840.rfc3840002, f3840.rfc3840003, f3840.rfc3840004, f3840.rfc3840005, f3840.rfc3840006, f3840.rfc3840007,
  f3840.rfc3841001,
  outbound.outbound001, outbound.outbound002, outbound.outbound003, outbound.outbound004, outbound.outbound005,
  gps.gruu001, gps.path001, gps.path002, gps.sr001,
  ims.imsReg001, ims.imsReg002, ims.imsReg003, ims.imsReg004, ims.imsReg005, ims.imsReg006, ims.imsReg007, ims.imsReg008, ims.imsReg009,
  ims.imsReg010, ims.imsReg011, ims.imsReg012, ims.imsReg013, ims.imsReg014, ims.imsReg015, ims.imsReg016, ims.imsReg017, ims.imsReg018,
  notices.sipParse001, notices.sipParse002, notices.class001, notices.class002,
  flows.flow001, flows.flow002, flows.flow003, flows.flow004,
];

const BY_ID = new Map(ALL_RULES.map((r) => [r.id, r]));

export function ruleById(id: string): Rule | undefined {
  return BY_ID.get(id);
}
