#!/usr/bin/env bash
# Offline checks of infra/ alone — the same Go tests `make test` runs for it (infra/infratest):
# terraform fmt / init / validate / test (mocked aws provider), tflint, helm lint --strict,
# helm template + strict decoding of every manifest, bad-values rejection.
#
#   scripts/test-infra.sh             # run (missing tools fail, like `make test`)
#   scripts/test-infra.sh --install   # install helm, tflint and promtool first
#   scripts/test-infra.sh -run Helm   # extra arguments go to `go test`
#
# Needs terraform >= 1.9 on PATH and a filesystem mirror of hashicorp/aws (/opt/tf-plugins or
# FEDCOST_TF_PLUGIN_MIRROR); the test writes its own Terraform CLI config and works on temp copies.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--install" ]; then
  shift
  scripts/install-tools.sh helm tflint prometheus >/dev/null
fi

export PATH="${FEDCOST_CACHE:-$HOME/.cache/fedcost}/bin:$PATH"
export FEDCOST_REQUIRE_TOOLS="${FEDCOST_REQUIRE_TOOLS:-1}"
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
exec go test -count=1 -v "$@" ./infra/...
