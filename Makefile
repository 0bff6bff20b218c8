# fedcost — build, test, lint. `make help` lists the targets.
SHELL := /bin/bash
GO ?= go
export GOFLAGS := -buildvcs=false
FEDCOST_CACHE ?= $(HOME)/.cache/fedcost
TOOLS_BIN := $(FEDCOST_CACHE)/bin
export PATH := $(TOOLS_BIN):$(PATH)
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/fedcost/fedcost/shared/version.Version=$(VERSION)
FUZZTIME ?= 3s
BENCHTIME ?= 1x
TEST_TIMEOUT ?= 30m

.PHONY: help build test test-go fuzz-smoke fuzz lint tools bench package demo clean

help: ## this list
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

build: ## bin/fedcost and bin/fedcost-agent
	$(GO) build -ldflags '$(LDFLAGS)' -o bin/fedcost ./functions/cmd/fedcost
	$(GO) build -ldflags '$(LDFLAGS)' -o bin/fedcost-agent ./agent/cmd/fedcost-agent

package: ## dist/fedcost-lambda-{arm64,amd64}.zip (bootstrap, provided.al2023) and dist/fedcost-gcf-source.zip
	GO=$(GO) DIST=dist LDFLAGS='$(LDFLAGS)' scripts/package.sh

tools: ## install the real servers and tools the tests use (cached in ~/.cache/fedcost)
	scripts/install-tools.sh >/dev/null

test: tools ## everything: unit, acceptance on real servers, fuzz smoke, infra checks (the README's test command)
	FEDCOST_REQUIRE_TOOLS=1 scripts/gotest.sh -race -count=1 -timeout $(TEST_TIMEOUT) ./...
	scripts/gotest.sh -count=1 -run TestRandomSchedules ./shared/ingest -schedules 1000
	$(MAKE) --no-print-directory fuzz-smoke

FUZZ_TARGETS := $(shell grep -rl --include='*_test.go' '^func Fuzz' shared agent functions 2>/dev/null | xargs -r -n1 dirname | sort -u)

fuzz-smoke: ## run every fuzz target briefly (FUZZTIME, default 3s)
	@for d in $(FUZZ_TARGETS); do \
	  for f in $$(grep -h '^func Fuzz' $$d/*_test.go | sed 's/func \(Fuzz[A-Za-z0-9_]*\).*/\1/'); do \
	    echo "fuzz $$d $$f ($(FUZZTIME))"; \
	    $(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) ./$$d || exit 1; \
	  done; \
	done

fuzz: ## run every fuzz target longer
	$(MAKE) fuzz-smoke FUZZTIME=60s

lint: ## gofmt, go vet, staticcheck
	@out=$$(gofmt -l agent functions shared); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	scripts/install-tools.sh staticcheck >/dev/null
	staticcheck ./...

bench: ## benchmarks (BENCHTIME, default 1x; e.g. make bench BENCHTIME=5x)
	$(GO) test -run='^$$' -bench=. -benchmem -benchtime=$(BENCHTIME) -timeout 60m ./...

demo: ## the embedded default: fedcost local + 4 simulated clusters on http://127.0.0.1:9090 (Ctrl-C stops)
	scripts/demo.sh

clean:
	rm -rf bin dist
