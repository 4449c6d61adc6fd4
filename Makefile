# Makefile for classmate. `make test` is what CI runs (through .ci/run).
#
# The stack (MariaDB primary and replica, Redis) is started by
# scripts/stack.sh, and the CLASSMATE_* variables the services and tests read
# come from `scripts/stack.sh env`, so they follow CLASSMATE_STACK_*_PORT.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

GO    ?= go
STACK := scripts/stack.sh
ES    := scripts/elasticsearch.sh
# The staticcheck release named 2025.1.1 is module version v0.6.1 (a bare
# @2025.1.1 does not resolve). We use 2026.2.2 (v0.8.2), the first release
# line built for Go 1.26, which this module requires.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
# Go files outside the hidden directories (.data, .cache, .git) and bin/.
GOFILES = $(shell find . -path './.*' -prune -o -path ./bin -prune -o -name '*.go' -print)

.PHONY: all stack stack-down elasticsearch build test lint run clean tools tf-check compose-check prom-check ci-check ops-check

all: build

stack:
	$(STACK) up

stack-down:
	$(STACK) down

build:
	$(GO) build -o bin/ ./cmd/...

# elasticsearch starts the single-node Elasticsearch of the search tests;
# `make test` exports its CLASSMATE_ES_URL. Outside CI a failure to start it
# only makes those tests skip; with CI=true it fails the build.
elasticsearch:
	$(ES) up || { [[ $${CI:-} != true ]] && echo "make: Elasticsearch is unavailable; its tests will skip" >&2; }

test: stack elasticsearch jmeter-tools
	$(MAKE) ops-check
	eval "$$($(STACK) env)"; eval "$$($(ES) env)"; \
	$(GO) vet ./...; \
	$(GO) test -race -count=1 -timeout 20m ./...

lint:
	@unformatted="$$(gofmt -l $(GOFILES))"; \
	if [[ -n $$unformatted ]]; then \
		echo "gofmt -l: these files need gofmt -w:"; echo "$$unformatted"; exit 1; \
	fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

# run loads the demo data, then runs the core (:8081) and the gate (:8080)
# in the foreground. Ctrl-C (or either one stopping) stops both.
run: stack
	eval "$$($(STACK) env)"; \
	export CLASSMATE_ENV=development; \
	$(GO) run ./cmd/seed; \
	$(GO) build -o bin/ ./cmd/core ./cmd/gate; \
	pids=(); \
	stop() { trap - INT TERM; kill -TERM "$${pids[@]}" 2>/dev/null || true; wait; }; \
	trap stop INT TERM; \
	bin/core & pids+=($$!); \
	bin/gate & pids+=($$!); \
	wait -n || true; \
	stop

clean:
	$(STACK) down
	$(ES) down
	rm -rf .data bin

# Operations checks (terraform/, docker-compose.yml, infra/): their tools are
# built from the Go module proxy and npm and cached outside the repository,
# in $${XDG_CACHE_HOME:-$$HOME/.cache}/classmate. See tools/ops.sh.
OPS := tools/ops.sh

tools:
	$(OPS) tools

tf-check:
	$(OPS) tf-check

compose-check:
	$(OPS) compose-check

prom-check:
	$(OPS) prom-check

ci-check:
	$(OPS) ci-check

ops-check:
	$(OPS) ops-check

# release builds the tarball the AWS instances install (terraform/README.md):
# make release VERSION=v0.1.0 [ARCH=arm64|amd64]
ARCH ?= arm64
.PHONY: release
release:
	@[[ -n "$(VERSION)" ]] || { echo "usage: make release VERSION=v0.1.0 [ARCH=arm64|amd64]" >&2; exit 2; }
	rm -rf bin/release/stage && mkdir -p bin/release/stage
	CGO_ENABLED=0 GOOS=linux GOARCH=$(ARCH) $(GO) build -trimpath -ldflags='-s -w' -o bin/release/stage/ ./cmd/core ./cmd/gate ./cmd/indexer
	tar -C bin/release/stage -czf bin/release/classmate-$(VERSION)-linux-$(ARCH).tar.gz core gate indexer
	@echo "bin/release/classmate-$(VERSION)-linux-$(ARCH).tar.gz"

# Benchmarks and load tests (issue 5). bench runs S1–S6 of BENCHMARKS.md at
# short sizes (under ten minutes) on a stack of its own (database
# classmate_bench, Redis prefix bench:, core :18081, gate :18080), started
# and stopped by scripts/bench.sh; bench-full runs the full sizes, three runs
# each. Results and the HTML report land in .data/bench/latest/.
# jmeter runs a short JMeter plan headless the same way (JMETER_PLAN,
# JMETER_THREADS, JMETER_DURATION; JMETER_TARGET=host:port aims it at a
# running gate instead) and fails on any failed sample; students-csv writes
# the plans' CSV files into .cache/jmeter/. See scripts/jmeter/README.md.
.PHONY: bench bench-full jmeter jmeter-tools students-csv

bench:
	scripts/bench.sh short

bench-full:
	scripts/bench.sh full

jmeter-tools:
	scripts/jmeter/tools.sh

students-csv:
	mkdir -p .cache/jmeter
	$(GO) run ./cmd/loadgen students-csv -n $${JMETER_STUDENTS:-20000} -out .cache/jmeter/students.csv
	$(GO) run ./cmd/loadgen queries-csv -out .cache/jmeter/queries.csv

jmeter: jmeter-tools students-csv
	if [[ -n "$${JMETER_TARGET:-}" ]]; then \
		scripts/jmeter/run.sh "$$JMETER_TARGET"; \
	else \
		scripts/bench.sh jmeter; \
	fi
