# The two commands a newcomer needs: `make demo` and `make test`.
# Both install missing Debian packages first, then build incrementally.

JOBS ?= $(shell nproc)
SOURCES_DIRS := base openpgp pins keyring tls transport fetch endpoint xmpp s2s cli tests interop bench fuzz

.PHONY: all demo test deps build build-asan test-build test-asan format format-check clean

all: build

deps:
	scripts/install-deps

build/build.ninja:
	cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release

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

# What runs where: build/ (GCC, Release) runs the unit tests, the demo and
# the fuzz seed replay; build-asan/ (clang, ASan+UBSan) runs everything,
# the end-to-end tests (label end_to_end: the program, real peers and
# tools) only there, so every test runs once under the sanitizers and the
# slow ones are not run twice.
test-build: build
	cd build && ctest --output-on-failure -j $(JOBS) -LE end_to_end

test-asan: build-asan
	cd build-asan && ctest --output-on-failure -j $(JOBS)

test: deps format-check
	$(MAKE) test-build
	$(MAKE) test-asan

format-check:
	@files=$$(git ls-files --cached --others --exclude-standard -- $(addsuffix /*.cpp,$(SOURCES_DIRS)) $(addsuffix /*.h,$(SOURCES_DIRS))); \
	  if [ -n "$$files" ]; then clang-format --dry-run --Werror $$files; fi
	@echo "format-check: ok"

format:
	@files=$$(git ls-files --cached --others --exclude-standard -- $(addsuffix /*.cpp,$(SOURCES_DIRS)) $(addsuffix /*.h,$(SOURCES_DIRS))); \
	  if [ -n "$$files" ]; then clang-format -i $$files; fi

clean:
	rm -rf build build-asan
