# Braid: build, test and benchmark entry points. `make run` and `make test` are the two
# commands a newcomer needs; see README.md.
SHARED ?= ../shared
SWIFT ?= swift
BRAID := .build/release/braid
DEB_PACKAGES := libsecp256k1-dev liblmdb-dev libcurl4-openssl-dev zlib1g-dev pkg-config
BLOCKS := transfers-2 transfers-100 transfers-10000 hot-recipient erc20-100 erc20-10000 amm-1 amm-100 chain mixed

.PHONY: deps build test run bench clean

# Installs the system libraries the package links, only when one is missing.
deps:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
	  $$sudo apt-get update && $$sudo apt-get install -y $$missing; \
	fi

build: deps
	$(SWIFT) build -c release

test: deps
	$(SWIFT) test
	$(SWIFT) build -c release
	SHARED=$(SHARED) BRAID=$(BRAID) scripts/statetests.sh
	SHARED=$(SHARED) BRAID=$(BRAID) scripts/cli-errors.sh

# Until the node exists: the dev conformance suite.
run: build
	SHARED=$(SHARED) BRAID=$(BRAID) scripts/statetests.sh --dev-only

bench: build
	$(BRAID) bench execute $(foreach b,$(BLOCKS),$(SHARED)/bench/blocks/$(b).json.gz) --runs 5 --json

clean:
	rm -rf .build
