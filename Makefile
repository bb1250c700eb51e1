# gridkiosk — the two commands of the README are the contract:
#   make run    installs what it needs, starts the kiosk in simulation mode
#   make test   installs what it needs, runs every test
# Everything else here is for developers.

SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(HOME)/go/bin:$(PATH)
export CGO_ENABLED := 1
# Fyne's colour emoji font is left out of every build and test: no screen
# draws an emoji, and Fyne parses that 4 MB font again for each text
# style, 16 MiB of the kiosk's resident memory (README, Idle cost).
export GOFLAGS := $(strip $(GOFLAGS) -tags=no_emoji)
GO ?= go
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
FUZZTIME ?= 2m
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: all deps deps-arm64 deps-test soak screenshots console-screenshots trial image image-check bundle bundle-keys update-check run test test-race vet fuzz fuzz-short bench lint build build-amd64 build-arm64 screenshot clean voice-pack

all: build

deps:
	@.ci/deps.sh

deps-arm64:
	@.ci/deps.sh arm64

# Xvfb for TestRunSimulateSpeaks: the kiosk's window speaking through aplay.
deps-test:
	@.ci/deps.sh test xvfb

# Fyne cannot parse the "C" locale of a bare system and complains at
# start; the kiosk is Chinese first anyway. Only the kiosk gets it, so the
# shell does not warn about a locale it has not generated.
KIOSK_ENV := $(if $(filter C C.UTF-8 POSIX,$(or $(LC_ALL),$(LANG),C)),LC_ALL=zh_CN.UTF-8)

# With no display (an SSH session, a server), the kiosk runs without its
# window and says where to look instead.
run: deps voice-pack
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
		$(KIOSK_ENV) $(GO) run ./cmd/gridkiosk run --simulate; \
	else \
		echo "make run: no display (DISPLAY is not set): starting the kiosk without its screen."; \
		echo "          Station status: curl http://127.0.0.1:8765/healthz"; \
		$(KIOSK_ENV) $(GO) run ./cmd/gridkiosk serve --simulate; \
	fi

test: deps-test vet fuzz-short test-race test-golden

vet:
	$(GO) vet ./...

# The handwriting accuracy test fails, rather than skips, when deps-test
# did not leave it its data.
test-race: export GRIDKIOSK_HANDWRITING_DATA := required
test-race: export GRIDKIOSK_XVFB := required
# go test's own 10 min limit per package is a wall clock tuned to a quiet
# machine: ui/kiosk under -race beside a busy qemu ran past it.
test-race:
	$(GO) test -race -count=1 -timeout 45m ./...

# The screens' golden images are compared without -race: drawing them under
# the race detector takes minutes and proves nothing more.
test-golden:
	$(GO) test -count=1 -run Golden ./ui/... ./sim/...

# Every fuzz target in turn: `make fuzz` digs for FUZZTIME (2m) each,
# `make test` runs each for 10s.
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
		for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "fuzz $$pkg $$target ($(FUZZTIME))"; \
			if ! $(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) $$pkg >/tmp/gridkiosk-fuzz.log 2>&1; then \
				cat /tmp/gridkiosk-fuzz.log; \
				echo "fuzz: replaying $$target's corpus, including any input it just saved"; \
				$(GO) test -run "^$$target$$" $$pkg || exit 1; \
				grep -q 'testdata/fuzz' /tmp/gridkiosk-fuzz.log && exit 1; \
				echo "fuzz: $$target found no failing input (the engine itself gave up, e.g. on a loaded machine); going on"; \
			fi; \
		done; \
	done

fuzz-short:
	@$(MAKE) --no-print-directory fuzz FUZZTIME=10s

# The kill/restart soak: the station is SIGKILLed and restarted 250 times
# under a faulty network (about 5 minutes), then every record it answered
# 201 for must be at the hub exactly once. The power-cut soak does the same
# with 200 power cuts (a kill, then everything not fsynced dropped, on a
# FUSE file system; about 3 minutes). `make test` runs 20 of each. Both
# summaries are printed together at the end.
soak: deps
	@set -o pipefail; $(GO) test -count=1 -run '^(TestSoak|TestPowerCutSoak)$$' -timeout 30m -v ./sync/soak/ \
		-soak.cycles=250 -powercut.cycles=200 2>&1 | tee /tmp/gridkiosk-soak.log
	@echo "soak figures (soak: SIGKILL and restart; powercut: power cuts):"
	@grep -E '^(soak|powercut): seed=' /tmp/gridkiosk-soak.log

# The drain benchmark moves a 10,000-record backlog per iteration: once is
# a measurement; so is the province benchmark (20,000 stations' backlogs
# and health reports to real gridhub serve processes, on PostgreSQL and
# on bbolt; about 17 minutes, most of it health reports waiting out the
# hub's Retry-After of 60-120 s). The handwriting benchmark prints top-1, top-5 and ms/char
# over the 3,500 level-1 characters. uibench runs the kiosk under Xvfb
# beside a minimal Fyne window: idle CPU, resident memory, tap → next
# frame (README, Guarantees). The durable Put's figures against a
# bare bbolt Update are printed again at the end, where they are found.
bench: export GRIDKIOSK_HANDWRITING_DATA := required
bench: deps
	@.ci/deps.sh bench xvfb
	set -o pipefail; $(GO) test -run '^$$' -bench . -skip 'BenchmarkDrain|BenchmarkProvince' -benchmem -benchtime 2s ./... | tee /tmp/gridkiosk-bench.log
	$(GO) test -run '^$$' -bench BenchmarkDrain -benchtime 1x ./sync/upstream
	set -o pipefail; $(GO) test -run '^$$' -bench BenchmarkProvince -benchtime 1x -timeout 30m ./cmd/gridhub | tee /tmp/gridkiosk-province.log
	@.ci/uibench.sh
	@echo "durable Put (sync/outbox) against a bare bbolt Update of the same data, put/bare; 1 writer, then 1 and 16 writers:"
	@grep -E '^BenchmarkPut' /tmp/gridkiosk-bench.log
	@echo "province scale (cmd/gridhub BenchmarkProvince): 20,000 stations back at once after a 24 h outage:"
	@grep -E '^province ' /tmp/gridkiosk-province.log
	@# gridflash write against bmaptool copy + gridflash verify on the real
	@# amd64 image and a loop device; the image is built only if missing.
	@if [ "$$(id -u)" -ne 0 ]; then echo "gridflash vs bmaptool: not run, it needs root for loop devices (sudo make bench)"; \
	else test -f dist/gridkiosk-amd64.img || $(MAKE) --no-print-directory image ARCH=amd64; \
	images/flash/bench-real.sh dist/gridkiosk-amd64.img; fi

lint: deps
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	@test -z "$$(gofmt -l .)" || { echo "gofmt would change:"; gofmt -l .; exit 1; }

build: voice-pack build-amd64 build-arm64

# The default voice pack: every prompt of ui/voiceprompt spoken by
# espeak-ng's Mandarin voice, one WAV each, and its manifest. Synthetic,
# and marked so; a pack of human recordings replaces it (README, Voice).
# Only prompts whose text changed are spoken again.
VOICE_PACK ?= build/voice
voice-pack: deps
	@nice -n 10 $(GO) run ./cmd/voicepack -out $(VOICE_PACK)

build-amd64: deps
	@mkdir -p bin/linux-amd64
	GOOS=linux GOARCH=amd64 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/linux-amd64/ ./cmd/...

build-arm64: deps-arm64
	@mkdir -p bin/linux-arm64
	GOOS=linux GOARCH=arm64 CC=aarch64-linux-gnu-gcc PKG_CONFIG_PATH=/usr/lib/aarch64-linux-gnu/pkgconfig \
		$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/linux-arm64/ ./cmd/...

# A look at the kiosk as a person sees it: the window under Xvfb, to a PNG.
screenshot:
	@.ci/deps.sh xvfb
	@mkdir -p docs/screenshots
	@.ci/screenshot.sh docs/screenshots/status.png

# Every screen at 1280x800 and 800x480, in Chinese and English, from the
# real window under Xvfb.
screenshots: deps
	@.ci/deps.sh xvfb
	@.ci/screenshots.sh docs/screenshots

# The county console's pages (laptop and phone) from the browser test,
# headless chromium, to docs/console.
console-screenshots: deps-test
	@mkdir -p docs/console
	GRIDKIOSK_CONSOLE_SHOTS=$(abspath docs/console) $(GO) test -count=1 -run TestConsoleInBrowser ./sync/hub/console

# The new-user trials (TestTrials, also in make test): the real window
# under Xvfb tapped through XTEST as a person would, the printed receipt's
# QR read with zbarimg and its page opened in headless chromium; the
# screenshots of each step to docs/trial.
trial: deps-test
	@rm -rf docs/trial && mkdir -p docs/trial
	GRIDKIOSK_XVFB=required GRIDKIOSK_TRIAL_DIR=$(abspath docs/trial) $(GO) test -count=1 -run 'TestTrials$$' -v ./cmd/gridkiosk

ARCH ?= amd64
IMAGE ?= dist/gridkiosk-$(ARCH).img

# The appliance image, Debian 12: amd64 for UEFI PCs, arm64 for Raspberry
# Pi 4 (make image ARCH=arm64). Needs root and Debian's archive; arm64 is
# slow here (package scripts run under qemu-user). Its layout is checked.
# The image's RAUC keyring is the CA of $(BUNDLE_KEYS) (make bundle-keys);
# its system version is VERSION_SYS (default: the last commit's UTC time,
# see images/recipe/version.sh). Debian comes from IMAGE_MIRROR, else this
# machine's own apt sources, else deb.debian.org.
image: build-$(ARCH) voice-pack
	@test -f $(BUNDLE_KEYS)/ca.cert.pem || { echo "no $(BUNDLE_KEYS)/ca.cert.pem: make bundle-keys first (or BUNDLE_KEYS=DIR with your county's keys)" >&2; exit 1; }
	images/recipe/build.sh --binary bin/linux-$(ARCH)/gridkiosk --keyring $(BUNDLE_KEYS)/ca.cert.pem \
		--voice $(VOICE_PACK) $(if $(VERSION_SYS),--version $(VERSION_SYS)) $(ARCH) $(IMAGE)
	GRIDKIOSK_IMAGE=$(abspath $(IMAGE)) GRIDKIOSK_IMAGE_ARCH=$(ARCH) GRIDKIOSK_KEYRING=$(abspath $(BUNDLE_KEYS)/ca.cert.pem) \
		$(GO) test -count=1 -run TestLayout ./images/recipe

# Update signing keys (openssl) into $(BUNDLE_KEYS), outside git: a CA
# whose certificate goes into images, and the certificate bundles are
# signed with. Never overwrites; see images/recipe/bundle-keys.sh.
BUNDLE_KEYS ?= keys
bundle-keys:
	images/recipe/bundle-keys.sh $(BUNDLE_KEYS)

# A signed RAUC bundle (verity) of the image's root slot, for stations
# flashed with an image of the same ARCH and keys: dist/gridkiosk-ARCH-V.raucb.
BUNDLE_FROM ?= $(IMAGE)
bundle:
	images/recipe/bundle.sh --keys $(BUNDLE_KEYS) $(if $(VERSION_SYS),--version $(VERSION_SYS)) $(ARCH) $(BUNDLE_FROM) dist

# Boots the amd64 image in qemu (TCG, OVMF) twice: headless (gridkiosk
# serve) and with a virtual display (cage, Xwayland, gridkiosk run; its
# screen saved as dist/kiosk-screen.png). Each time the station must come
# up, store a record, keep its watchdog fed, and survive a watchdog
# restart. Not part of make test.
image-check:
	@test -f dist/gridkiosk-amd64.img || $(MAKE) --no-print-directory image ARCH=amd64
	images/recipe/check.sh dist/gridkiosk-amd64.img
	CHECK_DISPLAY=1 CHECK_SCREENSHOT=$(abspath dist/kiosk-screen.png) images/recipe/check.sh dist/gridkiosk-amd64.img

# The update story of the amd64 image in qemu (TCG, OVMF), against a
# gridhub on this machine: boot slot A, install a newer bundle into B,
# B boots healthy and is marked good, a bundle that never becomes healthy
# rolls back by itself, and UC_CUTS (10) power cuts (qemu killed) at
# seeded random points (UC_SEED) of download, install and first boot
# each leave a station that boots a good slot with every record kept and
# delivered. Prints each step's time. Needs root; long (an hour or more).
update-check: build-amd64
	@test -f dist/gridkiosk-amd64.img || $(MAKE) --no-print-directory image ARCH=amd64
	BUNDLE_KEYS=$(abspath $(BUNDLE_KEYS)) images/recipe/updatecheck.sh dist/gridkiosk-amd64.img

clean:
	rm -rf bin build
