# syndic: plain GNU Make build.
#
#   make            library (static and shared) and the syndic program
#   make check      set-up, then every test: unit, CLI golden, ASan+UBSan, fuzz replay
#   make demo       set-up, build, run syndic on examples/
#   make python     the Python package (python/) into build/python/lib
#   make asan tsan valgrind fuzz lint bench install
#
# Honours CC, CFLAGS, LDFLAGS, PREFIX, DESTDIR. Dependencies come from pkg-config.

SHELL    := /bin/bash
CC       ?= cc
PREFIX   ?= /usr/local
DESTDIR  ?=
LIBDIR   ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR   ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
BUILD    ?= build
CFLAGS   ?= -O2 -g
WERROR   ?=
PKG_CONFIG ?= pkg-config

PKGS := libutf8proc libxxhash libzstd zlib jansson libxml-2.0 uchardet lmdb

WARNINGS := -Wall -Wextra -Wshadow -Wconversion -Wcast-qual -Wcast-align \
            -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith -Wvla \
            -Wformat=2 -Wundef -Wwrite-strings -Wredundant-decls \
            -Wdeclaration-after-statement -Wno-missing-field-initializers

PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -fPIC -pthread $(WARNINGS) $(WERROR) \
              -Iinclude -Isrc -Itests $(PKG_CFLAGS) $(CFLAGS)
ALL_LIBS   := $(PKG_LIBS) -pthread -lm

# Open MPI (Debian's libopenmpi-dev): with it, the program runs under mpirun.
# The program itself does not link MPI (resolving Open MPI at start-up cost
# every plain run tens of milliseconds): under a launcher it loads
# syndic-mpi.so, built from cli/mpi/shim.c (the one file that calls MPI; the
# library never does), from beside itself or from $(PREFIX)/lib/syndic.
# MPI=0 builds no shim.
MPI ?= $(shell $(PKG_CONFIG) --exists ompi-c 2>/dev/null && echo 1 || echo 0)
MPI_SHIM := $(BUILD)/syndic-mpi.so
MPI_DIR  := $(PREFIX)/lib/syndic
ifeq ($(MPI),1)
MPI_CFLAGS := $(patsubst -I%,-isystem %,$(shell $(PKG_CONFIG) --cflags ompi-c))
MPI_LIBS   := $(shell $(PKG_CONFIG) --libs ompi-c)
SHIM       := $(MPI_SHIM)
endif

LIB_SRC  := $(sort $(wildcard src/*/*.c))
CLI_SRC  := $(sort $(wildcard cli/*.c))
TEST_SRC := $(sort $(wildcard tests/*.c tests/ref/*.c))
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)

# The release (include/syndic.h) and the ABI: the shared library is
# libsyndic.so.$(ABI).$(MINOR).$(PATCH), its SONAME libsyndic.so.$(ABI).
# The ABI number changes only when a program built against an older
# syndic.h could no longer run with this library (options structs grow
# without it: their size field tells the library what the caller knows).
VERSION := $(shell sed -n 's/^\#define SD_VERSION_STRING "\(.*\)"/\1/p' include/syndic.h)
ABI     := 1
SONAME  := libsyndic.so.$(ABI)
REALNAME := libsyndic.so.$(ABI).$(word 2,$(subst ., ,$(VERSION))).$(word 3,$(subst ., ,$(VERSION)))

STATIC := $(BUILD)/libsyndic.a
SHARED := $(BUILD)/libsyndic.so
PCFILE := $(BUILD)/syndic.pc
PROG   := $(BUILD)/syndic
TESTS  := $(BUILD)/tests/run
REPLAY := $(FUZZ_SRC:fuzz/%.c=$(BUILD)/fuzz/replay_%)

.PHONY: all deps check python python-install test-python bench-python man test-man bench-icu bench-startup test-unit test-cli test-fuzz test-example test-install test-browser bench-report bench-memory bench-big-records bench-index bench-mpi asan tsan valgrind \
        fuzz lint bench demo install uninstall clean FORCE

all: $(STATIC) $(SHARED) $(PROG) $(SHIM) $(PCFILE) syndic

# A convenience link at the top so README commands read `./syndic ...`; only
# the default build makes it, so sanitizer builds never re-point it.
syndic: $(PROG)
	@if [ "$(BUILD)" = build ]; then ln -sf $(PROG) syndic; fi

# The library's objects hide every symbol but the public API (SD_API in
# syndic.h); the program and the tests link the static library, which has
# the internals they share with it.
$(LIB_OBJ): VISIBILITY := -fvisibility=hidden

# Every object is rebuilt when the compiler or its flags change (a stamp
# whose text is them, rewritten only when it differs, as git's GIT-CFLAGS):
# an object built with other flags, say before the library hid its
# internals, would otherwise stay in the build. -Werror changes no object.
FLAGS_STAMP := $(BUILD)/.cflags
STAMP_TEXT := $(CC) $(filter-out $(WERROR),$(ALL_CFLAGS)) -fvisibility=hidden
$(FLAGS_STAMP): FORCE
	@mkdir -p $(dir $@)
	@echo '$(STAMP_TEXT)' | cmp -s - $@ || echo '$(STAMP_TEXT)' > $@
FORCE:

$(BUILD)/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(VISIBILITY) -MMD -MP -c -o $@ $<

# ---- generated source: stopword lists ---------------------------------------
# data/stopwords/<lang>.txt become a constant hash table in C (the extractor's
# stopword density); the object joins the library like any src/ file, and
# LIB_SRC gains the C file so `make fuzz`, which compiles LIB_SRC, has it too.
STOP_TXT := $(sort $(wildcard data/stopwords/*.txt))
STOP_GEN := $(BUILD)/gen/stopwords_data.c
LIB_OBJ  += $(BUILD)/gen/stopwords_data.o
$(BUILD)/gen/stopwords_data.o: VISIBILITY := -fvisibility=hidden
LIB_SRC  += $(STOP_GEN)
$(STOP_GEN): $(STOP_TXT) data/stopwords/gen.awk
	@mkdir -p $(dir $@)
	LC_ALL=C awk -f data/stopwords/gen.awk $(STOP_TXT) > $@.tmp && mv $@.tmp $@
$(BUILD)/gen/stopwords_data.o: $(STOP_GEN) $(FLAGS_STAMP)
	$(CC) $(ALL_CFLAGS) $(VISIBILITY) -MMD -MP -c -o $@ $<
fuzz: $(STOP_GEN)

# ---- generated source: the story report's script and style -------------------
# src/write/report/*.{js,css} become C strings with their CSP digests
# (src/write/report.c, the library's sd_report_head and sd_report_tail).
REPORT_ASSETS := src/write/report/report.js src/write/report/report.css
REPORT_GEN := $(BUILD)/gen/report_assets.h
$(REPORT_GEN): $(REPORT_ASSETS) scripts/embed.sh
	@mkdir -p $(dir $@)
	sh scripts/embed.sh report_js=src/write/report/report.js report_css=src/write/report/report.css > $@.tmp \
	  && mv $@.tmp $@
$(BUILD)/src/write/report.o: src/write/report.c $(REPORT_GEN)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -I$(BUILD)/gen -MMD -MP -c -o $@ $<

$(BUILD)/cli/mpi.o: cli/mpi.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Icli -DSYNDIC_MPI_DIR='"$(MPI_DIR)"' -MMD -MP -c -o $@ $<

$(MPI_SHIM): cli/mpi/shim.c cli/mpi/shim.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Icli $(MPI_CFLAGS) -shared -o $@ $< $(LDFLAGS) $(MPI_LIBS)

$(STATIC): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

$(SHARED): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,$(SONAME) -Wl,--no-undefined -o $(BUILD)/$(REALNAME) $^ \
	  $(LDFLAGS) $(ALL_LIBS)
	ln -sf $(REALNAME) $(BUILD)/$(SONAME)
	ln -sf $(SONAME) $@

# pkg-config's description of the installed library; Libs.private and
# Requires.private are what a static link needs besides libsyndic.a. Its
# directories follow ${prefix} where they are under PREFIX, so a staged
# install (DESTDIR) can be used with --define-variable=prefix=.
$(PCFILE): scripts/syndic.pc.in include/syndic.h Makefile
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))|' \
	  -e 's|@INCLUDEDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))|' \
	  -e 's|@VERSION@|$(VERSION)|' -e 's|@REQUIRES@|$(PKGS)|' scripts/syndic.pc.in > $@

$(PROG): $(CLI_OBJ) $(STATIC)
	$(CC) $(ALL_CFLAGS) -o $@ $(CLI_OBJ) $(STATIC) $(LDFLAGS) $(ALL_LIBS) -ldl

$(TESTS): $(TEST_OBJ) $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $(TEST_OBJ) $(STATIC) $(LDFLAGS) $(ALL_LIBS)

# The C example in docs/, built as any program outside the project would be:
# the public header only.
EXAMPLE := $(BUILD)/docs/example
$(EXAMPLE): docs/example.c include/syndic.h $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(WARNINGS) $(WERROR) -Iinclude $(CFLAGS) -o $@ $< $(STATIC) $(LDFLAGS) $(ALL_LIBS)

# The replay driver runs a fuzz target over its saved corpus without libFuzzer.
$(BUILD)/fuzz/replay_%: fuzz/%.c fuzz/replay.c $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< fuzz/replay.c $(STATIC) $(LDFLAGS) $(ALL_LIBS)

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d)

# ---- set-up -------------------------------------------------------------------

deps:
	@sh scripts/install-deps.sh

# ---- tests --------------------------------------------------------------------

# Every suite's "N passed, N failed" line is collected, and the last line is
# their sum, so one line tells the whole result.
check: deps
	$(MAKE) WERROR=-Werror all $(TESTS) $(REPLAY) $(EXAMPLE)
	@rm -f build/check.log
	@set -eo pipefail; $(MAKE) test-unit test-cli test-fuzz test-man test-example test-install test-python 2>&1 | tee -a build/check.log; \
	  $(MAKE) asan 2>&1 | tee -a build/check.log; \
	  if [ -f tests/browser/report.test.mjs ]; then $(MAKE) test-browser 2>&1 | tee -a build/check.log; fi
	@awk '/^[0-9]+ passed, [0-9]+ failed/ {p += $$1; f += $$3} \
	  END {print p " passed, " f " failed"; exit f > 0}' build/check.log

test-unit: $(TESTS)
	$(TESTS)

test-cli: $(PROG) $(SHIM)
	sh tests/cli.sh $(PROG)

test-example: $(EXAMPLE)
	sh tests/example.sh $(EXAMPLE)

test-fuzz: $(REPLAY)
	@for t in $(REPLAY); do \
	  name=$${t##*/replay_}; \
	  $$t fuzz/corpus/$$name || exit 1; \
	done

# ---- the Python package (python/, see python/README.md) -------------------------
# A CPython extension over the public API, linked with the static library,
# built with Debian's python3 (python3-dev, python3-setuptools) into
# build/python/lib: `PYTHONPATH=build/python/lib python3 -c 'import syndic'`.
# `make python-install` installs it for the user (site-packages of ~/.local).
PYTHON ?= /usr/bin/python3
PY_LIB := $(abspath $(BUILD)/python/lib)
python: $(STATIC)
	cd python && SYNDIC_LIB=$(abspath $(STATIC)) SYNDIC_LIBS="$(PKG_LIBS)" $(PYTHON) setup.py -q \
	  build_py -d $(PY_LIB) build_ext -b $(PY_LIB) -t $(abspath $(BUILD)/python/tmp)
	@rm -rf python/build python/syndic.egg-info

python-install: $(STATIC)
	cd python && SYNDIC_LIB=$(abspath $(STATIC)) SYNDIC_LIBS="$(PKG_LIBS)" $(PYTHON) setup.py -q \
	  build -b $(abspath $(BUILD)/python/dist) install --user
	@rm -rf python/build python/dist python/syndic.egg-info

# pytest over the package, against the program built here (SYNDIC_PROG).
test-python: python $(PROG) $(BUILD)/bench/gen_dedup
	cd python && SYNDIC_PROG=$(abspath $(PROG)) PYTHONPATH=$(PY_LIB) $(PYTHON) -P -m pytest -q -p no:cacheprovider tests

# dedup of a bench corpus from Python against the program (the binding's
# overhead) and against datasketch (DATASKETCH_SRC, a checkout; skipped
# without it).
bench-python: python $(PROG) bench-bin
	PYTHON=$(PYTHON) PYTHONPATH=$(PY_LIB) sh bench/python_bench.sh $(PROG)

# The man page's OPTIONS section is the commands' --help texts (scripts/man.sh):
# `make man` rewrites it; test-man fails when the page in the tree differs.
man: $(PROG)
	sh scripts/man.sh $(PROG) < docs/syndic.1 > $(BUILD)/syndic.1 && mv $(BUILD)/syndic.1 docs/syndic.1

test-man: $(PROG)
	@sh scripts/man.sh $(PROG) < docs/syndic.1 > $(BUILD)/syndic.1
	@if cmp -s $(BUILD)/syndic.1 docs/syndic.1; then echo "man page: docs/syndic.1 matches the --help texts"; echo "1 passed, 0 failed"; \
	else diff docs/syndic.1 $(BUILD)/syndic.1 | head -20; \
	  echo "man page: docs/syndic.1 differs from the --help texts; run make man"; \
	  echo "0 passed, 1 failed"; exit 1; fi

test-browser: $(PROG)
	sh tests/browser/run.sh $(PROG)

# The story report over 5,000 synthetic stories in headless Chromium: load,
# sort, filter and story times (figures, not pass/fail).
bench-report: $(PROG)
	sh tests/browser/run.sh $(PROG) --bench

SAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all

asan:
	$(MAKE) BUILD=build/asan CFLAGS="$(SAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined" \
	  WERROR=-Werror test-unit test-cli test-fuzz test-example

tsan:
	$(MAKE) BUILD=build/tsan CFLAGS="-O1 -g -fsanitize=thread" LDFLAGS="-fsanitize=thread" test-unit

valgrind: $(TESTS)
	valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite $(TESTS)

# libFuzzer needs clang (Debian's clang and libclang-rt-dev: install-deps.sh
# --ci). The library is built once with coverage instrumentation
# (fuzzer-no-link) under ASan+UBSan, then each target runs FUZZ_TIME seconds
# from its saved corpus; what it finds new goes to build/fuzz-lf/new/, a
# crashing input to build/fuzz-lf/ (and the run fails). The last line counts
# the targets that ran clean.
FUZZ_TIME ?= 60
FUZZ_SAN  := -fsanitize=address,undefined -fno-sanitize-recover=undefined
fuzz:
	$(MAKE) CC=clang BUILD=build/fuzz-lf WERROR= \
	  CFLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link $(FUZZ_SAN)" \
	  build/fuzz-lf/libsyndic.a
	@set -e; n=0; for f in $(FUZZ_SRC); do \
	  t=$$(basename $$f .c); \
	  clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer $(FUZZ_SAN) -Iinclude -Isrc \
	    $(PKG_CFLAGS) -o build/fuzz-lf/$$t $$f build/fuzz-lf/libsyndic.a $(ALL_LIBS); \
	  mkdir -p build/fuzz-lf/new/$$t fuzz/corpus/$$t; \
	  echo "fuzz: $$t for $(FUZZ_TIME) s"; \
	  build/fuzz-lf/$$t -max_total_time=$(FUZZ_TIME) -timeout=30 -rss_limit_mb=2048 \
	    -max_len=65536 -print_final_stats=0 -artifact_prefix=build/fuzz-lf/$$t- \
	    build/fuzz-lf/new/$$t fuzz/corpus/$$t 2>build/fuzz-lf/$$t.log \
	    || { tail -40 build/fuzz-lf/$$t.log; echo "fuzz: $$t failed"; exit 1; }; \
	  grep -E '^#[0-9]+.*DONE' build/fuzz-lf/$$t.log | tail -1; \
	  n=$$((n + 1)); \
	done; echo "$$n passed, 0 failed"

lint: $(REPORT_GEN)
	BUILD=$(BUILD) sh scripts/lint.sh

bench: all bench-bin
	sh bench/run.sh

# dedup with --memory on 10 million generated documents (6.5 GB corpus kept in
# bench/out; minutes per run): MEM_INMEMORY=1 compares with the in-memory run.
bench-memory: all bench-bin
	sh bench/memory_bench.sh

# Records larger than --memory (four of 60 MB under 64M by default): dedup's
# and trace's time and peak memory; BEFORE=path/to/old/syndic compares.
bench-big-records: all
	sh bench/big_records.sh

# The persistent index: per-page latency of add and query when adding 1,000
# pages to indexes of 10k and 100k pages (INDEX_SIZES="10000 100000 1000000"
# for more), and its size on disk per page.
bench-index: all bench-bin
	sh bench/index_bench.sh

# dedup and trace under mpirun: 1 and 2 processes against one (speedup,
# memory, bytes exchanged, identical outputs).
bench-mpi: all bench-bin
	sh bench/mpi_bench.sh

demo: deps
	$(MAKE) all
	sh examples/demo.sh ./syndic

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(PKGCONFIGDIR)
	install -m 755 $(PROG) $(DESTDIR)$(PREFIX)/bin/syndic
	install -m 644 $(STATIC) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(BUILD)/$(REALNAME) $(DESTDIR)$(LIBDIR)/
	ln -sf $(REALNAME) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libsyndic.so
	install -m 644 include/syndic.h $(DESTDIR)$(INCLUDEDIR)/
	install -m 644 $(PCFILE) $(DESTDIR)$(PKGCONFIGDIR)/
	install -m 644 docs/syndic.1 $(DESTDIR)$(MANDIR)/man1/
	@if [ -f $(MPI_SHIM) ]; then install -d $(DESTDIR)$(MPI_DIR) && \
	  install -m 644 $(MPI_SHIM) $(DESTDIR)$(MPI_DIR)/; fi

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/syndic $(DESTDIR)$(LIBDIR)/libsyndic.a \
	  $(DESTDIR)$(LIBDIR)/$(REALNAME) $(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libsyndic.so \
	  $(DESTDIR)$(INCLUDEDIR)/syndic.h $(DESTDIR)$(PKGCONFIGDIR)/syndic.pc \
	  $(DESTDIR)$(MANDIR)/man1/syndic.1 $(DESTDIR)$(MPI_DIR)/$(notdir $(MPI_SHIM))
	-rmdir $(DESTDIR)$(MPI_DIR) 2> /dev/null

# make install into a temporary DESTDIR, then a program built against it
# with pkg-config, linked to the shared library and to the static one, and
# run (tests/install.sh); and make uninstall, which must leave nothing.
test-install: all
	@tmp=$$(mktemp -d "$${TMPDIR:-/tmp}/syndic-install-XXXXXX") && \
	  $(MAKE) -s install DESTDIR=$$tmp PREFIX=/usr/local > /dev/null && \
	  CC="$(CC)" sh tests/install.sh $$tmp /usr/local $(SHARED); rc=$$?; \
	  $(MAKE) -s uninstall DESTDIR=$$tmp PREFIX=/usr/local > /dev/null; \
	  left=$$(find $$tmp -type f -o -type l | wc -l); rm -rf $$tmp; \
	  if [ $$left != 0 ]; then echo "make uninstall left $$left files"; echo "0 passed, 1 failed"; exit 1; fi; \
	  exit $$rc

clean:
	rm -rf build syndic

# ---- benchmarks -----------------------------------------------------------------
# Bench programs may use the library's internals and the test oracles.
BENCH_BIN := $(patsubst bench/%.c,$(BUILD)/bench/%,$(wildcard bench/*.c))
$(BUILD)/bench/%: bench/%.c tests/ref/jaccard.c $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< tests/ref/jaccard.c $(STATIC) $(LDFLAGS) $(ALL_LIBS)
bench-bin: $(BENCH_BIN)

# Start-up cost of a plain run (shared objects, loader instructions, CPU
# and wall time); STARTUP_BEFORE=path/to/old/syndic compares two builds.
bench-startup: $(PROG)
	sh bench/startup.sh $(STARTUP_BEFORE) $(PROG)

# How syndic's tokenizer (a token per letter in Thai, Lao, Khmer, Myanmar)
# compares with ICU's dictionary word breaker on speed and token counts;
# needs libicu-dev, which syndic itself does not use (see docs/languages.md).
$(BUILD)/bench/icu_segment: bench/icu/segment.c $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(shell $(PKG_CONFIG) --cflags icu-uc) -o $@ $< $(STATIC) $(LDFLAGS) \
	  $(ALL_LIBS) $(shell $(PKG_CONFIG) --libs icu-uc)
bench-icu: $(BUILD)/bench/icu_segment
	@for f in tests/golden/data/lang/th.txt tests/golden/data/lang/lo.txt \
	  tests/golden/data/lang/km.txt tests/golden/data/lang/my.txt; do $(BUILD)/bench/icu_segment $$f 7; done
