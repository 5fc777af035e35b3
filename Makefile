# The two commands of the project: `make run` (the main job on its embedded default) and
# `make test` (the whole test suite). Both install the Debian packages they need first.

APT_PACKAGES := libzmq3-dev libopenblas-dev libhdf5-dev pkg-config zlib1g-dev
# Release builds: the numeric tests run 10-50x faster than in debug; -enable-testing keeps
# @testable imports working.
SWIFT_FLAGS := -c release -Xswiftc -enable-testing
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SPARSESEG := .build/release/sparseseg

.PHONY: deps build test run

## deps: install the system libraries with apt-get, only those missing, and h5py (PyPI) for
## the test that proves a Python user can read our dataset files.
deps:
	@missing=$$(for p in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@python3 -c "import h5py" 2>/dev/null || python3 -m pip install -q h5py

## build: the sparseseg command, release build.
build: deps
	swift build $(SWIFT_FLAGS) --product sparseseg

## test: the whole suite, release build.
test: deps
	swift test $(SWIFT_FLAGS)

## run: the main job on its embedded default.
run: build
	$(SPARSESEG) info
