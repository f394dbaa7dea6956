# semak — make targets. `make help` lists them.
GO        ?= go
BIN       := $(CURDIR)/bin
GOLANGCI  := $(BIN)/golangci-lint
GOLANGCI_VERSION := v2.15.0
FUZZTIME  ?= 10s
GOFILES    = $(shell find . -name '*.go' -not -path './bin/*' -not -path './semak-data/*')

.PHONY: help setup build test lint fuzz bench demo clean

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

setup: ## install what tests and the demo need (Debian packages, Go modules)
	@./scripts/setup.sh

build: ## build bin/semak
	$(GO) build -o $(BIN)/semak ./cmd/semak

test: setup ## gofmt, go vet and every test with the race detector
	@out=$$(gofmt -l $(GOFILES)); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) test -race ./...

$(GOLANGCI):
	GOBIN=$(BIN) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VERSION)

lint: $(GOLANGCI) ## golangci-lint with the import rules of ARCHITECTURE.md
	$(GOLANGCI) run ./...

fuzz: ## run every fuzz target for FUZZTIME (default 10s) and print executions
	@./scripts/fuzz.sh $(FUZZTIME)

bench: ## run the benchmarks and print a comparison table
	@./scripts/bench.sh

demo: build ## inspect the fixture samples with the semak CLI
	@./scripts/demo.sh $(BIN)/semak

clean: ## remove build output
	rm -rf $(BIN)
