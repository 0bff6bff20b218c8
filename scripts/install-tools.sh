#!/usr/bin/env bash
# Installs the real servers and tools the tests use, caching them under $FEDCOST_CACHE
# (default $HOME/.cache/fedcost) so a second run is fast. Idempotent.
#
#   scripts/install-tools.sh            # everything
#   scripts/install-tools.sh minio helm # just these
#
# Prints the cache bin directory on the last line; put it on PATH:
#   export PATH="$(scripts/install-tools.sh | tail -1):$PATH"
set -euo pipefail

CACHE="${FEDCOST_CACHE:-$HOME/.cache/fedcost}"
BIN="$CACHE/bin"
mkdir -p "$BIN"

MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
AZURITE_VERSION=3.37.0
HELM_VERSION=v3.22.0
TFLINT_VERSION=v0.64.0
STATICCHECK_VERSION=v0.8.2

log() { echo "install-tools: $*" >&2; }

apt_updated=""
apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then log "need root to apt-get install ${missing[*]}"; return 1; fi
  if [ -z "$apt_updated" ]; then DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2; apt_updated=1; fi
  log "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$CACHE/apt.log" 2>&1 || { cat "$CACHE/apt.log" >&2; return 1; }
}

go_tool() { # name module@version [ldflags]
  local name=$1 mod=$2 ldflags=${3:-}
  local stamp="$BIN/.$name.version"
  if [ -x "$BIN/$name" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$mod" ]; then return 0; fi
  log "go install $mod (cached in $BIN)"
  GOBIN="$BIN" GOFLAGS=-buildvcs=false go install -ldflags="$ldflags" "$mod" >&2
  echo "$mod" >"$stamp"
}

install_minio() { go_tool minio "github.com/minio/minio@$MINIO_VERSION"; }

install_azurite() {
  local dir="$CACHE/azurite-$AZURITE_VERSION"
  if [ ! -x "$dir/node_modules/.bin/azurite-blob" ]; then
    log "npm install azurite@$AZURITE_VERSION"
    mkdir -p "$dir"
    (cd "$dir" && npm install --no-audit --no-fund --silent "azurite@$AZURITE_VERSION" >&2)
  fi
  ln -sf "$dir/node_modules/.bin/azurite-blob" "$BIN/azurite-blob"
}

install_prometheus() { apt_install prometheus; }
install_chromium() { apt_install chromium; }

install_helm() {
  local p=helm.sh/helm/v3/pkg
  go_tool helm "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" \
    "-X $p/chartutil.k8sVersionMajor=1 -X $p/chartutil.k8sVersionMinor=31 -X $p/lint/rules.k8sVersionMajor=1 -X $p/lint/rules.k8sVersionMinor=31"
}

install_tflint() { go_tool tflint "github.com/terraform-linters/tflint@$TFLINT_VERSION"; }
install_staticcheck() { go_tool staticcheck "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION"; }

all=(minio azurite prometheus chromium helm tflint staticcheck)
want=("$@")
[ ${#want[@]} -eq 0 ] && want=("${all[@]}")
for t in "${want[@]}"; do
  case "$t" in
    minio|azurite|prometheus|chromium|helm|tflint|staticcheck) "install_$t" ;;
    *) log "unknown tool '$t' (known: ${all[*]})"; exit 2 ;;
  esac
done
echo "$BIN"
