/**
 * Capture-point detection (catalog 2.5) and profile detection (catalog 2.6).
 */
import type { SipMessage } from '../types';
import { firstHeader } from '../sip/parser';
import type { RegisterFacts } from './facts';

/**
 * A REGISTER observed after a proxy. Primary signal: more than one Via value. Secondary signals
 * (a Path header, Max-Forwards below 70, an `integrity-protected` auth-param) count only together
 * with another one, because UE stacks sometimes produce each of them on their own (IMS-REG-015).
 */
export function isObservedDownstream(sip: SipMessage, req: RegisterFacts): boolean {
  if (req.via.count > 1) return true;
  let secondary = 0;
  if (firstHeader(sip, 'path')) secondary++;
  const mf = firstHeader(sip, 'max-forwards');
  if (mf && /^\d+$/.test(mf.value.trim()) && Number(mf.value.trim()) < 70) secondary++;
  if (req.authorization?.values.has('integrity-protected')) secondary++;
  return secondary >= 2;
}

/**
 * IMS signals (catalog 2.6): Security-Client / Security-Verify, AKA Digest, P-Access-Network-Info,
 * a Request-URI in .3gppnetwork.org. Works on any REGISTER-related message.
 */
export function hasImsSignals(sip: SipMessage): boolean {
  if (firstHeader(sip, 'security-client') || firstHeader(sip, 'security-verify') || firstHeader(sip, 'p-access-network-info')) return true;
  for (const key of ['authorization', 'www-authenticate', 'proxy-authorization', 'proxy-authenticate']) {
    const h = firstHeader(sip, key);
    if (h && /algorithm\s*=\s*"?akav[12]-md5/i.test(h.value)) return true;
  }
  const sl = sip.startLine;
  if (sl?.kind === 'request' && sl.uri?.host && /\.3gppnetwork\.org$/i.test(sl.uri.host)) return true;
  return false;
}
