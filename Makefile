# Nanoforge build, run, test and benchmark entry points.
GO      ?= go
BIN     := bin
SERVER  ?= server
GOFLAGS ?=
TEST_TIMEOUT ?= 14m

.PHONY: all build deps test-deps run store test test-short vet fmt bench pgo clean

all: build

deps:
	@./scripts/install-deps.sh

build: deps
	$(GO) build $(GOFLAGS) -o $(BIN)/nanoforge ./cmd/nanoforge
	$(GO) build $(GOFLAGS) -o $(BIN)/nanoforge-store ./cmd/nanoforge-store

# Builds the server and starts it in ./$(SERVER) with the example packages.
run: build
	./scripts/run-example.sh $(SERVER)

# Starts the Store on 127.0.0.1:8080 with SQLite and ./store-data.
store: build
	./$(BIN)/nanoforge-store

vet:
	$(GO) vet ./...

fmt:
	gofmt -l -w .

test-deps:
	@./scripts/install-deps.sh --test

test: test-deps vet
	@test -z "$$(gofmt -l .)" || (echo "gofmt needed on:"; gofmt -l .; exit 1)
	$(GO) test -race -timeout $(TEST_TIMEOUT) ./...
	@if [ -f /usr/include/mimalloc.h ]; then \
		echo "$(GO) test -race -tags mimalloc ./internal/lua/"; $(GO) test -race -tags mimalloc ./internal/lua/; \
	else echo "skipping the build with the tag mimalloc: libmimalloc-dev is not installed"; fi

test-short: test-deps
	$(GO) test -short ./...

bench: test-deps
	./scripts/bench.sh

# Regenerates cmd/nanoforge/default.pgo, the profile the server is built with.
pgo: test-deps
	./scripts/pgo-profile.sh

clean:
	rm -rf $(BIN)
