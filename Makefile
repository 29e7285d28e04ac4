# Braid: build, test and benchmark entry points. `make run` and `make test` are the two
# commands a newcomer needs; see README.md.
SHARED ?= ../shared
SWIFT ?= swift
BRAID := .build/release/braid
DEB_PACKAGES := libsecp256k1-dev liblmdb-dev libcurl4-openssl-dev zlib1g-dev pkg-config python3
BLOCKS := transfers-2 transfers-100 transfers-10000 hot-recipient erc20-100 erc20-10000 amm-1 amm-100 chain mixed

.PHONY: deps build test run bench bench-rpc clean

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
	BRAID=$(BRAID) python3 scripts/crash-test.py
	BRAID=$(BRAID) scripts/web3-test.sh

# A dev chain on 127.0.0.1:8545 (chain id 1337, the ten well-known dev accounts), kept in
# ./braid-data: stop it and run again to continue the same chain; delete it to start over.
run: build
	$(BRAID) serve --dev --http-host 127.0.0.1 --http-port 8545 --data-dir ./braid-data

bench: build
	$(BRAID) bench execute $(foreach b,$(BLOCKS),$(SHARED)/bench/blocks/$(b).json.gz) --runs 5 --json

# JSON-RPC end to end: a server started with the block as genesis, the block's signed
# transactions submitted over keep-alive connections, timed to receipt. See README.md.
bench-rpc: build
	SHARED=$(SHARED) BRAID=$(BRAID) scripts/bench-rpc.sh

clean:
	rm -rf .build
