# Makefile for classmate. `make test` is what CI runs (through .ci/run).
#
# The stack (MariaDB primary and replica, Redis) is started by
# scripts/stack.sh, and the CLASSMATE_* variables the services and tests read
# come from `scripts/stack.sh env`, so they follow CLASSMATE_STACK_*_PORT.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

GO    ?= go
STACK := scripts/stack.sh
# The staticcheck release named 2025.1.1 is module version v0.6.1 (a bare
# @2025.1.1 does not resolve). We use 2026.2.2 (v0.8.2), the first release
# line built for Go 1.26, which this module requires.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
# Go files outside the hidden directories (.data, .cache, .git) and bin/.
GOFILES = $(shell find . -path './.*' -prune -o -path ./bin -prune -o -name '*.go' -print)

.PHONY: all stack stack-down build test lint run clean

all: build

stack:
	$(STACK) up

stack-down:
	$(STACK) down

build:
	$(GO) build -o bin/ ./cmd/...

test: stack
	eval "$$($(STACK) env)"; \
	$(GO) vet ./...; \
	$(GO) test -race -count=1 -timeout 20m ./...

lint:
	@unformatted="$$(gofmt -l $(GOFILES))"; \
	if [[ -n $$unformatted ]]; then \
		echo "gofmt -l: these files need gofmt -w:"; echo "$$unformatted"; exit 1; \
	fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

run: stack
	eval "$$($(STACK) env)"; \
	export CLASSMATE_ENV=development; \
	$(GO) run ./cmd/seed && exec $(GO) run ./cmd/core

clean:
	$(STACK) down
	rm -rf .data bin
