#!/usr/bin/env bash
# Runs a command with the repository's Node.js (major version from .nvmrc) first on
# PATH and the workspace dependencies installed by that Node.
#
#   bash scripts/with-node.sh <command> [args...]
#
# Why: the machines we target ship Node 20, while Hardhat 3 and fabric-gateway need
# Node >= 22.13, and `npm install` run under Node 20 silently skips Hardhat's native
# EDR package. Like setup-node reading .nvmrc, we fetch the matching Node LTS from the
# npm registry (package node-linux-<arch>) into a cache outside the repository and use
# it for installs and every script. System files are never touched.
#
# Environment:
#   LEDGERKIT_HOME         cache root (default: ${XDG_CACHE_HOME:-$HOME/.cache}/ledgerkit)
#   LEDGERKIT_SKIP_INSTALL set to 1 to skip the dependency check
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
want_major=$(tr -d ' \tv\r\n' <"$repo_root/.nvmrc")
case "$want_major" in
  '' | *[!0-9]*)
    echo "with-node: .nvmrc must hold a bare major version such as 24, found '$want_major'" >&2
    exit 64
    ;;
esac

log() { echo "with-node: $*" >&2; }

current_major() {
  command -v node >/dev/null 2>&1 || return 1
  node -p 'process.versions.node.split(".")[0]' 2>/dev/null
}

ensure_node() {
  if [ "$(current_major || true)" = "$want_major" ]; then
    return 0
  fi
  local home=${LEDGERKIT_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/ledgerkit}
  local arch
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *)
      log "no Node.js $want_major package for CPU $(uname -m); install Node $want_major yourself"
      exit 69
      ;;
  esac
  local os
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *)
      log "no Node.js $want_major package for $(uname -s); install Node $want_major yourself"
      exit 69
      ;;
  esac
  local package="node-$os-$arch"
  local node_root="$home/node/$want_major-$os-$arch"
  local node_dir="$node_root/node_modules/$package"

  if [ ! -x "$node_dir/bin/node" ]; then
    command -v npm >/dev/null 2>&1 || {
      log "npm is needed once to fetch Node $want_major; install Node.js with npm first"
      exit 69
    }
    log "fetching Node $want_major ($package) from the npm registry into $node_root; this happens once and usually takes under a minute"
    mkdir -p "$home/node"
    local staging
    staging=$(mktemp -d "$home/node/.staging.XXXXXX")
    # A staging directory renamed into place keeps an interrupted download from
    # leaving a half-installed Node behind.
    if ! npm install --prefix "$staging" --no-save --no-package-lock --no-audit --no-fund \
      --loglevel=error "$package@$want_major" >&2; then
      rm -rf "$staging"
      log "could not fetch $package@$want_major from the npm registry"
      exit 69
    fi
    rm -rf "$node_root"
    mv "$staging" "$node_root"
  fi
  export PATH="$node_dir/bin:$PATH"
  # Native addons must compile against this Node's headers, not the machine's.
  export npm_config_nodedir="$node_dir"
  if [ "$(current_major)" != "$want_major" ]; then
    log "Node in $node_dir does not run on this machine"
    exit 69
  fi
}

dependency_fingerprint() {
  local manifest
  {
    node -p 'process.version + " " + process.arch'
    for manifest in "$repo_root"/package-lock.json "$repo_root"/package.json \
      "$repo_root"/{packages,contracts,examples}/*/package.json; do
      if [ -f "$manifest" ]; then cat "$manifest"; fi
    done
  } | sha256sum | cut -d' ' -f1
}

ensure_dependencies() {
  [ "${LEDGERKIT_SKIP_INSTALL:-0}" = 1 ] && return 0
  local stamp="$repo_root/node_modules/.ledgerkit-install"
  local fingerprint
  fingerprint=$(dependency_fingerprint)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$fingerprint" ]; then
    return 0
  fi
  log "installing dependencies with Node $(node -v) (first run or changed dependencies; the first install usually takes 1-2 minutes)"
  (
    cd "$repo_root"
    if [ "${CI:-}" = true ]; then
      # CI installs exactly the lockfile. The lockfile lists every platform's optional
      # binaries (biome, rollup, turbo...), so `npm ci` accepts it on any machine, and it
      # fails rather than rewrites when package.json and the lockfile disagree.
      npm ci --no-audit --no-fund --loglevel=error >&2 || {
        echo "with-node: npm ci failed; if package-lock.json is out of date, run npm install and commit it" >&2
        exit 65
      }
    else
      npm install --no-audit --no-fund --loglevel=error >&2
    fi
  )
  dependency_fingerprint >"$stamp"
}

# Our tools stay quiet and offline about usage statistics.
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 HARDHAT_DISABLE_TELEMETRY=true

ensure_node
ensure_dependencies
# The dependency binaries (turbo, vitest, tsdown...) are on PATH for the command.
export PATH="$repo_root/node_modules/.bin:$PATH"
if [ "$#" -eq 0 ]; then
  node -v
  exit 0
fi
exec "$@"
