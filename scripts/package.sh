#!/usr/bin/env bash
# package.sh — build the deployable function artifacts (`make package`).
#
#   dist/fedcost-lambda-arm64.zip   AWS Lambda, runtime provided.al2023, arm64: one file, `bootstrap`
#   dist/fedcost-lambda-amd64.zip   the same for x86_64
#   dist/fedcost-gcf-source.zip     Cloud Functions gen2 (Go) source: go.mod, go.sum, a root package
#                                   importing functions/gcf (entry points FedcostIngest and
#                                   FedcostReconcile), and only the fedcost packages it needs
#
# Usage: scripts/package.sh [all|lambda|gcf]   (default all)
# Environment: DIST (output directory, default dist/), GO (default go), LDFLAGS (default "-s -w"),
#   CHECK=0 skips building the staged GCF source (offline, from the module cache) before zipping.
# Zips are written by a small Go helper (no zip binary needed) with sorted entries and a fixed
# timestamp, so the same tree gives the same bytes.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIST=${DIST:-$ROOT/dist}
GO=${GO:-go}
LDFLAGS=${LDFLAGS:--s -w}
CHECK=${CHECK:-1}
WHAT=${1:-all}
MODULE=github.com/fedcost/fedcost

case "$WHAT" in all|lambda|gcf) ;; *) echo "usage: $0 [all|lambda|gcf]" >&2; exit 2 ;; esac
mkdir -p "$DIST"
DIST=$(cd "$DIST" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# zipdir DIR OUT: zip DIR's tree into OUT (executables keep mode 0755).
mkdir -p "$WORK/zipper"
cat >"$WORK/zipper/main.go" <<'EOF'
package main

import (
	"archive/zip"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"
)

func main() {
	dir, out := os.Args[1], os.Args[2]
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files = append(files, p)
		}
		return err
	})
	check(err)
	sort.Strings(files)
	f, err := os.Create(out)
	check(err)
	zw := zip.NewWriter(f)
	stamp := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, p := range files {
		rel, _ := filepath.Rel(dir, p)
		fi, err := os.Stat(p)
		check(err)
		h := &zip.FileHeader{Name: filepath.ToSlash(rel), Method: zip.Deflate, Modified: stamp}
		mode := fs.FileMode(0o644)
		if fi.Mode()&0o111 != 0 {
			mode = 0o755
		}
		h.SetMode(mode)
		w, err := zw.CreateHeader(h)
		check(err)
		b, err := os.ReadFile(p)
		check(err)
		_, err = w.Write(b)
		check(err)
	}
	check(zw.Close())
	check(f.Close())
}

func check(err error) {
	if err != nil {
		os.Stderr.WriteString("zip: " + err.Error() + "\n")
		os.Exit(1)
	}
}
EOF
(cd "$WORK/zipper" && GOFLAGS= GO111MODULE=on "$GO" mod init zipper >/dev/null 2>&1 && GOFLAGS= "$GO" build -o "$WORK/zip" .)
zipdir() { rm -f "$2"; "$WORK/zip" "$1" "$2"; }

cd "$ROOT"

if [[ $WHAT == all || $WHAT == lambda ]]; then
  for arch in arm64 amd64; do
    mkdir -p "$WORK/lambda-$arch"
    CGO_ENABLED=0 GOOS=linux GOARCH=$arch "$GO" build -trimpath -ldflags "$LDFLAGS" \
      -o "$WORK/lambda-$arch/bootstrap" ./functions/lambda/cmd/bootstrap
    chmod 0755 "$WORK/lambda-$arch/bootstrap"
    zipdir "$WORK/lambda-$arch" "$DIST/fedcost-lambda-$arch.zip"
    echo "$DIST/fedcost-lambda-$arch.zip"
  done
fi

if [[ $WHAT == all || $WHAT == gcf ]]; then
  STAGE=$WORK/gcf
  mkdir -p "$STAGE"
  cp go.mod go.sum "$STAGE/"
  [[ -f LICENSE ]] && cp LICENSE "$STAGE/"
  # The fedcost packages functions/gcf needs, as Cloud Build (linux) will compile them.
  GOOS=linux GOARCH=amd64 CGO_ENABLED=0 "$GO" list -deps \
    -f '{{if not .Standard}}{{.ImportPath}}|{{.Dir}}|{{join .GoFiles " "}} {{join .EmbedFiles " "}}{{end}}' \
    ./functions/gcf | grep "^$MODULE/" | while IFS='|' read -r pkg dir files; do
      rel=${pkg#"$MODULE/"}
      mkdir -p "$STAGE/$rel"
      for f in $files; do
        mkdir -p "$(dirname "$STAGE/$rel/$f")"
        cp "$dir/$f" "$STAGE/$rel/$f"
      done
    done
  cat >"$STAGE/function.go" <<'EOF'
// Package fedcost is the root of the Cloud Functions source: importing functions/gcf registers
// the entry points FedcostIngest (CloudEvent) and FedcostReconcile (HTTP).
package fedcost

import _ "github.com/fedcost/fedcost/functions/gcf"
EOF
  if [[ $CHECK == 1 ]]; then
    (cd "$STAGE" && GOFLAGS=-mod=mod GOPROXY=off GOWORK=off "$GO" build ./...) || {
      echo "package.sh: the staged GCF source does not build" >&2; exit 1; }
  fi
  zipdir "$STAGE" "$DIST/fedcost-gcf-source.zip"
  echo "$DIST/fedcost-gcf-source.zip"
fi
