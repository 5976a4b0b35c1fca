// Builds the benchmark inputs, deterministically from a seed: large captures in which tens of
// thousands of REGISTER flows (replicated from the real-software fixtures, some breaking the
// rules, some split over TCP segments or IP-fragmented) are buried in bulk non-SIP traffic
// (TCP downloads, RTP, DNS), and a large SIPp -trace_msg log.
//
// Each output file gets `<file>.truth.json`: the parameters it was built with and its ground
// truth (SIP messages written, flows, per template). A file whose truth records the same
// parameters and size is reused.
//
//   node scripts/bench/generate.mjs [--quick] [--out DIR]
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { CaptureFile, Heap, LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, PacketBuilder, TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN, host4, host6, prng, randomPool } from './packets.mjs';
import { loadCaptureTemplates, loadLogTemplates, rewriteMessage } from './seeds.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Bumped whenever the output for the same parameters changes. */
const GENERATOR_VERSION = 4;

/** Capture start: 2025-03-03T09:00:00Z. */
const T0 = Date.UTC(2025, 2, 3, 9, 0, 0) * 1000;

/** Relative weights of the capture templates (compliant flows are the common case). */
const TEMPLATE_WEIGHTS = {
  compliant: 30, 'compliant-tcp': 10, 'interval-too-brief-423-retry-ok': 5, 'baresip-register': 5,
  'compact-headers': 2, 'folded-headers': 2, 'mixed-case-headers': 2,
};
const BROKEN_WEIGHT = 2;

export const DATASETS = {
  full: [
    { id: 'pcap-1g', file: 'capture-1g.pcap', kind: 'capture', format: 'pcap', targetBytes: 1024e6, flows: 20000, seed: 1 },
    { id: 'pcap-200m', file: 'capture-200m.pcap', kind: 'capture', format: 'pcap', targetBytes: 204.8e6, flows: 4000, seed: 1 },
    { id: 'pcapng-200m', file: 'capture-200m.pcapng', kind: 'capture', format: 'pcapng', targetBytes: 204.8e6, flows: 10000, seed: 2 },
    { id: 'log-200m', file: 'sipp-200m.log', kind: 'log', targetBytes: 204.8e6, seed: 3 },
  ],
  quick: [
    { id: 'pcap-100m', file: 'capture-100m.pcap', kind: 'capture', format: 'pcap', targetBytes: 102.4e6, flows: 2000, seed: 1 },
    { id: 'pcap-20m', file: 'capture-20m.pcap', kind: 'capture', format: 'pcap', targetBytes: 20.48e6, flows: 400, seed: 1 },
    { id: 'pcapng-20m', file: 'capture-20m.pcapng', kind: 'capture', format: 'pcapng', targetBytes: 20.48e6, flows: 1000, seed: 2 },
    { id: 'log-20m', file: 'sipp-20m.log', kind: 'log', targetBytes: 20.48e6, seed: 3 },
  ],
  /**
   * Built only when named (`--only pcap-2g`): twice the 1 GB capture's length at the same
   * density (400 s), to show whether `check`'s memory still grows past the 1 GB file.
   */
  extra: [{ id: 'pcap-2g', file: 'capture-2g.pcap', kind: 'capture', format: 'pcap', targetBytes: 2048e6, flows: 40000, seed: 1 }],
};

/** Mix of the non-SIP bytes and traffic shape. */
const MIX = {
  /** Flows started per second of capture time (sets the capture's duration). */
  flowsPerSec: 100,
  rtpShare: 0.4,
  bulkShare: 0.58,
  dnsShare: 0.02,
  /** Share of flows over IPv6, over TCP (UDP templates), of UDP messages IP-fragmented (576-byte MTU), of TCP messages split over segments. */
  ipv6: 0.1,
  tcp: 0.35,
  fragment: 0.05,
  split: 0.25,
  /** Share of flows captured on the second (Linux cooked, ns) interface of a pcapng. */
  secondIface: 0.5,
};

function seedsHash() {
  const h = createHash('sha256');
  for (const t of loadCaptureTemplates(ROOT)) for (const m of t.messages) h.update(m.text);
  for (const t of loadLogTemplates(ROOT)) for (const m of t.messages) h.update(m.text);
  return h.digest('hex').slice(0, 16);
}

function token(rnd, n = 10) {
  let s = '';
  for (let i = 0; i < n; i++) s += 'abcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(rnd() * 36)];
  return s;
}

/** A template message as rewritten for a typical flow (to size the files). */
function sampleRewrite(text, tpl) {
  const f = { id: 12345, user: 'u012345', transport: 'UDP', client: { ip: '10.64.48.57', port: 5060 }, server: { ip: '198.51.100.10', port: 5060 }, ids: new Map(), token: () => 'abcdefghij' };
  return rewriteMessage(text, f, tpl);
}

function pickWeighted(rnd, items, weights, total) {
  let x = rnd() * total;
  for (let i = 0; i < items.length; i++) {
    x -= weights[i];
    if (x < 0) return items[i];
  }
  return items[items.length - 1];
}

// ---------------------------------------------------------------------------------------------
// Captures
// ---------------------------------------------------------------------------------------------

function generateCapture(ds, path) {
  const rnd = prng(ds.seed * 7919 + 17);
  const pool = randomPool(8 << 20, ds.seed * 31 + 5);
  const templates = loadCaptureTemplates(ROOT);
  const weights = templates.map((t) => TEMPLATE_WEIGHTS[t.name] ?? BROKEN_WEIGHT);
  const weightTotal = weights.reduce((a, b) => a + b, 0);
  const pcapng = ds.format === 'pcapng';
  const ifaces = pcapng
    ? [{ linkType: LINKTYPE_ETHERNET, nanos: false, name: 'eth0' }, { linkType: LINKTYPE_LINUX_SLL, nanos: true, name: 'any' }]
    : [{ linkType: LINKTYPE_ETHERNET, nanos: false, name: 'eth0' }];
  const out = new CaptureFile(path, ds.format, ifaces);
  const pb = new PacketBuilder();
  const heap = new Heap();
  const truth = { sipMessages: 0, sipFlows: 0, byTransport: { UDP: 0, TCP: 0 }, fragmentedMessages: 0, splitMessages: 0, ipv6Flows: 0, perTemplate: {}, frames: { sip: 0, rtp: 0, bulkTcp: 0, dns: 0 } };

  // Estimate the SIP bytes to size the non-SIP traffic around them.
  // Frame overhead per message: record, Ethernet, IP and UDP headers; TCP flows add an ACK per message.
  const avgFlowBytes = templates.reduce((s, t, i) => s + weights[i] * t.messages.reduce((a, m) => a + sampleRewrite(m.text, t).length + 60, 0), 0) / weightTotal;
  const sipBytes = ds.flows * avgFlowBytes;
  const rest = Math.max(ds.targetBytes - sipBytes, ds.targetBytes * 0.2);
  const duration = (ds.flows / MIX.flowsPerSec) * 1e6; // µs
  const tEnd = T0 + duration;
  let lastT = T0;
  const emit = (t, iface, len) => {
    lastT = t;
    out.write(t, iface, pb.f, len);
  };

  // --- SIP flows ------------------------------------------------------------------------------
  const registrars4 = [host4(198, 51, 100, 10), host4(198, 51, 100, 11)];
  const registrars6 = [host6([0x2001, 0xdb8, 0xff, 0], 0x10), host6([0x2001, 0xdb8, 0xff, 0], 0x11)];
  const starts = [];
  // Flows start while the bulk traffic runs, leaving their last seconds to finish.
  for (let i = 0; i < ds.flows; i++) starts.push(T0 + Math.floor(rnd() * Math.max(duration * 0.5, duration - 5e6)));
  starts.sort((a, b) => a - b);

  function makeFlow(id, start) {
    const tpl = pickWeighted(rnd, templates, weights, weightTotal);
    const v6 = rnd() < MIX.ipv6;
    const transport = tpl.transport === 'tcp' || rnd() < MIX.tcp ? 'TCP' : 'UDP';
    const client = v6 ? host6([0x2001, 0xdb8, 0x1, (id >>> 16) & 0xffff], 0x1000 + id) : host4(10, 64 + ((id >>> 16) & 63), (id >>> 8) & 255, id & 255 || 1);
    const server = v6 ? registrars6[id & 1] : registrars4[id & 1];
    const cport = transport === 'TCP' ? 32768 + Math.floor(rnd() * 28000) : rnd() < 0.5 ? 5060 : 1024 + Math.floor(rnd() * 60000);
    const f = {
      id, user: `u${String(id).padStart(6, '0')}`, transport,
      client: { ip: client.ip, port: cport }, server: { ip: server.ip, port: 5060 },
      ids: new Map(), token: () => token(rnd),
    };
    const iface = pcapng && rnd() < MIX.secondIface ? 1 : 0;
    const link = ifaces[iface].linkType;
    truth.sipFlows++;
    truth.perTemplate[tpl.name] = (truth.perTemplate[tpl.name] ?? 0) + 1;
    if (v6) truth.ipv6Flows++;
    const steps = [];
    let t = start;
    const at = (dt) => {
      t = Math.max(t + 1, dt);
      return t;
    };
    const msgs = tpl.messages.map((m) => ({ c2s: m.c2s, usec: start + m.usec, bytes: Buffer.from(rewriteMessage(m.text, f, tpl), 'latin1') }));
    if (transport === 'UDP') {
      for (const m of msgs) {
        const [s, sp, d, dp] = m.c2s ? [client, cport, server, 5060] : [server, 5060, client, cport];
        truth.sipMessages++;
        truth.byTransport.UDP++;
        if (!v6 && m.bytes.length > 600 && rnd() < MIX.fragment) {
          truth.fragmentedMessages++;
          steps.push({ t: at(m.usec), run: () => pb.udpFragments(link, s, sp, d, dp, m.bytes, 552, (len) => emit(t0(), iface, len)) });
        } else {
          steps.push({ t: at(m.usec), run: () => emit(t0(), iface, pb.udp(link, s, sp, d, dp, m.bytes, 0, m.bytes.length)) });
        }
      }
    } else {
      let cseq = Math.floor(rnd() * 0xffffffff), sseq = Math.floor(rnd() * 0xffffffff);
      let ts = Math.floor(rnd() * 1e9);
      const seg = (c2s, flags, bytes, from, n) => {
        const [s, sp, d, dp] = c2s ? [client, cport, server, 5060] : [server, 5060, client, cport];
        const seq = c2s ? cseq : sseq, ack = c2s ? sseq : cseq;
        const len = pb.tcp(link, s, sp, d, dp, seq, ack, flags, bytes, from, n, ts++);
        const adv = n + (flags & (TCP_SYN | TCP_FIN) ? 1 : 0);
        if (c2s) cseq = (cseq + adv) >>> 0;
        else sseq = (sseq + adv) >>> 0;
        return len;
      };
      const none = Buffer.alloc(0);
      const hs = at(start - 3000);
      steps.push({ t: hs, run: () => emit(t0(), iface, seg(true, TCP_SYN, none, 0, 0)) });
      steps.push({ t: at(hs + 80), run: () => emit(t0(), iface, seg(false, TCP_SYN | TCP_ACK, none, 0, 0)) });
      steps.push({ t: at(hs + 160), run: () => emit(t0(), iface, seg(true, TCP_ACK, none, 0, 0)) });
      for (const m of msgs) {
        truth.sipMessages++;
        truth.byTransport.TCP++;
        const n = m.bytes.length;
        const cuts = [0];
        if (rnd() < MIX.split) {
          truth.splitMessages++;
          const k = rnd() < 0.7 ? 2 : 3;
          for (let i = 1; i < k; i++) cuts.push(Math.max(cuts[i - 1] + 1, Math.floor((n * i) / k + (rnd() - 0.5) * (n / k))));
        }
        cuts.push(n);
        t = Math.max(t, m.usec);
        for (let i = 0; i + 1 < cuts.length; i++) {
          const a = cuts[i], b = cuts[i + 1];
          steps.push({ t: at(t + (i === 0 ? 0 : 40)), run: () => emit(t0(), iface, seg(m.c2s, TCP_ACK | TCP_PSH, m.bytes, a, b - a)) });
        }
        steps.push({ t: at(t + 30), run: () => emit(t0(), iface, seg(!m.c2s, TCP_ACK, none, 0, 0)) });
      }
      const fin = at(t + 20000);
      steps.push({ t: fin, run: () => emit(t0(), iface, seg(true, TCP_FIN | TCP_ACK, none, 0, 0)) });
      steps.push({ t: at(fin + 60), run: () => emit(t0(), iface, seg(false, TCP_FIN | TCP_ACK, none, 0, 0)) });
      steps.push({ t: at(fin + 120), run: () => emit(t0(), iface, seg(true, TCP_ACK, none, 0, 0)) });
    }
    return { steps, i: 0 };
  }

  // The time of the step being run (steps read it when they emit).
  let now = T0;
  const t0 = () => now;

  const flowSpawner = {
    next: 0,
    fire() {
      const flow = makeFlow(this.next, starts[this.next]);
      heap.push({ flow, fire: fireFlow }, flow.steps[0].t);
      this.next++;
      return this.next < starts.length ? starts[this.next] : -1;
    },
  };
  function fireFlow() {
    const f = this.flow;
    f.steps[f.i++].run();
    truth.frames.sip++;
    return f.i < f.steps.length ? f.steps[f.i].t : -1;
  }
  if (starts.length) heap.push(flowSpawner, starts[0]);

  // --- RTP ------------------------------------------------------------------------------------
  const rtpFrameBytes = 14 + 20 + 8 + 12 + 160 + 16;
  const rtpPps = (rest * MIX.rtpShare) / rtpFrameBytes / (duration / 1e6);
  // Two streams (one per direction) of 50 packets per second per call.
  const concurrentCalls = Math.max(1, Math.round(rtpPps / 100));
  const meanCall = 60e6;
  const gateways = [host4(203, 0, 113, 20), host4(203, 0, 113, 21), host4(203, 0, 113, 22)];
  let rtpCalls = 0;
  function startCall(t, remaining) {
    const id = rtpCalls++;
    const a = host4(10, 20, (id >>> 8) & 255, (id & 255) || 7);
    const g = gateways[id % gateways.length];
    const pa = 10000 + 2 * Math.floor(rnd() * 5000), pg = 20000 + 2 * Math.floor(rnd() * 5000);
    const end = t + remaining;
    const iface = pcapng ? 1 : 0;
    for (const [s, sp, d, dp] of [[a, pa, g, pg], [g, pg, a, pa]]) {
      const stream = {
        s, sp, d, dp, end, iface, seq: Math.floor(rnd() * 65536), ts: Math.floor(rnd() * 0xffffffff), ssrc: Math.floor(rnd() * 0xffffffff),
        hdr: Buffer.alloc(172),
        fire() {
          const h = this.hdr;
          h[0] = 0x80;
          h[1] = 8; // PCMA
          h.writeUInt16BE(this.seq, 2);
          h.writeUInt32BE(this.ts >>> 0, 4);
          h.writeUInt32BE(this.ssrc >>> 0, 8);
          pool.copy(h, 12, (this.seq * 160) % (pool.length - 160), ((this.seq * 160) % (pool.length - 160)) + 160);
          this.seq = (this.seq + 1) & 0xffff;
          this.ts = (this.ts + 160) >>> 0;
          emit(now, this.iface, pb.udp(ifaces[this.iface].linkType, this.s, this.sp, this.d, this.dp, h, 0, 172));
          truth.frames.rtp++;
          const next = now + 20000 + Math.floor((rnd() - 0.5) * 400);
          return next < this.end && next < tEnd ? next : -1;
        },
      };
      heap.push(stream, t + Math.floor(rnd() * 20000));
    }
  }
  for (let i = 0; i < concurrentCalls; i++) startCall(T0, Math.floor(rnd() * 2 * meanCall));
  heap.push({
    fire() {
      startCall(now, 20e6 + Math.floor(rnd() * 2 * (meanCall - 20e6)));
      const next = now + Math.floor((-Math.log(1 - rnd()) * meanCall) / concurrentCalls);
      return next < tEnd ? next : -1;
    },
  }, T0 + 1000);

  // --- Bulk TCP downloads ----------------------------------------------------------------------
  const bulkRate = (rest * MIX.bulkShare) / (duration / 1e6);
  const slots = Math.max(1, Math.round(bulkRate / 1.2e6));
  const perConnRate = bulkRate / slots;
  const servers = [host4(198, 51, 100, 80), host4(198, 51, 100, 81), host4(192, 0, 2, 44)];
  let conns = 0;
  function bulkSlot() {
    const slot = {
      phase: 0, iface: 0,
      fire() {
        return this.step();
      },
      open() {
        const id = conns++;
        this.c = host4(10, 30, (id >>> 8) & 255, (id & 255) || 3);
        this.s = servers[id % servers.length];
        this.cp = 40000 + Math.floor(rnd() * 20000);
        this.sp = id % 3 === 0 ? 80 : 443;
        this.cseq = Math.floor(rnd() * 0xffffffff);
        this.sseq = Math.floor(rnd() * 0xffffffff);
        this.left = Math.floor(256e3 + rnd() * 24e6);
        this.gap = Math.max(200, Math.floor((1448 / (perConnRate * (0.6 + rnd() * 0.8))) * 1e6));
        this.sent = 0;
        this.ts = Math.floor(rnd() * 1e9);
        this.poolAt = Math.floor(rnd() * (pool.length - 70000));
        this.phase = 1;
      },
      seg(c2s, flags, buf, from, n) {
        const [s, sp, d, dp] = c2s ? [this.c, this.cp, this.s, this.sp] : [this.s, this.sp, this.c, this.cp];
        const seq = c2s ? this.cseq : this.sseq, ack = c2s ? this.sseq : this.cseq;
        const adv = n + (flags & (TCP_SYN | TCP_FIN) ? 1 : 0);
        if (c2s) this.cseq = (this.cseq + adv) >>> 0;
        else this.sseq = (this.sseq + adv) >>> 0;
        emit(now, this.iface, pb.tcp(ifaces[this.iface].linkType, s, sp, d, dp, seq, ack, flags, buf, from, n, this.ts++));
        truth.frames.bulkTcp++;
      },
      step() {
        if (now >= tEnd && this.phase <= 1) return -1;
        switch (this.phase) {
          case 0:
            this.open();
            return now;
          case 1:
            this.seg(true, TCP_SYN, pool, 0, 0);
            this.phase = 2;
            return now + 150;
          case 2:
            this.seg(false, TCP_SYN | TCP_ACK, pool, 0, 0);
            this.phase = 3;
            return now + 150;
          case 3: {
            this.seg(true, TCP_ACK, pool, 0, 0);
            const req = Buffer.from(this.sp === 80
              ? `GET /files/blob-${conns}.bin HTTP/1.1\r\nHost: mirror.example.com\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n`
              : '\x16\x03\x01\x00\xc8\x01\x00\x00\xc4\x03\x03' + pool.toString('latin1', this.poolAt, this.poolAt + 197), 'latin1');
            this.seg(true, TCP_ACK | TCP_PSH, req, 0, req.length);
            this.phase = 4;
            return now + 3000;
          }
          case 4: {
            // Server data, the client ACKing every second segment.
            let n = Math.min(1448, this.left);
            if (this.sent === 0 && this.sp === 80) {
              const head = Buffer.from(`HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: application/octet-stream\r\nContent-Length: ${this.left}\r\n\r\n`, 'latin1');
              const b = Buffer.alloc(1448);
              head.copy(b);
              pool.copy(b, head.length, this.poolAt, this.poolAt + 1448 - head.length);
              n = 1448;
              this.seg(false, TCP_ACK, b, 0, n);
            } else {
              this.seg(false, TCP_ACK | (n < 1448 ? TCP_PSH : 0), pool, this.poolAt + (this.sent % 65536), n);
            }
            this.sent += n;
            this.left -= n;
            if ((this.sent / 1448) % 2 < 1) this.seg(true, TCP_ACK, pool, 0, 0);
            if (this.left <= 0 || now >= tEnd) {
              this.phase = 5;
              return now + 200;
            }
            return now + this.gap + Math.floor(rnd() * 50);
          }
          case 5:
            this.seg(false, TCP_FIN | TCP_ACK, pool, 0, 0);
            this.phase = 6;
            return now + 100;
          case 6:
            this.seg(true, TCP_FIN | TCP_ACK, pool, 0, 0);
            this.phase = 7;
            return now + 100;
          default:
            this.seg(false, TCP_ACK, pool, 0, 0);
            this.phase = 0;
            return now + 10000 + Math.floor(rnd() * 500000);
        }
      },
    };
    return slot;
  }
  for (let i = 0; i < slots; i++) heap.push(bulkSlot(), T0 + Math.floor(rnd() * 100000));

  // --- DNS --------------------------------------------------------------------------------------
  const dnsServer = host4(10, 0, 0, 53);
  const dnsRate = (rest * MIX.dnsShare) / 200 / (duration / 1e6); // queries per second
  const dnsQuery = Buffer.alloc(512);
  heap.push({
    fire() {
      const id = Math.floor(rnd() * 65536);
      const c = host4(10, 40, Math.floor(rnd() * 256), 1 + Math.floor(rnd() * 250));
      const cp = 1024 + Math.floor(rnd() * 60000);
      const name = `host${Math.floor(rnd() * 5000)}.svc${Math.floor(rnd() * 40)}.example.com`;
      const aaaa = rnd() < 0.3;
      let q = 12;
      dnsQuery.writeUInt16BE(id, 0);
      dnsQuery.writeUInt16BE(0x0100, 2);
      dnsQuery.writeUInt16BE(1, 4);
      dnsQuery.writeUInt16BE(0, 6);
      dnsQuery.writeUInt32BE(0, 8);
      for (const label of name.split('.')) {
        dnsQuery[q++] = label.length;
        q += dnsQuery.write(label, q, 'latin1');
      }
      dnsQuery[q++] = 0;
      dnsQuery.writeUInt16BE(aaaa ? 28 : 1, q);
      dnsQuery.writeUInt16BE(1, q + 2);
      q += 4;
      emit(now, 0, pb.udp(ifaces[0].linkType, c, cp, dnsServer, 53, dnsQuery, 0, q));
      truth.frames.dns++;
      // The answer: same question, one record.
      const ans = Buffer.alloc(q + 16 + (aaaa ? 16 : 4));
      dnsQuery.copy(ans, 0, 0, q);
      ans.writeUInt16BE(0x8180, 2);
      ans.writeUInt16BE(1, 6);
      let a = q;
      ans.writeUInt16BE(0xc00c, a);
      ans.writeUInt16BE(aaaa ? 28 : 1, a + 2);
      ans.writeUInt16BE(1, a + 4);
      ans.writeUInt32BE(300, a + 6);
      ans.writeUInt16BE(aaaa ? 16 : 4, a + 10);
      pool.copy(ans, a + 12, id, id + (aaaa ? 16 : 4));
      a += 12 + (aaaa ? 16 : 4);
      const reply = now + 300 + Math.floor(rnd() * 4000);
      heap.push({
        fire() {
          emit(now, 0, pb.udp(ifaces[0].linkType, dnsServer, 53, c, cp, ans, 0, a));
          truth.frames.dns++;
          return -1;
        },
      }, reply);
      const next = now + Math.max(1, Math.floor((-Math.log(1 - rnd()) * 1e6) / dnsRate));
      return next < tEnd ? next : -1;
    },
  }, T0 + 500);

  // --- run --------------------------------------------------------------------------------------
  while (heap.size > 0) {
    const src = heap.pop();
    now = src.t;
    if (now < lastT) now = lastT; // never write time backwards
    const next = src.fire();
    if (next >= 0) heap.push(src, Math.max(next, now));
  }
  out.close(lastT);
  truth.frames.total = out.frames;
  truth.captureSeconds = Math.round((lastT - T0) / 1e3) / 1e3;
  return truth;
}

// ---------------------------------------------------------------------------------------------
// SIPp -trace_msg log
// ---------------------------------------------------------------------------------------------

function sippTime(usec) {
  const d = new Date(Math.floor(usec / 1000));
  const iso = d.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${String(usec % 1e6).padStart(6, '0')}`;
}

function generateLog(ds, path) {
  const rnd = prng(ds.seed * 104729 + 3);
  const templates = loadLogTemplates(ROOT);
  const entryBytes = (t) => t.messages.reduce((a, m) => a + sampleRewrite(m.text, t).length + 108, 0);
  const avg = templates.reduce((a, t) => a + entryBytes(t), 0) / templates.length;
  const flows = Math.round(ds.targetBytes / avg);
  const duration = (flows / MIX.flowsPerSec) * 1e6;
  const truth = { sipMessages: 0, sipFlows: 0, perTemplate: {} };
  const fd = openSync(path, 'w');
  let chunk = [];
  let chunkLen = 0;
  const write = (s) => {
    chunk.push(s);
    chunkLen += s.length;
    if (chunkLen > 4 << 20) {
      writeSync(fd, Buffer.from(chunk.join(''), 'latin1'));
      chunk = [];
      chunkLen = 0;
    }
  };
  const starts = [];
  for (let i = 0; i < flows; i++) starts.push(T0 + Math.floor(rnd() * duration));
  starts.sort((a, b) => a - b);
  const heap = new Heap();
  const spawner = {
    next: 0,
    fire() {
      const id = this.next++;
      const tpl = templates[Math.floor(rnd() * templates.length)];
      const f = {
        id, user: `u${String(id).padStart(6, '0')}`, transport: tpl.transport,
        client: { ip: `10.${64 + ((id >>> 16) & 63)}.${(id >>> 8) & 255}.${id & 255 || 1}`, port: 5062 }, server: { ip: '198.51.100.10', port: 5060 },
        ids: new Map(), token: () => token(rnd),
      };
      truth.sipFlows++;
      truth.perTemplate[tpl.name] = (truth.perTemplate[tpl.name] ?? 0) + 1;
      const start = this.t;
      const flow = {
        i: 0,
        fire() {
          const m = tpl.messages[this.i++];
          const text = rewriteMessage(m.text, f, tpl);
          const n = Buffer.byteLength(text, 'latin1');
          write(`----------------------------------------------- ${sippTime(this.t)}\n${tpl.transport} message ${m.c2s ? `sent (${n} bytes)` : `received [${n}] bytes `}:\n\n${text}\n`);
          truth.sipMessages++;
          return this.i < tpl.messages.length ? Math.max(this.t + 1, start + tpl.messages[this.i].usec) : -1;
        },
      };
      heap.push(flow, start);
      return this.next < starts.length ? starts[this.next] : -1;
    },
  };
  if (starts.length) heap.push(spawner, starts[0]);
  while (heap.size > 0) {
    const src = heap.pop();
    const next = src.fire();
    if (next >= 0) heap.push(src, next);
  }
  if (chunk.length) writeSync(fd, Buffer.from(chunk.join(''), 'latin1'));
  closeSync(fd);
  return truth;
}

// ---------------------------------------------------------------------------------------------

/** Builds (or reuses) one dataset; returns { path, truth }. */
export function ensureDataset(ds, outDir, log = console.log) {
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, ds.file);
  const truthPath = `${path}.truth.json`;
  const params = { ...ds, generator: GENERATOR_VERSION, mix: MIX, seeds: seedsHash() };
  if (existsSync(path) && existsSync(truthPath)) {
    try {
      const old = JSON.parse(readFileSync(truthPath, 'utf8'));
      if (JSON.stringify(old.params) === JSON.stringify(params) && statSync(path).size === old.bytes) {
        log(`  reuse ${path} (${(old.bytes / 1e6).toFixed(1)} MB, ${old.truth.sipMessages} SIP messages)`);
        return { path, truth: old.truth, bytes: old.bytes };
      }
    } catch {
      // rebuild
    }
  }
  log(`  build ${path} ...`);
  const t = Date.now();
  const tmp = `${path}.partial`;
  const truth = ds.kind === 'log' ? generateLog(ds, tmp) : generateCapture(ds, tmp);
  renameSync(tmp, path);
  const bytes = statSync(path).size;
  writeFileSync(truthPath, JSON.stringify({ params, bytes, truth }, null, 2) + '\n');
  log(`  built ${path}: ${(bytes / 1e6).toFixed(1)} MB, ${truth.sipMessages} SIP messages in ${truth.sipFlows} flows (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  return { path, truth, bytes };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const outIdx = args.indexOf('--out');
  const outDir = outIdx >= 0 ? resolve(args[outIdx + 1]) : join(ROOT, 'bench-data', quick ? 'quick' : '');
  const only = args.filter((a, i) => !a.startsWith('--') && (outIdx < 0 || i !== outIdx + 1));
  const sets = quick ? DATASETS.quick : only.length ? [...DATASETS.full, ...DATASETS.extra] : DATASETS.full;
  for (const ds of sets) if (only.length === 0 || only.includes(ds.id)) ensureDataset(ds, outDir);
}
