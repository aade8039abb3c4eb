# Wenban build and test entry points. `make run` and `make test` are all a
# newcomer needs; see README.md.

GO        ?= go
BIN       := bin/wenban
DATA      ?= $(CURDIR)/var/data
LISTEN    ?= 127.0.0.1:8080
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X main.version=$(VERSION)

.PHONY: all deps build run test test-short bench generate check-generate vet clean image image-test

all: build

# Installs the Debian packages the build and the tests need when they are
# missing (packaging/deps.sh; apt-get through sudo when not root).
deps:
	packaging/deps.sh build $(if $(filter test test-short,$(MAKECMDGOALS)),test)

# One statically linked binary with libvpx and libopus inside, for the
# kiosk's encoders (docs/third-party.md lists the C libraries). netgo and
# osusergo keep glibc's NSS, which a static binary cannot load, out of the
# build. mediadevices' `dynamic` tag makes its Opus package link libopus
# through pkg-config, which with -static picks Debian's libopus.a, in place
# of the prebuilt archive that mediadevices ships.
BUILD_TAGS := netgo,osusergo,dynamic

build: deps
	CGO_ENABLED=1 $(GO) build -trimpath -tags $(BUILD_TAGS) \
		-ldflags '$(LDFLAGS) -linkmode external -extldflags "-static"' -o $(BIN) ./cmd/wenban

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

test: deps vet
	$(GO) test -count=1 -timeout 20m ./...

test-short: deps
	$(GO) test -short -count=1 ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./appliance/bot/...

# Appliance disk image from Debian bookworm packages, as root, into
# $(IMAGE_DIR) (packaging/image/README.md lists the packages). The
# mmdebstrap tree is cached there, so a rebuild takes under a minute.
IMAGE_DIR ?= $(CURDIR)/var/image

image: build
	packaging/deps.sh image
	packaging/image/build.sh $(IMAGE_DIR)

# Builds a test variant of the image (root autologin on the serial
# console, as wenban-test.raw, packed with the faster lz4) and boots it
# under QEMU with OVMF and swtpm: provisioning, a good update that must be
# blessed, a broken one that must roll back. docs/benchmarks.md records
# its run time.
image-test: build
	packaging/deps.sh image
	EROFS_COMPRESSION=lz4 TEST_CONSOLE=yes packaging/image/build.sh $(IMAGE_DIR)
	EROFS_COMPRESSION=lz4 packaging/image/test/run.sh $(IMAGE_DIR)

clean:
	rm -rf bin
