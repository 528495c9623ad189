# The two commands a newcomer needs: `make demo` and `make test`.
# Both install missing Debian packages first, then build incrementally.

JOBS ?= $(shell nproc)
SOURCES_DIRS := base openpgp pins keyring tls transport fetch endpoint xmpp s2s cli tests interop bench fuzz

.PHONY: all demo test deps build build-asan test-build test-asan fuzz format format-check clean

all: build

deps:
	scripts/install-deps

# build/ is the Release build the demo and the benchmarks use. Its test
# programs are not built: build-asan/ builds and runs every test, so the
# Release build adds only the program's own runs (cli.demo, cli.usage) and
# the GCC -Werror compile of every library, the program and the benchmarks.
# Configure with -DPGPTLS_TESTS=ON to run the unit tests in Release too.
build/build.ninja:
	cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DPGPTLS_TESTS=OFF

build: deps build/build.ninja
	cmake --build build -j $(JOBS)

# build-asan/ uses clang so that the same build also makes the libFuzzer
# targets; ASan and UBSan stop at the first report. The benchmarks are
# built (and so compile-checked) in build/ only: no test runs them, and
# their speed under ASan says nothing.
build-asan/build.ninja:
	CXX=clang++ CC=clang cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug \
	  -DPGPTLS_SANITIZE=ON -DPGPTLS_FUZZ=ON -DPGPTLS_BENCH=OFF

build-asan: deps build-asan/build.ninja
	cmake --build build-asan -j $(JOBS)

# The demo needs only the program: no test or benchmark is compiled first.
demo: deps build/build.ninja
	cmake --build build --target pgptls -j $(JOBS)
	./build/cli/pgptls demo

# What runs where: build/ (GCC, Release) runs the program as an operator
# gets it (cli.demo, cli.usage); build-asan/ (clang, ASan+UBSan) runs every
# test once: unit, end to end (the program, real peers and tools), and the
# fuzz smoke from the seeds.
test-build: build
	cd build && ctest --output-on-failure -j $(JOBS)

test-asan: build-asan
	cd build-asan && ctest --output-on-failure -j $(JOBS)

test: deps format-check
	$(MAKE) test-build
	$(MAKE) test-asan

# Longer fuzzing than the smoke of `make test`: FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 300
fuzz: build-asan
	cd build-asan && PGPTLS_FUZZ_SECONDS=$(FUZZ_SECONDS) ctest --output-on-failure -j $(JOBS) -R '^fuzz\.'

format-check:
	@files=$$(git ls-files --cached --others --exclude-standard -- $(addsuffix /*.cpp,$(SOURCES_DIRS)) $(addsuffix /*.h,$(SOURCES_DIRS))); \
	  if [ -n "$$files" ]; then clang-format --dry-run --Werror $$files; fi
	@echo "format-check: ok"

format:
	@files=$$(git ls-files --cached --others --exclude-standard -- $(addsuffix /*.cpp,$(SOURCES_DIRS)) $(addsuffix /*.h,$(SOURCES_DIRS))); \
	  if [ -n "$$files" ]; then clang-format -i $$files; fi

clean:
	rm -rf build build-asan
