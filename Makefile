# The two commands of the project: `make run` (the main job on its embedded default) and
# `make test` (the whole test suite). Both install the Debian packages they need first.

# The system libraries the build links.
LIBRARIES := libzmq3-dev libopenblas-dev libhdf5-dev pkg-config zlib1g-dev
# What the tests need besides: a single-node Slurm for the launch test.
TEST_PACKAGES := slurmctld slurmd slurm-client munge
# Release builds: the numeric tests run 10-50x faster than in debug; -enable-testing keeps
# @testable imports working.
SWIFT_FLAGS := -c release -Xswiftc -enable-testing
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SPARSESEG := .build/release/sparseseg
EXPERIMENT ?= experiments/quick.yaml

.PHONY: deps test-deps apt build test test-unit test-integration run

## deps: install the system libraries with apt-get, only those missing.
deps:
	@$(MAKE) --no-print-directory apt PACKAGES="$(LIBRARIES)"

## test-deps: the libraries, Slurm and munge, and from PyPI the readers that check our files
## independently: h5py (dataset files), nibabel (NIfTI exports), tensorboard (event files).
test-deps:
	@$(MAKE) --no-print-directory apt PACKAGES="$(LIBRARIES) $(TEST_PACKAGES)"
	@python3 -c "import h5py" 2>/dev/null || python3 -m pip install -q h5py
	@python3 -c "import nibabel" 2>/dev/null || python3 -m pip install -q nibabel
	@python3 -c "import tensorboard" 2>/dev/null || python3 -m pip install -q tensorboard

apt:
	@missing=$$(for p in $(PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

## build: the sparseseg command, release build.
build: deps
	swift build $(SWIFT_FLAGS) --product sparseseg

## test: the whole suite, release build. `swift test` builds every target, so the tests find
## .build/release/sparseseg and sparseseg-testing (the same command line with the runner's
## test jobs, which the runner's tests start) beside their bundle.
test: test-deps
	swift test $(SWIFT_FLAGS)

# The integration tests: whole training jobs, the sparseseg binary, worker processes, Slurm.
# Everything else is a unit test of one module, fast enough to run after every change.
INTEGRATION := MethodTrainingTests|SlurmLaunchTests|SmokeRunTests|ResumeTests|TrainCommandTests|ClusterTests|ExampleMethodTests|EvaluateCommandTests|BadInputTests|HostileInputTests|HostilePeerTests|CommandLineTests|SSHLaunchTests|WorkerProtocolTests|DataCommandTests|LocalWorkersTests|BenchmarkTests|ReportCommandTests|SparseSegCommandTests|LabelFirewallTests|ValidationTests|ScalarsLogTests|ExportTests|PseudoLabelFilesTests|EventFileTests

## test-unit: the unit tests only (about a minute); test-integration: the rest.
test-unit: deps
	swift test $(SWIFT_FLAGS) --skip '^[A-Za-z]+Tests\.($(INTEGRATION))/'

test-integration: test-deps
	swift test $(SWIFT_FLAGS) --filter '^[A-Za-z]+Tests\.($(INTEGRATION))/'

## run: the quick Table 1 on this machine (a coordinator and local workers), report in runs/.
run: build
	$(SPARSESEG) run $(EXPERIMENT)
