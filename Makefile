# svmsim: build, test and sweep.  See README.md.
#
#   make              the module for KVER, svmbench and the test programs
#   make check        every test (unit tests plain/ASan+UBSan/TSan, and the
#                     in-VM TAP tests) on every supported kernel installed;
#                     installs missing Debian packages first
#   make fuzz         the long fuzz (svmsim-fuzz and trinity) in a VM per kernel
#   make sweep        the benchmark sweep, with plots, into results/
#   make plots        redraw the plots of existing results
#   make deps         install the Debian packages (idempotent)
#   make dmirror      the kernel's HMM test mirror and hmm-tests (scripts/dmirror)
#   make install      on a host: the module for KVER through DKMS (kbuild without
#                     dkms), svmbench, svmsim-run, the udev rule; make uninstall
#   make dkms-check   DKMS build + install in a scratch tree, then a VM smoke test
#   make lint         shellcheck of the VM runner, its parts and the DKMS scripts
#
# Variables: KVER (one kernel), KVERS (the kernels check/sweep use),
# SWEEP=full (the large sweep matrix); install: DESTDIR, PREFIX (/usr/local),
# MODULE_INSTALL (dkms or kbuild).

SHELL := /bin/bash
.DEFAULT_GOAL := all
ROOT := $(CURDIR)
B := build

KERNELS := $(shell $(ROOT)/scripts/kernels 2>/dev/null)
RUNNING := $(shell uname -r)
KVER ?= $(if $(wildcard /lib/modules/$(RUNNING)/build),$(RUNNING),$(lastword $(KERNELS)))
KVERS ?= $(KERNELS)

CC := gcc
CSTD := -std=c11 -D_GNU_SOURCE
WARN := -Wall -Wextra -Werror
INC := -I$(ROOT)/include -I$(ROOT)/tests/lib
OPT ?= -O2 -g
URCU := -lurcu-memb -lurcu-common -lpthread
USER_CFLAGS := $(CSTD) $(WARN) $(OPT) $(INC)

# ---- user space: svmbench and the in-VM test programs (static: the VM
# initramfs carries no libraries) ----

# bench/run_*.c: svmsim-run, a program of its own.
RUN_SRC := $(wildcard bench/run_*.c)
# bench/replay*.c: svmsim-replay, the TLB core's replay of a recorded stream.
REPLAY_SRC := bench/replay.c bench/replay_main.c
BENCH_SRC := $(filter-out $(RUN_SRC) $(REPLAY_SRC),$(wildcard bench/*.c))
BENCH_HDR := $(wildcard bench/*.h) $(wildcard include/svmsim/*.h) $(wildcard include/uapi/*.h)
VMTEST_SRC := $(wildcard tests/vm/test_*.c)
VMTEST_LIB := $(filter-out $(VMTEST_SRC),$(wildcard tests/vm/*.c))
VMTEST_BIN := $(patsubst tests/vm/%.c,$(B)/bin/svmsim-%,$(VMTEST_SRC))

$(B)/bin/svmbench: $(BENCH_SRC) $(BENCH_HDR)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -static -o $@ $(BENCH_SRC) $(URCU) -lm

# svmsim-run -- PROGRAM: PROGRAM on the device (README "Running a program on the device").
$(B)/bin/svmsim-run: $(RUN_SRC) bench/run.h bench/jsonput.c bench/hist.c $(BENCH_HDR)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -static -o $@ $(RUN_SRC) bench/jsonput.c bench/hist.c -lpthread -lm

# svmsim-replay RECORDING: replay svmsim-run --record's stream under both models.
$(B)/bin/svmsim-replay: $(REPLAY_SRC) bench/replay.h drv/tlb.c $(BENCH_HDR)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -static -o $@ $(REPLAY_SRC) drv/tlb.c $(URCU)

$(B)/bin/svmsim-%: tests/vm/%.c $(VMTEST_LIB) $(wildcard tests/vm/*.h) $(BENCH_HDR)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -Itests/vm -static -o $@ $< $(VMTEST_LIB) $(URCU) -lm

# Shell tests and the in-VM runner: tests/vm/NAME.sh -> svmsim-NAME.
VMTEST_SH := $(patsubst tests/vm/%.sh,$(B)/bin/svmsim-%,$(wildcard tests/vm/*.sh))

$(B)/bin/svmsim-%: tests/vm/%.sh
	@mkdir -p $(@D)
	install -m 0755 $< $@

# The fuzzer and its trinity wrapper (tests/fuzz/): `make fuzz` runs the long fuzz.
$(B)/bin/svmsim-fuzz: tests/fuzz/svmsim-fuzz.c tests/lib/tap.h $(BENCH_HDR)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -static -o $@ $< -lpthread

$(B)/bin/svmsim-trinity: tests/fuzz/svmsim-trinity.sh
	@mkdir -p $(@D)
	install -m 0755 $< $@

user: $(if $(BENCH_SRC),$(B)/bin/svmbench) $(VMTEST_BIN) $(VMTEST_SH) $(B)/bin/svmsim-run \
	$(B)/bin/svmsim-replay $(B)/bin/svmsim-fuzz $(B)/bin/svmsim-trinity

# ---- the module ----

module:
	scripts/build-module $(KVER)

modules:
	@for k in $(KVERS); do scripts/build-module $$k || exit 1; done

# The kernel's HMM test mirror and hmm-tests (scripts/dmirror), per kernel.
dmirror:
	@for k in $(KVERS); do scripts/dmirror $$k || exit 1; done

# ---- unit tests: the TLB core and bench's histograms, in user space ----

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_NAMES := $(patsubst tests/unit/%.c,%,$(UNIT_SRC))
CHECKER_SRC := bench/checker.c bench/region.c bench/mapping.c bench/pagemap.c
VALIDATE_LOGIC := bench/jsonget.c bench/verdict.c
UNIT_DEPS := drv/tlb.c $(wildcard tests/unit/*.h) $(BENCH_HDR) bench/hist.c $(CHECKER_SRC) \
	$(VALIDATE_LOGIC) $(BENCH_SRC) bench/replay.c bench/replay.h
# What each unit test links beside itself.  The checker's test uses bench's
# own liburcu, whose grace periods TSan cannot see (see shim_rcu.c): it is
# built plain and with ASan only -- it is single-threaded anyway.
unit_objs = $(or $(unit_objs_$(1)),drv/tlb.c)
unit_objs_test_hist := bench/hist.c
unit_objs_test_checker := $(CHECKER_SRC)
unit_objs_test_validate := $(VALIDATE_LOGIC)
unit_objs_test_replay := drv/tlb.c bench/replay.c
unit_objs_test_lockstep := bench/lockstep.c
# test_columns: svmbench's CSV header, rows and --columns agree; test_options:
# its option table (all of bench/ but main.c; liburcu, so no TSan build either).
unit_objs_test_columns := $(filter-out bench/main.c,$(BENCH_SRC))
unit_objs_test_options := $(unit_objs_test_columns)
URCU_UNITS := test_checker test_columns test_options
unit_libs = $(if $(filter $(URCU_UNITS),$(2)),$(URCU) -lm,$(LIBS_$(1)))
unit_names = $(if $(filter tsan,$(1)),$(filter-out $(URCU_UNITS),$(UNIT_NAMES)),$(UNIT_NAMES))

FLAVOURS := plain asan tsan
FLAGS_plain := $(OPT)
FLAGS_asan := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
	      -fno-omit-frame-pointer
FLAGS_tsan := -O1 -g -fsanitize=thread -DSVM_SHIM_RWLOCK_RCU
LIBS_plain := $(URCU) -lm
LIBS_asan := $(URCU) -lm
LIBS_tsan := tests/unit/shim_rcu.c -lpthread -lm

define unit_rule
$(B)/unit/$(1)/$(2): tests/unit/$(2).c $(UNIT_DEPS)
	@mkdir -p $$(@D)
	$(CC) $(CSTD) $(WARN) $(INC) -Itests/unit -Ibench $(FLAGS_$(1)) -o $$@ $$< \
		$(call unit_objs,$(2)) $(call unit_libs,$(1),$(2))
endef
$(foreach f,$(FLAVOURS),$(foreach t,$(call unit_names,$(f)),$(eval $(call unit_rule,$(f),$(t)))))

UNIT_BINS := $(foreach f,$(FLAVOURS),$(addprefix $(B)/unit/$(f)/,$(call unit_names,$(f))))

unit: $(UNIT_BINS)

# The TLB core micro-benchmark (not a test: it prints numbers).
$(B)/unit/bench_tlb: tests/unit/bench_tlb.c $(UNIT_DEPS)
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(INC) -Itests/unit -O2 -g -o $@ $< drv/tlb.c $(URCU)

bench-tlb: $(B)/unit/bench_tlb
	$(B)/unit/bench_tlb

unit-check: unit
	scripts/run-unit $(FLAVOURS)

# ---- everything ----

all: module user

deps:
	scripts/deps

# Installs what is missing, then re-reads the kernel list.
check: deps
	$(MAKE) check-all

check-all: lint unit-check user
	@[ -n "$(KVERS)" ] || { echo "check: no supported kernel installed (make deps)"; exit 1; }
	@for k in $(KVERS); do \
		scripts/build-module $$k --check || exit 1; \
		scripts/dmirror $$k || exit 1; \
	done
	scripts/dkms-check $(KVERS)
	scripts/vm-check $(KVERS)

# Shell scripts that shellcheck reads clean (scripts/deps installs it).
LINT_SH := scripts/vm scripts/vm-check $(wildcard scripts/vm.d/*) scripts/dkms-check \
	scripts/dkms-install scripts/dkms-source

lint:
	shellcheck -x $(LINT_SH)

# ---- install on a host (README "Install on a host") ----

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
UDEVRULESDIR ?= /etc/udev/rules.d
MODULE_INSTALL ?= $(if $(shell command -v dkms),dkms,kbuild)

install: $(B)/bin/svmbench $(B)/bin/svmsim-run
	scripts/dkms-install install $(KVER) $(MODULE_INSTALL)
	install -D -m 0755 $(B)/bin/svmbench $(DESTDIR)$(BINDIR)/svmbench
	install -D -m 0755 $(B)/bin/svmsim-run $(DESTDIR)$(BINDIR)/svmsim-run
	install -D -m 0644 scripts/udev/70-svmsim.rules $(DESTDIR)$(UDEVRULESDIR)/70-svmsim.rules
	@if [ -z "$(DESTDIR)" ]; then \
		getent group svmsim >/dev/null || groupadd -r svmsim; \
		udevadm control --reload-rules 2>/dev/null || true; \
	fi

# Leaves the group svmsim (it may have members).
uninstall:
	scripts/dkms-install uninstall
	rm -f $(DESTDIR)$(BINDIR)/svmbench $(DESTDIR)$(BINDIR)/svmsim-run \
		$(DESTDIR)$(UDEVRULESDIR)/70-svmsim.rules

dkms-check: user
	scripts/dkms-check $(KVERS)

# The long fuzz (svmsim-fuzz, >= 1e6 calls, and trinity) on every kernel.
fuzz: deps
	$(MAKE) fuzz-run

fuzz-run: user modules
	scripts/fuzz $(KVERS)

# The default kernel unless KVERS was given (environment or command line).
SWEEP_KVERS := $(if $(filter environment command,$(firstword $(origin KVERS))),$(KVERS))

sweep: deps
	$(MAKE) sweep-run

sweep-run: user
	KVERS="$(SWEEP_KVERS)" SWEEP="$(SWEEP)" scripts/sweep

plots:
	scripts/plot-all

clean:
	rm -rf $(B)
	rm -f drv/*.o drv/*.ko drv/*.mod drv/*.mod.c drv/.*.cmd drv/Module.symvers drv/modules.order

.PHONY: all user module modules dmirror unit unit-check check check-all deps sweep \
	sweep-run plots clean bench-tlb fuzz fuzz-run install uninstall dkms-check lint
