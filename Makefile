# ssoconform: `make help` lists the targets. Two of them set up everything on a fresh Debian machine:
# `make conformance` (the main job) and `make test`.

GO        ?= go
BIN       := $(CURDIR)/bin
OUT       := $(CURDIR)/out
GINKGO    := $(GO) tool ginkgo
# golangci-lint is pinned here (not in go.mod: its dependency graph would leak into ours) and built once
# into bin/. It runs staticcheck among its linters.
GOLANGCI_LINT_VERSION := v2.15.0
GOLANGCI_LINT := $(BIN)/golangci-lint

export SSOCONFORM_REFAPP_BIN := $(BIN)/refapp
export SSOCONFORM_REPORT_DIR := $(OUT)

.DEFAULT_GOAL := help
.PHONY: help deps build test unit conformance selftest lint check-imports run bench images clean docs

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-15s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

deps: ## install what a fresh Debian machine lacks (Chromium from Debian); quick when all is there
	@bash scripts/install-deps.sh

build: ## build ssoconform, mockidp and refapp into bin/
	$(GO) build -o $(BIN)/ ./cmd/...

test: deps build ## run the unit tests, the store suite (SQLite and PostgreSQL), the conformance suite (under go test) and the container path (with Docker)
	@rm -f $(OUT)/containers.txt
	@bash scripts/with-postgres.sh $(GO) test -count=1 -timeout 30m ./...; \
		status=$$?; cat $(OUT)/containers.txt 2>/dev/null || true; exit $$status

unit: ## run the unit tests only (no browser suite)
	$(GO) test -count=1 $$($(GO) list ./... | grep -v '/specs$$')

conformance: deps build ## run every spec against the reference stack; reports in out/ (junit.xml, report.json, report.html)
	@mkdir -p $(OUT) && rm -f $(OUT)/summary.txt
	@bash scripts/with-postgres.sh $(GINKGO) -p --randomize-all --fail-on-pending --fail-on-empty --poll-progress-after=60s \
		--junit-report=junit.xml --json-report=report.json --output-dir=$(OUT) ./specs; \
		status=$$?; cat $(OUT)/summary.txt 2>/dev/null || echo "no summary: the suite did not finish"; exit $$status

selftest: deps build ## prove the specs fail when they should: SCIM specs against broken SCIM servers, SSO/settings/provisioning specs against refapp with each defence off (prints the table)
	SSOCONFORM_SELFTEST_SSO=1 $(GO) test -count=1 -timeout 60m -v -run 'TestSelfTestBrokenTargets|TestSelfTestSSODefences' ./cmd/ssoconform

lint: $(GOLANGCI_LINT) ## gofmt, go vet, golangci-lint (with staticcheck)
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GOLANGCI_LINT) run ./...

$(GOLANGCI_LINT):
	GOBIN=$(BIN) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)

bench: build ## run the benchmarks (mock flows and signing rate, SCIM push and filter, browser sign-in) and print the figures
	$(GO) test -run '^$$' -bench "$(or $(BENCH),.)" -benchmem -timeout 60m $$($(GO) list ./... | grep -v '/specs$$')

images: ## build the ssoconform/refapp, mockidp and ssoconform images FROM scratch, tagged with the version (needs Docker)
	@bash scripts/build-images.sh

docs: build ## write docs/conformance.md, the SCIM spec catalogue, from the specs (a test fails when it is stale)
	@mkdir -p docs && $(BIN)/ssoconform list --markdown > docs/conformance.md

check-imports: ## fail on any import the architecture's rules forbid
	$(GO) run ./scripts/checkimports ./...

run: build ## start the reference stack for a developer: mock Okta + refapp + mail sink, printing URLs and credentials
	$(BIN)/ssoconform stack --refapp-bin $(BIN)/refapp --config fixtures/orgs/example.yaml

clean: ## remove bin/ and out/
	rm -rf $(BIN) $(OUT)
