#!/usr/bin/env bash
# Prints the path of a `go` command recent enough to build Hyperledger Fabric.
#
#   bash scripts/ensure-go.sh            # prints e.g. /usr/local/go/bin/go
#   PATH="$(dirname "$(bash scripts/ensure-go.sh)"):$PATH"
#
# The machine's Go is used when it is at least $LEDGERKIT_GO_MIN (default 1.22). Otherwise
# the official Go toolchain is fetched once from the Go module proxy (the module
# golang.org/toolchain, which is how the go command itself downloads toolchains) into
# $LEDGERKIT_HOME/go/<version>, default ~/.cache/ledgerkit. Module zips carry no file modes,
# so the executables are marked as such after unpacking.
set -euo pipefail

minimum=${LEDGERKIT_GO_MIN:-1.22}
wanted=${LEDGERKIT_GO_VERSION:-1.26.8}
home=${LEDGERKIT_HOME:-$HOME/.cache/ledgerkit}
proxy=${GOPROXY:-https://proxy.golang.org}
proxy=${proxy%%,*}

die() {
  echo "ensure-go.sh: $*" >&2
  exit 1
}

# True when version $1 (like 1.26.8) is at least $2 (like 1.22).
at_least() {
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

for candidate in "$(command -v go 2>/dev/null || true)" /usr/local/go/bin/go; do
  [ -n "$candidate" ] && [ -x "$candidate" ] || continue
  version=$("$candidate" env GOVERSION 2>/dev/null || true)
  version=${version#go}
  if [ -n "$version" ] && at_least "$version" "$minimum"; then
    echo "$candidate"
    exit 0
  fi
done

case "$(uname -m)" in
x86_64) arch=amd64 ;;
aarch64 | arm64) arch=arm64 ;;
*) die "no Go toolchain for $(uname -m); install Go >= $minimum from go.dev/dl" ;;
esac
os=$(uname -s | tr '[:upper:]' '[:lower:]')
target="$home/go/$wanted-$os-$arch"
go_bin="$target/bin/go"
if [ -x "$go_bin" ]; then
  echo "$go_bin"
  exit 0
fi

command -v curl >/dev/null 2>&1 || die "curl is needed to fetch Go $wanted"
unpack() {
  if command -v unzip >/dev/null 2>&1; then
    unzip -q "$1" -d "$2"
  elif command -v python3 >/dev/null 2>&1; then
    python3 -m zipfile -e "$1" "$2"
  else
    die "unzip or python3 is needed to unpack Go $wanted (apt-get install -y unzip)"
  fi
}
mkdir -p "$home/go"
staging=$(mktemp -d "$home/go/.staging.XXXXXX")
trap 'rm -rf "$staging"' EXIT
module="v0.0.1-go$wanted.$os-$arch"
echo "ensure-go.sh: fetching Go $wanted ($os/$arch) from $proxy" >&2
curl -fsSL --retry 3 -o "$staging/toolchain.zip" "$proxy/golang.org/toolchain/@v/$module.zip" ||
  die "could not download golang.org/toolchain@$module from $proxy"
unpack "$staging/toolchain.zip" "$staging/unpacked"
root="$staging/unpacked/golang.org/toolchain@$module"
[ -f "$root/bin/go" ] || die "the toolchain zip has no bin/go"
chmod +x "$root"/bin/* "$root"/pkg/tool/*/*
"$root/bin/go" version >/dev/null || die "the fetched Go does not run"
rm -rf "$target"
mv "$root" "$target"
echo "$go_bin"
