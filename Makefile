# shoseki: the two commands of the README quick start, and a few more.
#   make demo   install what is missing, build, run the main job on samples/
#   make check  install what is missing, build with ASan+UBSan, run every test
BUILD_DIR    ?= build
CHECK_DIR    ?= build-check
FUZZ_DIR     ?= build-fuzz
FUZZ_SECONDS ?= 600
JOBS         ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps build demo check fuzz stress bench samples clean

all: build

deps:
	@scripts/install-deps

build: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release -DSHOSEKI_TESTS=OFF
	cmake --build $(BUILD_DIR) -j$(JOBS)

demo: build
	@scripts/demo $(BUILD_DIR)/shoseki

# Regenerate the committed sample logs (deterministic: the same bytes every time).
SAMPLES_ARGS ?= --seed 1 --persons 8 --files 24 --hosts 2 --days 2 --events-per-day 20
samples: build
	rm -rf samples/evtx
	$(BUILD_DIR)/shoseki-gen --out samples/evtx $(SAMPLES_ARGS)

check: deps
	cmake -S . -B $(CHECK_DIR) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DSHOSEKI_SANITIZE=address,undefined -DSHOSEKI_WERROR=ON
	cmake --build $(CHECK_DIR) -j$(JOBS)
	cd $(CHECK_DIR) && ctest -j$(JOBS) --output-on-failure

# Long reliability runs (docs/reliability.md): 200 kill -9 moments per kill test (make check
# runs 40 per corpus kill test, 12 of collect and index), 1000 random tamperings (check: 300).
stress: check
	cd $(CHECK_DIR) && SHOSEKI_KILLS=200 SHOSEKI_TAMPERS=1000 \
	  ctest -R 'kill|tamper' --output-on-failure

fuzz: deps
	cmake -S . -B $(FUZZ_DIR) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DSHOSEKI_SANITIZE=address,undefined
	cmake --build $(FUZZ_DIR) -j$(JOBS)
	tests/fuzz/run-fuzz.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

BENCH_DIR    ?= build-bench
BENCH_MB     ?= 1024
bench: deps
	cmake -S . -B $(BENCH_DIR) -DCMAKE_BUILD_TYPE=Release -DSHOSEKI_TESTS=OFF
	cmake --build $(BENCH_DIR) -j$(JOBS)
	BENCH_MB=$(BENCH_MB) bench/run $(BENCH_DIR)/shoseki

clean:
	rm -rf $(BUILD_DIR) $(CHECK_DIR) $(FUZZ_DIR) $(BENCH_DIR)
