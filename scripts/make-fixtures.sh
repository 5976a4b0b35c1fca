#!/usr/bin/env bash
# Regenerates the SIP fixtures of the unit tests from REAL SIP software on this machine:
# Kamailio (registrar), SIPp (scripted OMA SIMPLE IM REGISTER flows), baresip (a real UA),
# small Node scripts for bytes SIPp cannot write, tcpdump/dumpcap for captures.
#
#   bash scripts/make-fixtures.sh        (or: npm run fixtures)
#
# Needs root (network namespaces), kamailio, sipp (sip-tester), baresip, tcpdump, dumpcap,
# tshark, capinfos and node. Everything runs inside two network namespaces created here
# (private loopback; a veth pair in 192.0.2.0/24 and 2001:db8::/64); nothing binds to the
# host's interfaces, and the namespaces are deleted on exit. Every process started here is
# stopped by its PID.
#
# Outputs (all committed, each a few KB):
#   test/fixtures/captures/**          pcap / pcapng captures (+ rewritten link types)
#   test/fixtures/logs/generated/**    SIPp -trace_msg logs, Kamailio log, baresip log
#   test/fixtures/MANIFEST.json        what every fixture is (scripts/fixtures/manifest.js)
#   samples/**                         a few realistic traces for people to open
#
# Deterministic where possible: Call-IDs, tags, branches and client ports are fixed in the SIPp
# scenarios and the Node clients. Timestamps, Digest nonces, SIPp's cnonce, SIPp's TCP source port
# and everything baresip chooses (Call-ID, tags, CSeq, Contact user) differ between runs.
#
# What real tools here cannot produce, and how this script deals with it (no faking):
# - Folded header lines, odd header-name case, compact forms, messages cut into or coalesced in TCP
#   segments: SIPp strips leading whitespace and sends one message per write, so
#   scripts/fixtures/raw-sip-client.js writes those bytes with plain Node sockets.
# - SIPp matches answers by Call-ID; the settings PUBLISH gets its own Call-ID only through SIPp's
#   "text///[call_id]" prefix, so it reads pub///fx-<scenario>-reg@fixture.invalid (a legal Call-ID).
# - Linux never writes NULL (0), LOOP (108) or raw-IP (101) link headers on these interfaces, big-endian
#   pcap, 802.1Q/QinQ tags on a veth, reordered or retransmitted TCP segments on loopback, or a file
#   cut mid-record: scripts/fixtures/pcap-rewrite.js rewrites real captures for those (marked
#   "rewritten" in MANIFEST.json). A live raw-IP capture would need a tun device held open by a
#   program (Node cannot issue the TUNSETIFF ioctl) and ipip/gre tunnel devices are not available in
#   this kernel, so the two-interface pcapng pairs Ethernet (veth) with Linux cooked v2 (any).
# - IPv6 cannot run on a link with MTU 576 (minimum 1280): the IPv6 fragments come from a 1280 link
#   MTU, the IPv4 fragments from a 576-byte host route.
# - Kamailio accepts `Require: pref` (no 420), so OMA-IM-REG-022 has no fixture here.
# - baresip 1.0.0 cannot be made to send the IM tags or an IM-client User-Agent (its User-Agent is fixed;
#   `-u <extra UA params>` and the account option `;cuser=` were tried and leave the Contact unchanged),
#   so its capture is a plain SIP UA (it breaks the OMA IM rules listed in MANIFEST.json).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FX="$ROOT/scripts/fixtures"
CAP="$ROOT/test/fixtures/captures"
LOGS="$ROOT/test/fixtures/logs/generated"
SAMPLES="$ROOT/samples"
KCFG="$FX/kamailio/kamailio.cfg"
WORK=$(mktemp -d /tmp/sti-fixtures.XXXXXX)
NS_REG="stifx-reg-$$"      # registrar side: Kamailio, loopback flows, baresip
NS_UE="stifx-ue-$$"        # client side of the veth pair
# The veth ends are created directly inside the namespaces, so fixed names cannot collide.
VETH_REG="veth-reg"        # veth end in NS_REG (192.0.2.1, 2001:db8::1)
VETH_UE="veth-ue"          # veth end in NS_UE  (192.0.2.10, 2001:db8::10)
KAM_PID=""
declare -a BG_PIDS=()

log() { printf '[fixtures] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

cleanup() {
  local rc=$?
  set +e
  for pid in "${BG_PIDS[@]}" $KAM_PID; do
    if kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null; fi
  done
  for pid in "${BG_PIDS[@]}" $KAM_PID; do wait "$pid" 2>/dev/null; done
  ip netns del "$NS_REG" 2>/dev/null
  ip netns del "$NS_UE" 2>/dev/null
  if [ -n "${KEEP_WORK:-}" ]; then log "work dir kept: $WORK"; else rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || die "needs root (creates network namespaces); run: sudo bash scripts/make-fixtures.sh"
for t in kamailio sipp baresip tcpdump dumpcap tshark capinfos node ip; do
  command -v "$t" >/dev/null || die "$t not installed"
done

in_reg() { ip netns exec "$NS_REG" "$@"; }
in_ue() { ip netns exec "$NS_UE" "$@"; }

# ---------------------------------------------------------------------------------------------
# Network: two namespaces joined by a veth pair. IPv6 addresses without DAD so they are usable
# at once; the link MTU is 1280 (the IPv6 minimum), so a large UDP REGISTER is fragmented by IPv6;
# for the IPv4 fragments a host route with MTU 576 is added just for that flow (section 3b).
setup_net() {
  ip netns add "$NS_REG"
  ip netns add "$NS_UE"
  ip -n "$NS_REG" link set lo up
  ip -n "$NS_UE" link set lo up
  # No router solicitations or link-local autoconf chatter on the veth (set before it exists).
  local ns
  for ns in "$NS_REG" "$NS_UE"; do
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.default.router_solicitations=0 \
      net.ipv6.conf.default.addr_gen_mode=1
  done
  ip link add "$VETH_REG" netns "$NS_REG" type veth peer name "$VETH_UE" netns "$NS_UE"
  ip -n "$NS_REG" link set "$VETH_REG" address 02:00:5e:00:02:01 mtu 1280
  ip -n "$NS_UE" link set "$VETH_UE" address 02:00:5e:00:02:0a mtu 1280
  ip -n "$NS_REG" addr add 192.0.2.1/24 dev "$VETH_REG"
  ip -n "$NS_UE" addr add 192.0.2.10/24 dev "$VETH_UE"
  ip -n "$NS_REG" addr add 2001:db8::1/64 dev "$VETH_REG" nodad
  ip -n "$NS_UE" addr add 2001:db8::10/64 dev "$VETH_UE" nodad
  ip -n "$NS_REG" link set "$VETH_REG" up
  ip -n "$NS_UE" link set "$VETH_UE" up
  # Static neighbours: no ARP/ND chatter in the Ethernet captures.
  ip -n "$NS_UE" neigh replace 192.0.2.1 lladdr 02:00:5e:00:02:01 dev "$VETH_UE" nud permanent
  ip -n "$NS_REG" neigh replace 192.0.2.10 lladdr 02:00:5e:00:02:0a dev "$VETH_REG" nud permanent
  ip -n "$NS_UE" neigh replace 2001:db8::1 lladdr 02:00:5e:00:02:01 dev "$VETH_UE" nud permanent
  ip -n "$NS_REG" neigh replace 2001:db8::10 lladdr 02:00:5e:00:02:0a dev "$VETH_REG" nud permanent
}

# ---------------------------------------------------------------------------------------------
# Kamailio (restarted per flow so every flow starts with an empty location table and its own log).
kam_start() { # $1 = log file
  # `ip netns exec` execs kamailio, so $! is Kamailio's main process (it stops its children).
  ip netns exec "$NS_REG" kamailio -DD -E -A WITH_VETH -f "$KCFG" -P "$WORK/kamailio.pid" >"$1" 2>&1 &
  KAM_PID=$!
  local i
  for i in $(seq 1 50); do
    kill -0 "$KAM_PID" 2>/dev/null || die "kamailio exited, see $1"
    if in_reg ss -lun | grep -q '127.0.0.1:5080' && in_reg ss -ltn | grep -q '127.0.0.1:5080'; then return 0; fi
    sleep 0.1
  done
  die "kamailio did not start, see $1"
}
kam_stop() {
  if [ -n "$KAM_PID" ]; then kill "$KAM_PID" 2>/dev/null || true; wait "$KAM_PID" 2>/dev/null || true; fi
  KAM_PID=""
  # The next instance must not find the ports taken (its children exit shortly after the main one).
  local i
  for i in $(seq 1 50); do
    in_reg ss -lntu | grep -q ':5060 ' || return 0
    sleep 0.1
  done
  die "kamailio ports still busy after stop"
}

# ---------------------------------------------------------------------------------------------
# Captures. cap_start NS OUTFILE TOOL ARGS... starts one capture process and prints its PID;
# cap_stop waits 1.5 s (or the last packets are not flushed) and stops them with SIGINT.
CAP_PIDS=()
cap_start() {
  local ns=$1 out=$2 tool=$3; shift 3
  case $tool in
    tcpdump) ip netns exec "$ns" tcpdump -U --immediate-mode -w "$out" "$@" >"$out.stderr" 2>&1 & ;;
    dumpcap) ip netns exec "$ns" dumpcap -q -w "$out" "$@" >"$out.stderr" 2>&1 & ;;
    *) die "unknown capture tool $tool" ;;
  esac
  local pid=$!
  CAP_PIDS+=("$pid"); BG_PIDS+=("$pid")
  # Wait until the capture reports it is listening.
  local i
  for i in $(seq 1 50); do
    if grep -qiE 'listening on|capturing on' "$out.stderr" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  die "capture $tool $* did not start: $(cat "$out.stderr")"
}
cap_stop() {
  sleep 1.5
  local pid
  for pid in "${CAP_PIDS[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
  for pid in "${CAP_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  CAP_PIDS=()
}

# ---------------------------------------------------------------------------------------------
# SIPp: run_sipp NAME TRANSPORT LOGDIR [extra sipp args]; SIPP_NS / SIPP_LOCAL / SIPP_REMOTE /
# SIPP_TAG override where it runs (default: registrar namespace, 127.0.0.1 -> 127.0.0.1:5060).
# -auth_uri: the digest uri must be the Request-URI (RFC 3261 §22.4, RFC 2617 §3.2.2.5); SIPp
# defaults to remote_ip:remote_port, which the checker rightly flags (OMA-IM-REG-014).
run_sipp() {
  local name=$1 transport=$2 logdir=$3; shift 3
  local t_opt=u1 ns=${SIPP_NS:-$NS_REG} local_ip=${SIPP_LOCAL:-127.0.0.1} remote=${SIPP_REMOTE:-127.0.0.1:5060}
  local tag=${SIPP_TAG:-$name}
  [ "$transport" = tcp ] && t_opt=t1
  local rc=0
  ip netns exec "$ns" sipp -sf "$FX/sipp/$name.xml" -t "$t_opt" -i "$local_ip" -p 5062 -m 1 -nostdin -nd \
    -timeout 20s -timeout_error -max_retrans 2 \
    -cid_str "fx-$name-reg@fixture.invalid" -au alice -ap imsecret -auth_uri ims.example.net \
    -trace_msg -message_file "$logdir/$tag.sipp-messages.log" \
    -trace_err -error_file "$logdir/$tag.sipp-errors.log" \
    "$@" "$remote" >"$logdir/$tag.sipp-stdout.log" 2>&1 || rc=$?
  if [ $rc != 0 ]; then
    log "sipp $tag exited $rc:"; tail -20 "$logdir/$tag.sipp-errors.log" >&2 || true
    return 1
  fi
}

mkdir -p "$WORK"/{sipp,cap,kam,raw,baresip}

log "generating SIPp scenarios"
node "$FX/gen-sipp-scenarios.js" "$FX/sipp" >/dev/null

log "creating namespaces $NS_REG / $NS_UE"
setup_net

# =============================================================================================
# 1. SIPp flows over UDP/TCP on the namespace's loopback, one capture per flow.
#    The compliant UDP flow is captured by five capture processes at once (pcap us, pcap ns,
#    SLL2, SLL1, pcapng) so the link-layer/format variants carry exactly the same messages.
# =============================================================================================
STAGES=${STAGES:-sipp raw veth baresip out}   # set STAGES to a subset to iterate on one stage
want() { case " $STAGES " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

if want sipp; then
scenarios=$(node -e 'for (const s of require(process.argv[1])) console.log(s.name + " " + s.transport)' "$FX/sipp/index.json")
while read -r name transport; do
  log "SIPp flow $name ($transport)"
  kam_start "$WORK/kam/$name.log"
  cap_start "$NS_REG" "$WORK/cap/$name.pcap" tcpdump -i lo
  if [ "$name" = compliant ]; then
    cap_start "$NS_REG" "$WORK/cap/compliant-nano.pcap" tcpdump -i lo --time-stamp-precision=nano
    # "udp": leaves out any IPv6 multicast-listener chatter of the (idle) veth.
    cap_start "$NS_REG" "$WORK/cap/compliant-sll2.pcap" tcpdump -i any udp
    cap_start "$NS_REG" "$WORK/cap/compliant-sll1.pcap" tcpdump -i any -y LINUX_SLL udp
    cap_start "$NS_REG" "$WORK/cap/compliant.pcapng" dumpcap -i lo
  fi
  if [ "$name" = oma-im-reg-001-missing-sip-im ]; then
    cap_start "$NS_REG" "$WORK/cap/$name.pcapng" dumpcap -i lo
  fi
  run_sipp "$name" "$transport" "$WORK/sipp" || die "SIPp flow $name failed"
  cap_stop
  kam_stop
done <<<"$scenarios"
fi

# =============================================================================================
# 2. Raw-socket flows (scripts/fixtures/raw-sip-client.js) on the namespace's loopback.
# =============================================================================================
raw_client() { # raw_client NS LOGNAME FLOW [client args]
  local ns=$1 logname=$2; shift 2
  ip netns exec "$ns" node "$FX/raw-sip-client.js" "$@" >"$WORK/raw/$logname.log" 2>&1 \
    || { cat "$WORK/raw/$logname.log" >&2; die "raw flow $* failed"; }
}
raw_flow() { # raw_flow FLOW CAPTURE_NAME [client args]
  local flow=$1 capname=$2; shift 2
  log "raw flow $flow"
  kam_start "$WORK/kam/raw-$capname.log"
  cap_start "$NS_REG" "$WORK/cap/$capname.pcap" tcpdump -i lo
  raw_client "$NS_REG" "$capname" "$flow" "$@"
  cap_stop
  kam_stop
}
if want raw; then
  raw_flow tcp-split tcp-split --local-port 5070
  raw_flow tcp-coalesced tcp-coalesced --local-port 5072
  raw_flow folded folded-headers
  raw_flow compact compact-headers
  raw_flow mixed-case mixed-case-headers
  raw_flow odd-port-udp odd-port-5080-udp --port 5080 --local-port 5090
  raw_flow odd-port-tcp odd-port-5080-tcp --port 5080 --local-port 5074
fi

# =============================================================================================
# 3. Ethernet captures on the veth pair (client namespace side).
# =============================================================================================
# Only SIP traffic (IPv6 fragments have next header 44; IPv4 fragments keep protocol 17), no MLD.
VETH_FILTER="udp or tcp or ip6 proto 44"
if want veth; then
  # 3a. The compliant SIPp flow from 192.0.2.10 to 192.0.2.1, captured on the client's veth
  #     (Ethernet, real MACs). At the same time dumpcap in the registrar namespace writes one
  #     pcapng with two interfaces of different link types: the veth (EN10MB) and "any" (SLL2,
  #     filtered to loopback traffic), while an odd-port UDP flow runs on the loopback.
  log "veth: compliant SIPp flow + two-interface pcapng"
  kam_start "$WORK/kam/veth-compliant.log"
  cap_start "$NS_UE" "$WORK/cap/compliant-ethernet.pcap" tcpdump -i "$VETH_UE" "$VETH_FILTER"
  cap_start "$NS_REG" "$WORK/cap/two-interfaces.pcapng" dumpcap -i "$VETH_REG" -f "udp port 5060" -i any -y LINUX_SLL2 -f "host 127.0.0.1 and udp port 5080"
  SIPP_NS=$NS_UE SIPP_LOCAL=192.0.2.10 SIPP_REMOTE=192.0.2.1:5060 SIPP_TAG=compliant-ethernet \
    run_sipp compliant udp "$WORK/sipp" || die "SIPp veth flow failed"
  raw_client "$NS_REG" two-interfaces-odd-port odd-port-udp --port 5080 --local-port 5090
  cap_stop
  kam_stop

  # 3b. One ~1.9 KB UDP REGISTER (and its resend with credentials) over IPv4 with a 576-byte
  #     route MTU, then over IPv6 with the 1280-byte link MTU: both are IP-fragmented.
  log "veth: large UDP REGISTER, IPv4 fragments"
  ip -n "$NS_UE" route add 192.0.2.1/32 dev "$VETH_UE" mtu lock 576
  kam_start "$WORK/kam/veth-large-v4.log"
  cap_start "$NS_UE" "$WORK/cap/large-udp-ipv4-fragmented.pcap" tcpdump -i "$VETH_UE" "$VETH_FILTER"
  raw_client "$NS_UE" large-udp-ipv4 large-udp --host 192.0.2.1 --local-host 192.0.2.10 --local-port 5064
  cap_stop
  kam_stop
  ip -n "$NS_UE" route del 192.0.2.1/32 dev "$VETH_UE"
  log "veth: large UDP REGISTER, IPv6 fragments"
  kam_start "$WORK/kam/veth-large-v6.log"
  cap_start "$NS_UE" "$WORK/cap/large-udp-ipv6-fragmented.pcap" tcpdump -i "$VETH_UE" "$VETH_FILTER"
  raw_client "$NS_UE" large-udp-ipv6 large-udp --host 2001:db8::1 --local-host 2001:db8::10 --local-port 5064
  cap_stop
  kam_stop
fi

# =============================================================================================
# 4. baresip (a real UA) registering from the client namespace: it refuses to start SIP with only
#    loopback addresses, so it gets the veth address 192.0.2.10; captured on that veth.
# =============================================================================================
if want baresip; then
  log "baresip registration"
  mkdir -p "$WORK/baresip/conf"
  cp "$FX/baresip/config" "$WORK/baresip/conf/config"   # net_interface is the fixed name $VETH_UE
  cp "$FX/baresip/accounts" "$WORK/baresip/conf/accounts"
  kam_start "$WORK/kam/baresip.log"
  cap_start "$NS_UE" "$WORK/cap/baresip-register.pcap" tcpdump -i "$VETH_UE" "$VETH_FILTER"
  # -t: quit after N seconds (baresip de-registers on the way out); -s: print SIP; -v: verbose.
  ip netns exec "$NS_UE" baresip -4 -f "$WORK/baresip/conf" -s -v -t 4 </dev/null >"$WORK/baresip/baresip.log" 2>&1 &
  bpid=$!; BG_PIDS+=("$bpid")
  wait "$bpid" || log "baresip exited with $? (see log)"
  cap_stop
  kam_stop
fi

# =============================================================================================
# 5. Rewrites, copy into the repository, MANIFEST.json, samples/.
# =============================================================================================
if want out; then
  log "rewrites, outputs and MANIFEST"
  RW="node $FX/pcap-rewrite.js"
  C=$WORK/cap
  $RW big-endian "$C/compliant.pcap" "$C/compliant-big-endian.pcap" >/dev/null
  $RW relink "$C/compliant.pcap" "$C/compliant-null.pcap" null >/dev/null
  $RW relink "$C/compliant.pcap" "$C/compliant-loop.pcap" loop >/dev/null
  $RW relink "$C/compliant.pcap" "$C/compliant-raw-ip.pcap" raw >/dev/null
  $RW relink "$C/large-udp-ipv6-fragmented.pcap" "$C/large-udp-ipv6-fragmented-null.pcap" null >/dev/null
  $RW vlan "$C/compliant-ethernet.pcap" "$C/compliant-vlan.pcap" 100 >/dev/null
  $RW qinq "$C/compliant-ethernet.pcap" "$C/compliant-qinq.pcap" 200 100 >/dev/null
  $RW tcp-reorder "$C/tcp-split.pcap" "$C/tcp-out-of-order.pcap" >"$WORK/reorder.txt"
  $RW tcp-retransmit "$C/compliant-tcp.pcap" "$C/tcp-retransmission.pcap" >"$WORK/retransmit.txt"
  $RW truncate "$C/compliant.pcap" "$C/truncated-mid-record.pcap" >"$WORK/truncate.txt"

  rm -rf "$CAP" "$LOGS" "$SAMPLES"
  mkdir -p "$CAP"/{flows,link,tcp,syntax,port,ip,ua,damaged} "$LOGS"/{sipp,kamailio,baresip} "$SAMPLES"
  TSV=$WORK/manifest.tsv
  : >"$TSV"
  # put SRC REL MADEBY TRANSPORT CONTENTS BROKEN DECODEAS NOTES  (copies SRC to the repo path REL)
  put() {
    local src=$1 rel=$2
    cp "$src" "$ROOT/$rel"
    chmod 644 "$ROOT/$rel"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rel" "$3" "$4" "$5" "$6" "$7" "${8:-}" >>"$TSV"
  }
  KAM="Kamailio registrar (scripts/fixtures/kamailio/kamailio.cfg)"
  ODD="udp.port==5080,sip;tcp.port==5080,sip"

  # SIPp flows (one capture per scenario; description and broken rules from the scenario index).
  node -e '
    for (const s of require(process.argv[1]))
      console.log([s.name, s.transport, s.brokenRules.join(",") || "-", s.description + " Steps: " + s.steps.join("; ")].join("\t"));
  ' "$FX/sipp/index.json" >"$WORK/sipp-index.tsv"
  while IFS=$'\t' read -r name transport broken desc; do
    [ "$broken" = - ] && broken=""
    put "$C/$name.pcap" "test/fixtures/captures/flows/$name.pcap" \
      "SIPp scripts/fixtures/sipp/$name.xml -> $KAM; tcpdump -i lo (namespace loopback)" "$transport" "$desc" "$broken" ""
  done <"$WORK/sipp-index.tsv"
  B001=$(awk -F'\t' '$1=="oma-im-reg-001-missing-sip-im"{print $3}' "$WORK/sipp-index.tsv")
  put "$C/oma-im-reg-001-missing-sip-im.pcapng" "test/fixtures/captures/flows/oma-im-reg-001-missing-sip-im.pcapng" \
    "SIPp scripts/fixtures/sipp/oma-im-reg-001-missing-sip-im.xml -> $KAM; dumpcap -i lo (same run as the .pcap)" udp \
    "Same flow as flows/oma-im-reg-001-missing-sip-im.pcap, written by dumpcap as pcapng." "$B001" ""

  # Link-layer and file-format variants of the compliant UDP flow (all from the same run).
  CDESC="The compliant UDP flow (same messages as flows/compliant.pcap)."
  put "$C/compliant-nano.pcap" test/fixtures/captures/link/compliant-nanosecond.pcap \
    "SIPp compliant.xml -> $KAM; tcpdump -i lo --time-stamp-precision=nano" udp "$CDESC" "" "" "pcap with nanosecond timestamps (magic a1b23c4d)"
  put "$C/compliant-sll2.pcap" test/fixtures/captures/link/compliant-sll2.pcap \
    "SIPp compliant.xml -> $KAM; tcpdump -i any" udp "$CDESC" "" "" "Linux cooked v2; every packet seen once on lo"
  put "$C/compliant-sll1.pcap" test/fixtures/captures/link/compliant-sll1.pcap \
    "SIPp compliant.xml -> $KAM; tcpdump -i any -y LINUX_SLL" udp "$CDESC" "" ""
  put "$C/compliant.pcapng" test/fixtures/captures/link/compliant.pcapng \
    "SIPp compliant.xml -> $KAM; dumpcap -i lo" udp "$CDESC" "" ""
  put "$C/compliant-big-endian.pcap" test/fixtures/captures/link/compliant-big-endian.pcap \
    "pcap-rewrite.js big-endian of flows/compliant.pcap" udp "$CDESC" "" "" "rewritten: big-endian file and record headers"
  put "$C/compliant-null.pcap" test/fixtures/captures/link/compliant-null.pcap \
    "pcap-rewrite.js relink null of flows/compliant.pcap" udp "$CDESC" "" "" "rewritten: Ethernet header replaced by a 4-byte little-endian AF_INET (2)"
  put "$C/compliant-loop.pcap" test/fixtures/captures/link/compliant-loop.pcap \
    "pcap-rewrite.js relink loop of flows/compliant.pcap" udp "$CDESC" "" "" "rewritten: 4-byte big-endian AF_INET (2) header (OpenBSD loopback)"
  put "$C/compliant-raw-ip.pcap" test/fixtures/captures/link/compliant-raw-ip.pcap \
    "pcap-rewrite.js relink raw of flows/compliant.pcap" udp "$CDESC" "" "" "rewritten: Ethernet header removed (LINKTYPE_RAW 101)"
  put "$C/large-udp-ipv6-fragmented-null.pcap" test/fixtures/captures/link/large-udp-ipv6-fragmented-null.pcap \
    "pcap-rewrite.js relink null of ip/large-udp-ipv6-fragmented.pcap" udp \
    "IPv6 fragmented REGISTER flow (as ip/large-udp-ipv6-fragmented.pcap) on a NULL link header." "" "" \
    "rewritten: AF 30 (macOS AF_INET6; Linux would write 10, FreeBSD 28, OpenBSD 24)"
  put "$C/compliant-ethernet.pcap" test/fixtures/captures/link/compliant-ethernet.pcap \
    "SIPp compliant.xml 192.0.2.10 -> $KAM on 192.0.2.1; tcpdump -i veth (client namespace)" udp \
    "The compliant UDP flow over a veth pair (real Ethernet MACs 02:00:5e:00:02:0a / :01)." "" ""
  put "$C/compliant-vlan.pcap" test/fixtures/captures/link/compliant-vlan.pcap \
    "pcap-rewrite.js vlan 100 of link/compliant-ethernet.pcap" udp "The compliant flow over Ethernet with an 802.1Q tag." "" "" "rewritten: TPID 0x8100 VID 100 inserted"
  put "$C/compliant-qinq.pcap" test/fixtures/captures/link/compliant-qinq.pcap \
    "pcap-rewrite.js qinq 200 100 of link/compliant-ethernet.pcap" udp "The compliant flow over Ethernet with QinQ tags." "" "" "rewritten: S-tag 0x88a8 VID 200 + C-tag 0x8100 VID 100"
  put "$C/two-interfaces.pcapng" test/fixtures/captures/link/two-interfaces.pcapng \
    "dumpcap -i veth -f 'udp port 5060' -i any -y LINUX_SLL2 -f 'host 127.0.0.1 and udp port 5080' in the registrar namespace" udp \
    "Interface 0 (Ethernet, registrar side of the veth): the compliant SIPp flow from 192.0.2.10 (the client's REGISTERs are seen as sent to 192.0.2.1). Interface 1 (Linux cooked v2): a raw-client REGISTER/401/REGISTER/200 flow to 127.0.0.1:5080 (odd port)." \
    "" "$ODD"

  # TCP stream handling.
  put "$C/compliant-tcp.pcap" test/fixtures/captures/tcp/compliant-tcp.pcap \
    "SIPp compliant-tcp.xml (-t t1) -> $KAM; tcpdump -i lo" tcp "Compliant life cycle over one TCP connection, one message per segment." "" "" "copy of flows/compliant-tcp.pcap"
  put "$C/tcp-split.pcap" test/fixtures/captures/tcp/tcp-split.pcap \
    "raw-sip-client.js tcp-split -> $KAM; tcpdump -i lo" tcp \
    "REGISTER written as 3 TCP segments (cut inside the Contact value, and before the final CRLFCRLF: the last segment is 4 bytes), 401, REGISTER with credentials as 2 segments (cut inside Authorization), 200." "" ""
  put "$C/tcp-coalesced.pcap" test/fixtures/captures/tcp/tcp-coalesced.pcap \
    "raw-sip-client.js tcp-coalesced -> $KAM; tcpdump -i lo" tcp \
    "Segment 1: REGISTER alice + REGISTER bob; two 401s. Segment 2: both credential resends; two 200s. Segment 3: alice full de-registration (Expires: 0) + SUBSCRIBE Event: reg; 200 and 489." "" "" \
    "12 SIP messages in 9 frames: tshark lists a frame carrying two messages once (sipMessages 9, sipMessagesDecoded 12)"
  put "$C/tcp-out-of-order.pcap" test/fixtures/captures/tcp/tcp-out-of-order.pcap \
    "pcap-rewrite.js tcp-reorder of tcp/tcp-split.pcap" tcp \
    "tcp-split.pcap with the 2nd and 3rd segments of the first REGISTER swapped in capture order ($(cat "$WORK/reorder.txt")); timestamps unchanged." "" "" \
    "tshark 4.0 does not reassemble the reordered REGISTER, so it is missing from sipMessages; a correct reassembler finds 4 messages"
  put "$C/tcp-retransmission.pcap" test/fixtures/captures/tcp/tcp-retransmission.pcap \
    "pcap-rewrite.js tcp-retransmit of tcp/compliant-tcp.pcap" tcp \
    "compliant-tcp.pcap with the first REGISTER segment repeated ($(cat "$WORK/retransmit.txt")); same sequence number: a retransmission, not a second REGISTER." "" "" \
    "a correct reassembler reports 12 SIP messages"

  # Header syntax SIPp cannot write.
  put "$C/folded-headers.pcap" test/fixtures/captures/syntax/folded-headers.pcap \
    "raw-sip-client.js folded -> $KAM; tcpdump -i lo" udp \
    "REGISTER/401/REGISTER/200 where Contact is folded over 4 lines (SP and HTAB continuation) and User-Agent over 2 (IM-client/OMA1.0 + Fixture/1.0)." "" "" \
    "tshark 4.0 is not a reliable oracle for folded headers"
  put "$C/compact-headers.pcap" test/fixtures/captures/syntax/compact-headers.pcap \
    "raw-sip-client.js compact -> $KAM; tcpdump -i lo" udp \
    "REGISTER/401/REGISTER/200 with compact header names v: f: t: i: m: k: l: (Require, Expires, CSeq, User-Agent have no compact form)." "" ""
  put "$C/mixed-case-headers.pcap" test/fixtures/captures/syntax/mixed-case-headers.pcap \
    "raw-sip-client.js mixed-case -> $KAM; tcpdump -i lo" udp \
    "REGISTER/401/REGISTER/200 with header names VIA, max-forwards, fROM, TO, call-ID, cseq, CONTACT, EXPIRES, require, SUPPORTED, user-agent, AUTHORIZATION, content-length." "" ""

  # SIP on a non-standard port.
  put "$C/odd-port-5080-udp.pcap" test/fixtures/captures/port/odd-port-5080-udp.pcap \
    "raw-sip-client.js odd-port-udp 127.0.0.1:5090 -> $KAM on 127.0.0.1:5080; tcpdump -i lo" udp \
    "REGISTER/401/REGISTER/200 between ports 5090 and 5080 (no 5060 anywhere)." "" "$ODD"
  put "$C/odd-port-5080-tcp.pcap" test/fixtures/captures/port/odd-port-5080-tcp.pcap \
    "raw-sip-client.js odd-port-tcp 127.0.0.1:5074 -> $KAM on 127.0.0.1:5080; tcpdump -i lo" tcp \
    "REGISTER/401/REGISTER/200 over TCP between ports 5074 and 5080." "" "$ODD"

  # IP fragmentation (Ethernet, veth between two namespaces).
  put "$C/large-udp-ipv4-fragmented.pcap" test/fixtures/captures/ip/large-udp-ipv4-fragmented.pcap \
    "raw-sip-client.js large-udp 192.0.2.10:5064 -> $KAM on 192.0.2.1:5060; route MTU 576; tcpdump -i veth" udp \
    "REGISTER of ~1.7 KB (Contact with the IM tags plus many IMS/RCS feature tags) in 4 IPv4 fragments, 401, credentials resend ~1.9 KB in 4 fragments, 200." "" ""
  put "$C/large-udp-ipv6-fragmented.pcap" test/fixtures/captures/ip/large-udp-ipv6-fragmented.pcap \
    "raw-sip-client.js large-udp [2001:db8::10]:5064 -> $KAM on [2001:db8::1]:5060; link MTU 1280; tcpdump -i veth" udp \
    "Same flow over IPv6: each REGISTER in 2 fragments (Fragment extension header)." "" ""

  # A real UA. Its de-registration uses Contact ;expires=0 without an Expires header (OMA-IM-REG-019).
  BARESIP_BROKEN="OMA-IM-REG-001,OMA-IM-REG-002,OMA-IM-REG-003,OMA-IM-REG-008,OMA-IM-REG-010,OMA-IM-REG-015,OMA-IM-REG-019"
  put "$C/baresip-register.pcap" test/fixtures/captures/ua/baresip-register.pcap \
    "baresip 1.0.0 (scripts/fixtures/baresip/) 192.0.2.10 -> $KAM on 192.0.2.1; tcpdump -i veth" udp \
    "baresip registers (REGISTER/401/REGISTER/200) and de-registers on exit (REGISTER with Contact ;expires=0 and no Expires header / 401 / REGISTER / 200). Not an OMA IM client: no IM tags, no Require: pref, no IM-client User-Agent, no PUBLISH." \
    "$BARESIP_BROKEN" "" \
    "random Call-ID, tags, branches, CSeq start and Contact user part (baresip's own)"

  # A damaged file.
  put "$C/truncated-mid-record.pcap" test/fixtures/captures/damaged/truncated-mid-record.pcap \
    "pcap-rewrite.js truncate of flows/compliant.pcap" udp \
    "flows/compliant.pcap cut in the middle of a record: $(cat "$WORK/truncate.txt")." "" "" \
    "tshark reports the file as cut short in the middle of a packet"

  # Logs of the same runs.
  put "$WORK/sipp/compliant.sipp-messages.log" test/fixtures/logs/generated/sipp/compliant.messages.log \
    "SIPp -trace_msg of scripts/fixtures/sipp/compliant.xml" udp "SIPp's message log of the compliant UDP flow (flows/compliant.pcap run)." "" ""
  put "$WORK/sipp/compliant-tcp.sipp-messages.log" test/fixtures/logs/generated/sipp/compliant-tcp.messages.log \
    "SIPp -trace_msg of scripts/fixtures/sipp/compliant-tcp.xml" tcp "SIPp's message log of the compliant TCP flow." "" ""
  for name in oma-im-reg-001-missing-sip-im oma-im-reg-014-no-credentials-after-401 rfc3261-rsp-007-retry-ignores-min-expires; do
    broken=$(awk -F'\t' -v n="$name" '$1==n{print $3}' "$WORK/sipp-index.tsv")
    put "$WORK/sipp/$name.sipp-messages.log" "test/fixtures/logs/generated/sipp/$name.messages.log" \
      "SIPp -trace_msg of scripts/fixtures/sipp/$name.xml" udp "SIPp's message log of the broken flow (flows/$name.pcap run)." "$broken" ""
  done
  put "$WORK/kam/compliant.log" test/fixtures/logs/generated/kamailio/compliant.log \
    "Kamailio -E stderr (xlog of every received request) during the compliant UDP flow" udp \
    "Registrar-side log of flows/compliant.pcap: a 'RECV <method> <proto> <src> -> <dst> len=N' line, the request as received, '-- end of message --', then the reply decision." "" ""
  put "$WORK/kam/raw-folded-headers.log" test/fixtures/logs/generated/kamailio/folded-headers.log \
    "Kamailio -E stderr during raw-sip-client.js folded" udp "Registrar-side log of syntax/folded-headers.pcap (the folded lines as received)." "" ""
  put "$WORK/kam/raw-tcp-coalesced.log" test/fixtures/logs/generated/kamailio/tcp-coalesced.log \
    "Kamailio -E stderr during raw-sip-client.js tcp-coalesced" tcp "Registrar-side log of tcp/tcp-coalesced.pcap (each coalesced message logged separately)." "" ""
  put "$WORK/baresip/baresip.log" test/fixtures/logs/generated/baresip/baresip-register.log \
    "baresip -s -v -t 4 stdout/stderr" udp \
    "baresip's verbose output with its SIP trace (-s) of ua/baresip-register.pcap: each message preceded by an ANSI-coloured '#' line and 'UDP src -> dst', followed by an ANSI reset." \
    "$BARESIP_BROKEN" "" "contains ANSI escape sequences exactly as baresip printed them"

  # samples/: a few realistic traces to open in the editor.
  cp "$C/compliant.pcap" "$SAMPLES/oma-im-compliant-registration.pcap"
  cp "$C/oma-im-reg-001-missing-sip-im.pcapng" "$SAMPLES/oma-im-missing-sip-im-tag.pcapng"
  cp "$WORK/sipp/compliant.sipp-messages.log" "$SAMPLES/oma-im-compliant-registration.sipp.log"
  cp "$C/tcp-split.pcap" "$SAMPLES/register-split-over-tcp-segments.pcap"
  cp "$C/baresip-register.pcap" "$SAMPLES/baresip-plain-sip-registration.pcap"
  cp "$FX/samples-README.md" "$SAMPLES/README.md"
  chmod 644 "$SAMPLES"/*

  node "$FX/manifest.js" "$TSV" "$ROOT" "$ROOT/test/fixtures/MANIFEST.json"
  total=$(find "$CAP" "$LOGS" "$SAMPLES" "$ROOT/test/fixtures/MANIFEST.json" -type f -printf '%s\n' | awk '{t+=$1} END {print t}')
  log "fixtures: $(find "$CAP" "$LOGS" -type f | wc -l) files + MANIFEST + $(ls "$SAMPLES" | wc -l) samples: $total bytes"
fi

log "done"
