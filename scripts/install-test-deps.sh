#!/usr/bin/env bash
# Installs the system tools the tests use, from Debian's archive, when they are missing:
# tshark (reference for the differential test), kamailio + sipp (the SIPp export test), then the editor harness (scripts/editor/install.sh).
# Idempotent; does nothing when all are present.
set -euo pipefail
need=()
command -v tshark >/dev/null 2>&1 || need+=(tshark)
command -v kamailio >/dev/null 2>&1 || need+=(kamailio)
command -v sipp >/dev/null 2>&1 || need+=(sip-tester)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "warning: cannot install ${need[*]} (not root or no apt-get); tests that need them will report as skipped"
  fi
fi
# The real-editor suite (scripts/editor-tests.mjs): chromium, Node 24, code-server. When this cannot
# install them, that suite reports itself as failed; the other suites still run.
bash "$(dirname "$0")/editor/install.sh" || echo "warning: the editor harness is not installed; the in-editor suite will fail"
