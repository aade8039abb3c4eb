# Wenban build and test entry points. `make run` and `make test` are all a
# newcomer needs; see README.md.

GO        ?= go
BIN       := bin/wenban
DATA      ?= $(CURDIR)/var/data
LISTEN    ?= 127.0.0.1:8080
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X main.version=$(VERSION)

.PHONY: all build run test test-short bench generate check-generate vet clean

all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/wenban

# Starts the hub on the embedded defaults with its data inside the
# checkout. Outside the default working hours 转人工 becomes a 留言 form;
# run `WENBAN_HOURS_ALWAYS_OPEN=true make run` to try the seats at any hour.
run: build
	$(BIN) serve --data $(DATA) --listen $(LISTEN)

generate:
	$(GO) tool templ generate -path ui

# Fails when the committed *_templ.go files are not what the pinned
# generator makes from the .templ sources.
check-generate:
	$(GO) tool templ generate -path ui
	git diff --exit-code -- '*_templ.go'

vet:
	$(GO) vet ./...

test: vet
	$(GO) test -count=1 -timeout 20m ./...

test-short:
	$(GO) test -short -count=1 ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./appliance/bot/...

clean:
	rm -rf bin
