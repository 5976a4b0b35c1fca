/**
 * Link layers: LINKTYPE_* values (https://www.tcpdump.org/linktypes.html) and the link-layer
 * header walks that lead to an EtherType. The walks return a packed number instead of an object
 * (no allocation per packet): `offset * 0x10000 + etherType`, or -1 when the frame carries
 * nothing this tool decodes.
 */

export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
/** DLT_RAW as some BSDs write it into pcap files. */
export const LINKTYPE_RAW_BSD12 = 12;
export const LINKTYPE_RAW_BSD14 = 14;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_QINQ = 0x88a8;
/** Pre-standard QinQ outer tags still seen on older switches. */
export const ETHERTYPE_QINQ_OLD = 0x9100;
export const ETHERTYPE_QINQ_OLD2 = 0x9200;
/** Transparent Ethernet Bridging: an Ethernet frame inside GRE (RFC 1701). */
export const ETHERTYPE_TEB = 0x6558;
export const ETHERTYPE_PPPOE_SESSION = 0x8864;
export const ETHERTYPE_MPLS = 0x8847;
export const ETHERTYPE_MPLS_MULTICAST = 0x8848;
/** PPP protocol numbers (RFC 1661 §2): IPv4 and IPv6. */
export const PPP_IPV4 = 0x0021;
export const PPP_IPV6 = 0x0057;
/** PPP inside PPTP's enhanced GRE (RFC 2637). */
export const ETHERTYPE_PPP = 0x880b;
/** ERSPAN type I/II inside GRE. */
export const ETHERTYPE_ERSPAN = 0x88be;

/** ARPHRD_NETLINK: the SLL "protocol" is then a netlink family, not an EtherType. */
const ARPHRD_NETLINK = 824;

const NAMES: Record<number, string> = {
  0: 'NULL', 1: 'ETHERNET', 6: 'IEEE802_5', 9: 'PPP', 10: 'FDDI', 12: 'RAW', 14: 'RAW', 50: 'PPP_HDLC', 51: 'PPP_ETHER',
  101: 'RAW', 104: 'C_HDLC', 105: 'IEEE802_11', 108: 'LOOP', 113: 'LINUX_SLL', 117: 'PFLOG', 119: 'IEEE802_11_PRISM',
  127: 'IEEE802_11_RADIOTAP', 147: 'USER0', 187: 'BLUETOOTH_HCI_H4', 189: 'USB_LINUX', 192: 'PPI', 195: 'IEEE802_15_4',
  201: 'BLUETOOTH_HCI_H4_WITH_PHDR', 220: 'USB_LINUX_MMAPPED', 228: 'IPV4', 229: 'IPV6', 249: 'USBPCAP', 252: 'WIRESHARK_UPPER_PDU',
  253: 'NETLINK', 263: 'NFLOG', 276: 'LINUX_SLL2',
};

/** `LINKTYPE_NAME (n)` for messages. */
export function linkTypeName(linkType: number): string {
  const name = NAMES[linkType];
  return name ? `LINKTYPE_${name} (${linkType})` : `link type ${linkType}`;
}

/**
 * From an EtherType at `d[p-2..p)` with the payload at `p`: skips 802.1Q, 802.1ad and the
 * pre-standard 0x9100/0x9200 tags (stacked, QinQ), 802.2 LLC/SNAP encapsulation, PPPoE
 * sessions and MPLS label stacks.
 */
export function walkEtherType(d: Uint8Array, p: number, end: number, type: number): number {
  for (;;) {
    if (type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ || type === ETHERTYPE_QINQ_OLD || type === ETHERTYPE_QINQ_OLD2) {
      if (end - p < 4) return -1;
      type = (d[p + 2] << 8) | d[p + 3];
      p += 4;
      continue;
    }
    if (type === ETHERTYPE_PPPOE_SESSION) {
      // PPPoE session stage (RFC 2516 §4): 6-byte header, then a 2-byte PPP protocol.
      if (end - p < 8) return -1;
      const proto = (d[p + 6] << 8) | d[p + 7];
      p += 8;
      if (proto === PPP_IPV4) return p * 0x10000 + ETHERTYPE_IPV4;
      if (proto === PPP_IPV6) return p * 0x10000 + ETHERTYPE_IPV6;
      return -1;
    }
    if (type === ETHERTYPE_MPLS || type === ETHERTYPE_MPLS_MULTICAST) {
      // MPLS label stack (RFC 3032): 4 bytes per label until the bottom-of-stack bit. What
      // follows has no type field; like Wireshark, take it as IP when the version nibble says so.
      for (;;) {
        if (end - p < 4) return -1;
        const bottom = d[p + 2] & 1;
        p += 4;
        if (bottom) break;
      }
      if (end - p < 1) return -1;
      const v = d[p] >> 4;
      return v === 4 ? p * 0x10000 + ETHERTYPE_IPV4 : v === 6 ? p * 0x10000 + ETHERTYPE_IPV6 : -1;
    }
    if (type <= 1500) {
      // IEEE 802.3 length field: only SNAP (AA AA 03, OUI, EtherType) carries an EtherType.
      if (end - p < 8 || d[p] !== 0xaa || d[p + 1] !== 0xaa || d[p + 2] !== 0x03) return -1;
      type = (d[p + 6] << 8) | d[p + 7];
      p += 8;
      if (type <= 1500) return -1;
      continue;
    }
    return p * 0x10000 + type;
  }
}

/** Ethernet II header at `p`. */
export function walkEthernet(d: Uint8Array, p: number, end: number): number {
  if (end - p < 14) return -1;
  return walkEtherType(d, p + 14, end, (d[p + 12] << 8) | d[p + 13]);
}

/** Linux cooked capture v1 (16-byte header at `s`, protocol at 14). */
export function walkSll(d: Uint8Array, end: number, s = 0): number {
  if (end - s < 16) return -1;
  if (((d[s + 2] << 8) | d[s + 3]) === ARPHRD_NETLINK) return -1;
  return walkEtherType(d, s + 16, end, (d[s + 14] << 8) | d[s + 15]);
}

/** Linux cooked capture v2 (20-byte header at `s`, protocol at 0). */
export function walkSll2(d: Uint8Array, end: number, s = 0): number {
  if (end - s < 20) return -1;
  if (((d[s + 8] << 8) | d[s + 9]) === ARPHRD_NETLINK) return -1;
  return walkEtherType(d, s + 20, end, (d[s] << 8) | d[s + 1]);
}

/**
 * BSD loopback (NULL: the family in the capturing host's byte order; LOOP: network order). The
 * family is small, so whichever reading leaves the upper half zero is the right one. AF_INET6 is
 * 10 (Linux), 23 (Windows), 24 (NetBSD/OpenBSD), 26 (Solaris), 28 (FreeBSD), 30 (macOS).
 */
export function walkNull(d: Uint8Array, end: number, s = 0): number {
  if (end - s < 4) return -1;
  let fam = ((d[s] << 24) | (d[s + 1] << 16) | (d[s + 2] << 8) | d[s + 3]) >>> 0;
  if (fam > 0xffff) fam = ((d[s + 3] << 24) | (d[s + 2] << 16) | (d[s + 1] << 8) | d[s]) >>> 0;
  if (fam === 2) return (s + 4) * 0x10000 + ETHERTYPE_IPV4;
  if (fam === 10 || fam === 23 || fam === 24 || fam === 26 || fam === 28 || fam === 30) return (s + 4) * 0x10000 + ETHERTYPE_IPV6;
  return -1;
}
