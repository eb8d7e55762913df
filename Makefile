# 安老 (anlao) — one hand-written GNU Makefile.
#   make run      build everything and start the platform with demo data (ANLAO_DB: another database;
#                 a mosquitto broker for the devices on 127.0.0.1:1883 unless MQTT=0, docs/devices.md)
#   make test     every test: unit, API, browser, fuzz regressions, unit + API under ASan+UBSan
#   make bench    benchmarks (figures and ratios, never pass/fail)
# Switches: SANITIZE=address,undefined  DEBUG=1  BUILD=dir  WERROR=1

BUILD    ?= build
CC       ?= cc
PORT     ?= 8080
PKGS     := libevent libevent_pthreads jansson libsodium sqlite3 libpq xlsxwriter libzip expat freexl \
            libmosquitto zlib

WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
            -Wvla -Wimplicit-fallthrough -fno-common
ifdef DEBUG
OPT      := -O0 -g3
else
OPT      := -O2 -g
endif
ifdef SANITIZE
OPT      := -O1 -g -fno-omit-frame-pointer -fsanitize=$(SANITIZE) -fno-sanitize-recover=all
LDSAN    := -fsanitize=$(SANITIZE)
endif
ifdef WERROR
WARN     += -Werror
endif

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(OPT) -Isrc -MMD -MP $(PKG_CFLAGS)
LDLIBS     = $(PKG_LIBS) -lpthread -lm

SRC      := $(sort $(shell find src -name '*.c'))
LIB_SRC  := $(filter-out src/main.c,$(SRC))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/embedded.o
EMBED_IN := $(sort $(wildcard sql/*.sql)) $(sort $(wildcard sql/pg/*.sql)) \
            $(sort $(wildcard data/regions/*.csv))

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

WEB_SRC  := $(shell find web/src web/index.html web/vite.config.js -type f 2>/dev/null)

.PHONY: all run test bench bench-rules bench-entitle deps deps-test deps-bench web unit api api-pg cluster e2e fuzz fuzz-regress \
        asan clean routes docs

all: $(BUILD)/anlao

# ---- set-up -----------------------------------------------------------------
deps:
	@scripts/deps.sh build
deps-test:
	@scripts/deps.sh test
deps-bench:
	@scripts/deps.sh bench

# npm ci installs exactly the committed lock and never writes it, so `make run` and `make test`
# leave a fresh clone clean. The lock keeps every platform's optional packages (rollup's builds;
# npm writes them wherever it runs, tests/e2e/npm-lock.test.mjs checks they are there).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The build also writes FILE.gz and FILE.br beside each text file (RULE-HTTP-006).
web: web/dist/index.html
web/dist/index.html: node_modules/.installed $(WEB_SRC) scripts/compress-web.mjs
	npm run --silent build

# ---- the binary ---------------------------------------------------------------
$(BUILD)/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	cc -O1 -o $@ $<

$(BUILD)/gen/embedded.c: $(BUILD)/tools/embed $(EMBED_IN)
	@mkdir -p $(dir $@)
	$(BUILD)/tools/embed $@ $(EMBED_IN)

$(BUILD)/gen/embedded.o: $(BUILD)/gen/embedded.c
	$(CC) -std=c11 -O0 -Isrc -c -o $@ $<

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/anlao: $(BUILD)/src/main.o $(LIB_OBJ)
	$(CC) $(LDSAN) -o $@ $^ $(LDLIBS)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# ---- run ----------------------------------------------------------------------
run: deps
	@$(MAKE) --no-print-directory all web
	@mkdir -p var
	scripts/mqtt-dev.sh $(BUILD)/anlao serve --db "$${ANLAO_DB:-var/anlao.db}" --port $(PORT) --demo

routes: $(BUILD)/anlao
	@$(BUILD)/anlao routes

docs: $(BUILD)/anlao
	$(BUILD)/anlao routes --markdown > docs/api.md

# ---- tests --------------------------------------------------------------------
# tests/unit/dual.c: the two-engine harness every store test may use (tests/unit/dual.h).
$(BUILD)/tests/dual.o: tests/unit/dual.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJ) $(BUILD)/tests/dual.o
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(BUILD)/tests/dual.o $(LIB_OBJ) $(LDSAN) $(LDLIBS) -lcmocka

# The PostgreSQL driver's tests need a server: a throwaway one (tests/lib/pg.sh) for the run.
unit: $(UNIT_BIN)
	@set -e; pgdir=$$(mktemp -d /tmp/anlao-pg-XXXXXX); \
	    trap "tests/lib/pg.sh stop $$pgdir" EXIT; \
	    ANLAO_TEST_PG=$$(tests/lib/pg.sh start $$pgdir); export ANLAO_TEST_PG; \
	    for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

api: $(BUILD)/anlao
	ANLAO_BIN=$(BUILD)/anlao node --test --test-concurrency=1 tests/api/

# The same API suite on PostgreSQL 15: each test server gets its own database in a throwaway
# cluster (issue 11).
api-pg: $(BUILD)/anlao
	@set -e; pgdir=$$(mktemp -d /tmp/anlao-pg-XXXXXX); \
	    trap "tests/lib/pg.sh stop $$pgdir" EXIT; \
	    ANLAO_TEST_PG=$$(tests/lib/pg.sh start $$pgdir); export ANLAO_TEST_PG; \
	    ANLAO_BIN=$(BUILD)/anlao node --test --test-concurrency=1 tests/api/

e2e: $(BUILD)/anlao web
	node --test --test-concurrency=1 tests/e2e/

# PostgreSQL + two anlao servers + nginx on loopback (issue 11); the test starts and stops them.
cluster: $(BUILD)/anlao
	ANLAO_BIN=$(BUILD)/anlao node --test --test-concurrency=1 tests/cluster/

FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
# Parsers and the pure rules they feed; nothing that needs the database or the network.
FUZZ_LIB := $(addprefix src/core/,arena.c csv.c err.c fields.c head.c idcard.c json.c log.c query.c \
            router.c set64.c sheet.c text.c vec.c xls.c xlsx.c) src/import/import_logic.c \
            src/region/region_logic.c src/entitle/facts.c $(wildcard src/entitle/rule_*.c) \
            src/device/device_logic.c src/service/service_sign_logic.c
build/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB)
	@mkdir -p $(dir $@)
	clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
	    $(PKG_CFLAGS) -o $@ $< $(FUZZ_LIB) $(PKG_LIBS) -lpthread -lm

# A crashing input fails the target (the log is shown); artifacts go to build/fuzz/, not the tree.
fuzz-regress: $(FUZZ_BIN)
	@set -e; for f in $(FUZZ_BIN); do n=$$(basename $$f); \
	    echo "== $$n (corpus replay)"; \
	    if $$f -runs=0 -artifact_prefix=build/fuzz/$$n- tests/fuzz/corpus/$$n \
	        > build/fuzz/$$n.log 2>&1; then tail -1 build/fuzz/$$n.log; \
	    else cat build/fuzz/$$n.log; exit 1; fi; done

# FUZZ_SECONDS of new fuzzing per target (not part of make test).
FUZZ_SECONDS ?= 60
fuzz: $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do n=$$(basename $$f); \
	    $$f -max_total_time=$(FUZZ_SECONDS) tests/fuzz/corpus/$$n; done

asan:
	@$(MAKE) --no-print-directory BUILD=build/asan SANITIZE=address,undefined unit
	@$(MAKE) --no-print-directory BUILD=build/asan SANITIZE=address,undefined api

# Suites that share nothing run two at a time on the 2 cores (each test server has its own port,
# data directory and database); -O keeps each suite's output together.
test: deps-test
	@$(MAKE) --no-print-directory all web
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory -j2 -O api-pg e2e
	@$(MAKE) --no-print-directory -j2 -O api asan
	@$(MAKE) --no-print-directory cluster
	@$(MAKE) --no-print-directory fuzz-regress
	@echo "make test: all passed"

bench: deps-bench
	@$(MAKE) --no-print-directory all $(BUILD)/bench/rules
	bench/run.sh
	bench/registry.sh
	$(BUILD)/bench/rules
	ANLAO_BIN=$(BUILD)/anlao node bench/meal.mjs
	ANLAO_BIN=$(BUILD)/anlao node bench/service.mjs

# Entitlement rules over 1,000,000 elders × 50 rules (bench/rules.c); `make bench-rules` alone.
$(BUILD)/bench/rules: bench/rules.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_OBJ) $(LDSAN) $(LDLIBS)

bench-rules: $(BUILD)/bench/rules
	$(BUILD)/bench/rules

# The whole entitlement run, storing included, on SQLite (bench/entitle_run.c); BENCH_ELDERS=N.
$(BUILD)/bench/entitle_run: bench/entitle_run.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_OBJ) $(LDSAN) $(LDLIBS)

bench-entitle: $(BUILD)/bench/entitle_run
	$(BUILD)/bench/entitle_run $${BENCH_ELDERS:-1000000} $(BUILD)/bench/entrun.db

clean:
	rm -rf build web/dist
