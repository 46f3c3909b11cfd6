# sockrec / sockana
#
#   make            build/sockrec, build/sockana and the BPF object and skeleton
#   make sockana    the analyzer alone: needs only a C compiler and libzstd
#   make check      build and run every test (as root: installs missing packages,
#                   runs the end-to-end tests that record real traffic)
#   make demo       record a short loopback workload and show what sockana makes of it
#   make vmtest     KERNELS="6.1 6.12 6.1:tracepoint": the BPF end-to-end tests
#                   inside other kernels under QEMU (root; tests/vm/run, docs/KERNELS.md)
#   make vmlinux    regenerate bpf/vmlinux/$(ARCH)/vmlinux.h from VMLINUX_BTF
#   make install    PREFIX=/usr/local DESTDIR= (BINDIR SBINDIR MANDIR ...);
#                   install-sockana: the analyzer alone; uninstall
#   V=1             show the commands
#   WERROR=1        warnings are errors (CI; .ci/run sets it)
#   LTO=0           sockana without link-time optimisation (default: on with
#                   gcc, off with clang or SAN=)
#   CPPFLAGS CFLAGS LDFLAGS  taken from the environment (dpkg-buildflags)

VERSION		:= 0.2.0
BUILD		:= build
PREFIX		?= /usr/local
DESTDIR		?=
BINDIR		?= $(PREFIX)/bin
SBINDIR		?= $(PREFIX)/sbin
DATADIR		?= $(PREFIX)/share
MANDIR		?= $(DATADIR)/man
DOCDIR		?= $(DATADIR)/doc/sockrec
SOCKANA_DOCDIR	?= $(DATADIR)/doc/sockana
BASHCOMPDIR	?= $(DATADIR)/bash-completion/completions
INSTALL		?= install

CC		?= cc
CLANG		?= clang
PKG_CONFIG	?= pkg-config
BPFTOOL		?= $(or $(shell command -v bpftool 2>/dev/null),$(wildcard /usr/sbin/bpftool),bpftool)
VMLINUX_BTF	?= $(firstword $(wildcard /sys/kernel/btf/vmlinux /boot/vmlinux-$(shell uname -r)))

CFLAGS		?= -O2 -g
CPPFLAGS	?=
LDFLAGS		?=
# -Werror only where warnings are someone's job to fix (CI, development):
# the next compiler release must not break a user's or a distribution's build.
WERROR		?= 0
WERRORFLAG	:= $(if $(filter 1,$(WERROR)),-Werror)
WARNFLAGS	:= -Wall -Wextra $(WERRORFLAG) -Wshadow -Wformat=2 -Wno-format-nonliteral
# Reproducible: no path of the build directory in the objects.
REPROFLAGS	:= -ffile-prefix-map=$(CURDIR)=.
BASEFLAGS	:= -std=c11 $(WARNFLAGS) $(REPROFLAGS) -MMD -MP -I. -I$(BUILD) $(CPPFLAGS)
# format/ and analyze/ are portable POSIX; record/ and tests/ are Linux-only.
PORTFLAGS	:= -D_POSIX_C_SOURCE=200809L
LINUXFLAGS	:= -D_GNU_SOURCE
SAN		?=
ifneq ($(SAN),)
CFLAGS		+= -fsanitize=$(SAN) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS		+= -fsanitize=$(SAN)
endif

# Link-time optimisation of sockana (docs/PERFORMANCE.md, "anlto"): sockana is
# linked from objects of its own, in $(BUILD)/lto, that carry GCC's
# intermediate code only; sockrec, the tests, bench/ and fuzz/ link the
# ordinary objects as before.  Apart because GCC 12 writes the build
# directory into LTO objects (in their compressed streams and, in fat objects,
# the line table), where -ffile-prefix-map does not reach: the LTO link maps it
# away, but a fat libskr.a, and sockrec linked from it, would differ from one
# directory to another (make check-repro).  LTO_JOBS=auto: as many jobs as
# make's job server gives, or as CPUs; the output does not depend on it
# (check-repro builds once with auto, once with 1).  Off with clang (its LTO
# needs the gold or lld plugin) and with sanitizers.
CC_IS_CLANG	:= $(findstring clang,$(shell $(CC) --version 2>/dev/null | head -n 1))
LTO		?= $(if $(SAN)$(CC_IS_CLANG),0,1)
GCC_AR		?= gcc-ar
LTO_JOBS	?= auto
LTOFLAGS	:= -flto=$(LTO_JOBS)

ZSTD_LIBS	:= $(or $(shell $(PKG_CONFIG) --libs libzstd 2>/dev/null),-lzstd)
# Everything linking libskr links libzstd, and its reader's decode-ahead
# worker (skr_reader_prefetch) is a POSIX thread.
ZSTD_LIBS	+= -pthread
ZSTD_CFLAGS	:= $(shell $(PKG_CONFIG) --cflags libzstd 2>/dev/null)
BPF_LIBS	:= $(or $(shell $(PKG_CONFIG) --libs libbpf 2>/dev/null),-lbpf -lelf -lz)
CHECK_LIBS	:= $(or $(shell $(PKG_CONFIG) --libs check 2>/dev/null),-lcheck -lsubunit -lm -lrt -pthread)
CHECK_CFLAGS	:= $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)

ARCH		:= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/ppc64le/powerpc/' -e 's/s390x/s390/' -e 's/riscv64/riscv/')
# vmlinux.h is kept in the tree per architecture (`make vmlinux` regenerates
# it), so that a build does not depend on the running kernel; an architecture
# without one falls back to the running kernel's BTF, in $(BUILD).
VMLINUX_DIR	:= bpf/vmlinux/$(ARCH)
VMLINUX_H	:= $(or $(wildcard $(VMLINUX_DIR)/vmlinux.h),$(BUILD)/vmlinux.h)
BPF_CFLAGS	:= -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall $(WERRORFLAG) \
		   $(REPROFLAGS) -I. -I$(dir $(VMLINUX_H))

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' '$(1)' '$(2)';
endif

.DELETE_ON_ERROR:
# The unit tests' objects, reached through a pattern chain, are kept, not deleted
# as intermediates.  Only those: .SECONDARY with no prerequisites made every target
# secondary, and make then skipped a missing prerequisite whose target was newer
# than its sources (sockana's LTO objects in a build directory from before them).
.SECONDARY: $(patsubst tests/unit/%.c,$(BUILD)/tests/%.o,$(wildcard tests/unit/*.c))
.SUFFIXES:
.PHONY: all sockrec sockana check check-unit check-e2e check-golden check-prefetch check-html check-man check-repro demo clean install \
	install-sockana install-sockrec uninstall vmlinux deps fuzz bench samples vmtest vmtest-selftest check-headers

FORMAT_SRCS	:= $(wildcard format/*.c)
ANALYZE_SRCS	:= $(wildcard analyze/*.c)
RECORD_SRCS	:= $(wildcard record/*.c)
TEST_SRCS	:= $(wildcard tests/unit/test_*.c)

FORMAT_OBJS	:= $(FORMAT_SRCS:%.c=$(BUILD)/%.o)
ANALYZE_OBJS	:= $(ANALYZE_SRCS:%.c=$(BUILD)/%.o)
RECORD_OBJS	:= $(RECORD_SRCS:%.c=$(BUILD)/%.o)
TEST_BINS	:= $(TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
# analyze/ objects other than main are linked into the unit tests too.
ANALYZE_LIB_OBJS := $(filter-out $(BUILD)/analyze/main.o,$(ANALYZE_OBJS))

LIBSKR		:= $(BUILD)/libskr.a
LIBSKR_LTO	:= $(BUILD)/lto/libskr.a
BPF_OBJ		:= $(BUILD)/bpf/sockrec.bpf.o
SKEL		:= $(BUILD)/sockrec.skel.h

all: sockrec sockana

sockana: $(BUILD)/sockana
sockrec: $(BUILD)/sockrec

# ---- format/: libskr ----
$(BUILD)/format/%.o: format/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASEFLAGS) $(PORTFLAGS) $(ZSTD_CFLAGS) $(CFLAGS) -c $< -o $@

$(LIBSKR): $(FORMAT_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^

# ---- analyze/: sockana ----
$(BUILD)/analyze/%.o: analyze/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASEFLAGS) $(PORTFLAGS) -DSKR_VERSION='"$(VERSION)"' $(CFLAGS) -c $< -o $@

ifeq ($(LTO),1)
# The code is generated at this link: the compiler's flags, its warnings
# (-Werror included) and the path mapping apply here again.
$(BUILD)/sockana: $(ANALYZE_OBJS:$(BUILD)/%=$(BUILD)/lto/%) $(LIBSKR_LTO)
	$(call msg,LTOLINK,$@)
	$(Q)$(CC) $(WARNFLAGS) $(REPROFLAGS) $(CFLAGS) $(LTOFLAGS) $(LDFLAGS) $^ $(ZSTD_LIBS) -lm -o $@
else
$(BUILD)/sockana: $(ANALYZE_OBJS) $(LIBSKR)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(ZSTD_LIBS) -lm -o $@
endif

# ---- LTO objects of format/ and analyze/, for sockana only ----
$(BUILD)/lto/format/%.o: format/%.c
	$(call msg,LTOCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASEFLAGS) $(PORTFLAGS) $(ZSTD_CFLAGS) $(CFLAGS) $(LTOFLAGS) -c $< -o $@

$(BUILD)/lto/analyze/%.o: analyze/%.c
	$(call msg,LTOCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASEFLAGS) $(PORTFLAGS) -DSKR_VERSION='"$(VERSION)"' $(CFLAGS) $(LTOFLAGS) -c $< -o $@

# gcc-ar: the archive's index needs the LTO plugin to see their symbols.
$(LIBSKR_LTO): $(FORMAT_OBJS:$(BUILD)/%=$(BUILD)/lto/%)
	$(call msg,AR,$@)
	$(Q)rm -f $@
	$(Q)$(GCC_AR) rcs $@ $^

# ---- bpf/: kernel side ----
define gen_vmlinux
	$(call msg,GEN,$(1))
	$(Q)mkdir -p $(dir $(1))
	$(Q)if [ -z "$(VMLINUX_BTF)" ]; then echo "make: no kernel BTF found; set VMLINUX_BTF=/path/to/vmlinux" >&2; exit 1; fi
	$(Q){ printf '/* Generated by `make vmlinux` (bpftool btf dump) from the BTF of Linux %s; do not edit. */\n' \
		"$(VMLINUX_RELEASE)"; $(BPFTOOL) btf dump file $(VMLINUX_BTF) format c; } > $(1).tmp
	$(Q)mv $(1).tmp $(1)
endef
VMLINUX_RELEASE	?= $(shell uname -r)

$(BUILD)/vmlinux.h:
	$(call gen_vmlinux,$@)

# The in-tree header of this architecture, from VMLINUX_BTF (the running
# kernel's by default; VMLINUX_RELEASE names it in the header's first line).
vmlinux:
	$(call gen_vmlinux,$(VMLINUX_DIR)/vmlinux.h)

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c | $(VMLINUX_H)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MMD -MP -c $< -o $@

$(SKEL): $(BPF_OBJ)
	$(call msg,GEN,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name sockrec_bpf > $@

# ---- record/: sockrec ----
$(BUILD)/record/%.o: record/%.c | $(SKEL)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASEFLAGS) $(LINUXFLAGS) -DSKR_VERSION='"$(VERSION)"' $(CFLAGS) -c $< -o $@

$(BUILD)/sockrec: $(RECORD_OBJS) $(LIBSKR)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(BPF_LIBS) $(ZSTD_LIBS) -o $@

# ---- tests ----
$(BUILD)/tests/%.o: tests/unit/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASEFLAGS) $(LINUXFLAGS) $(CHECK_CFLAGS) $(CFLAGS) -c $< -o $@

# Every unit test links tracegen.o, the synthetic-trace builders, jsonl.o,
# a JSON syntax checker, tevchk.o, a Trace Event Format checker, and cutcheck.o, the checks of a trace cut at every
# offset (all built by the rule above).
$(BUILD)/tests/%: $(BUILD)/tests/%.o $(BUILD)/tests/tracegen.o $(BUILD)/tests/jsonl.o \
		  $(BUILD)/tests/tevchk.o $(BUILD)/tests/cutcheck.o $(ANALYZE_LIB_OBJS) $(LIBSKR)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(CHECK_LIBS) $(ZSTD_LIBS) -lm -o $@

$(BUILD)/tests/workload: tests/e2e/workload.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASEFLAGS) $(LINUXFLAGS) $(CFLAGS) $< -o $@ -pthread

# event and filter test helpers (tests/e2e/t_events.sh, t_filters.sh)
$(BUILD)/tests/skrdump: tests/e2e/skrdump.c $(LIBSKR)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASEFLAGS) $(LINUXFLAGS) $(CFLAGS) $(LDFLAGS) $^ $(ZSTD_LIBS) -o $@

$(BUILD)/tests/evgen: tests/e2e/evgen.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASEFLAGS) $(LINUXFLAGS) $(CFLAGS) $(LDFLAGS) $< -o $@

# the command and its peer for tests/e2e/t_command.sh (sockrec -- CMD)
$(BUILD)/tests/cmdclient: tests/e2e/cmdclient.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASEFLAGS) $(LINUXFLAGS) $(CFLAGS) $(LDFLAGS) $< -o $@ -pthread

# JSON Lines checker for sockana's --json output (tests/e2e/t_analyze.sh)
$(BUILD)/tests/jsonlines: tests/e2e/jsonlines.c tests/unit/jsonl.c tests/unit/jsonl.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASEFLAGS) $(LINUXFLAGS) -Itests/unit $(CFLAGS) $(LDFLAGS) $(filter %.c,$^) -o $@

# Trace Event Format checker for sockana --trace-event (tests/e2e/t_trace_event.sh)
$(BUILD)/tests/tevcheck: tests/e2e/tevcheck.c tests/unit/tevchk.c tests/unit/tevchk.h \
			 tests/unit/jsonl.c tests/unit/jsonl.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASEFLAGS) $(LINUXFLAGS) -Itests/unit $(CFLAGS) $(LDFLAGS) $(filter %.c,$^) -o $@

# cut checker on a recorded trace (tests/e2e/t_cut.sh).  Its dependency file
# is named apart: -MMD would call it cutcheck.d, the name of the unit tests'
# cutcheck.o's own, and the object would then miss its header changes.
$(BUILD)/tests/cutcheck: tests/e2e/cutcheck.c $(BUILD)/tests/cutcheck.o $(ANALYZE_LIB_OBJS) $(LIBSKR)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASEFLAGS) -MF $@-tool.d $(LINUXFLAGS) -Itests/unit $(CFLAGS) $(LDFLAGS) $^ $(ZSTD_LIBS) -lm -o $@

# sock_diag test helper (tests/e2e/t_diag.sh): sockets to snapshot, a flood, a dumper
$(BUILD)/tests/diagtool: tests/e2e/diagtool.c $(LIBSKR)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASEFLAGS) $(LINUXFLAGS) $(CFLAGS) $(LDFLAGS) $^ $(ZSTD_LIBS) -o $@

# ---- fuzzing: `make fuzz FUZZ_SECONDS=N` (clang libFuzzer, tests/fuzz/run) ----
FUZZ_SECONDS	?= 60
FUZZ_CC		?= clang
FUZZ_SAN	:= -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS	:= -O1 -g $(FUZZ_SAN)
FUZZ_LIB_OBJS	:= $(FORMAT_SRCS:%.c=$(BUILD)/fuzz/%.o) \
		   $(filter-out $(BUILD)/fuzz/analyze/main.o,$(ANALYZE_SRCS:%.c=$(BUILD)/fuzz/%.o))

$(BUILD)/fuzz/format/%.o: format/%.c
	$(call msg,FUZZCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(BASEFLAGS) $(PORTFLAGS) $(ZSTD_CFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(BUILD)/fuzz/analyze/%.o: analyze/%.c
	$(call msg,FUZZCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(BASEFLAGS) $(PORTFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(BUILD)/fuzz/fuzz_reader: tests/fuzz/fuzz_reader.c $(FUZZ_LIB_OBJS)
	$(call msg,FUZZLD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(BASEFLAGS) $(PORTFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(filter %.c %.o,$^) $(ZSTD_LIBS) -lm -o $@

$(BUILD)/fuzz/gen_corpus: tests/fuzz/gen_corpus.c $(LIBSKR)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASEFLAGS) $(PORTFLAGS) $(CFLAGS) $(LDFLAGS) $(filter %.c %.a,$^) $(ZSTD_LIBS) -o $@

fuzz: $(BUILD)/fuzz/fuzz_reader $(BUILD)/fuzz/gen_corpus
	$(Q)tests/fuzz/run $(BUILD) $(FUZZ_SECONDS)

deps:
	$(Q).ci/install-deps

# a server and its clients in two namespaces for tests/e2e/t_pair.sh
$(BUILD)/tests/pairtool: tests/e2e/pairtool.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASEFLAGS) $(LINUXFLAGS) $(CFLAGS) $(LDFLAGS) $< -o $@

# Programs the end-to-end tests and the samples drive.
E2E_TOOLS	:= $(BUILD)/tests/workload $(BUILD)/tests/diagtool $(BUILD)/tests/skrdump \
		   $(BUILD)/tests/evgen $(BUILD)/tests/jsonlines $(BUILD)/samples/scenario \
		   $(BUILD)/bench/synth $(BUILD)/tests/cutcheck $(BUILD)/tests/cmdclient \
		   $(BUILD)/tests/tevcheck $(BUILD)/tests/pairtool $(BUILD)/bench/cpuclock

check: deps
	$(Q)$(MAKE) --no-print-directory all $(TEST_BINS) $(E2E_TOOLS)
	$(Q)$(MAKE) --no-print-directory check-headers check-man check-unit check-golden check-prefetch check-html check-e2e

# analyze/ is one small header per module (docs/ANALYZER.md): none over 250 lines
check-headers:
	$(Q)awk 'FNR == 251 { print FILENAME ": over 250 lines; split it by what its callers need"; bad = 1 } END { exit bad }' analyze/*.h

check-unit: $(TEST_BINS)
	$(Q)tests/run-unit $(TEST_BINS)

# sockana on the committed sample traces against their expected outputs (no root)
check-golden: $(BUILD)/sockana
	$(Q)tests/golden $(BUILD)

# sockana with and without its decode worker on bench/synth traces past the
# size that starts it (no root; 77: one CPU online, skipped, said loudly)
check-prefetch: $(BUILD)/sockana $(BUILD)/bench/synth
	$(Q)tests/prefetch $(BUILD) || [ $$? -eq 77 ]

# sockana --html's pages of samples/ in headless Chromium (tests/browser; 77: skipped, said loudly)
check-html: $(BUILD)/sockana
	$(Q)tests/browser $(BUILD) || [ $$? -eq 77 ]

check-e2e: all $(E2E_TOOLS)
	$(Q)tests/e2e/run $(BUILD)

# ---- tests/vm: the BPF end-to-end tests in other kernels (root; downloads them) ----
# KERNELS: NAME[:TIER] items (tests/vm/run); VM_DOC=docs/KERNELS.md rewrites its matrix.
KERNELS		?= 6.1 6.12 6.1:tracepoint
VM_DOC		?=
vmtest:
	$(Q).ci/install-deps vm
	$(Q)$(MAKE) --no-print-directory all $(E2E_TOOLS)
	$(Q)VM_DOC='$(VM_DOC)' tests/vm/run $(BUILD) $(KERNELS)

# Does the runner tell passed, failed, known-failed and never-reported apart?
vmtest-selftest:
	$(Q).ci/install-deps vm
	$(Q)$(MAKE) --no-print-directory all $(E2E_TOOLS)
	$(Q)tests/vm/selftest $(BUILD)

demo: deps
	$(Q)$(MAKE) --no-print-directory all $(BUILD)/samples/scenario
	$(Q)tests/e2e/demo $(BUILD)

# ---- samples/: `make samples` re-records every sample (root) and its expected outputs ----
$(BUILD)/samples/scenario: samples/tools/scenario.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASEFLAGS) $(LINUXFLAGS) $(CFLAGS) $(LDFLAGS) $< -o $@

samples: all $(BUILD)/samples/scenario
	$(Q)samples/regen $(BUILD)

# Not stripped: a distribution's packaging step strips and keeps the debug
# symbols apart.  sockrec is an administrator's tool (sbin, section 8).
install: install-sockrec install-sockana

install-sockrec: $(BUILD)/sockrec
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(DOCDIR)
	$(INSTALL) -m 0755 $(BUILD)/sockrec $(DESTDIR)$(SBINDIR)/sockrec
	$(INSTALL) -m 0644 man/sockrec.8 $(DESTDIR)$(MANDIR)/man8/sockrec.8
	$(INSTALL) -m 0644 completion/sockrec $(DESTDIR)$(BASHCOMPDIR)/sockrec
	$(INSTALL) -m 0644 README.md LICENSE docs/*.md $(DESTDIR)$(DOCDIR)/

# The analyzer needs no clang, bpftool or libbpf to build or install.
install-sockana: $(BUILD)/sockana
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(SOCKANA_DOCDIR)
	$(INSTALL) -m 0755 $(BUILD)/sockana $(DESTDIR)$(BINDIR)/sockana
	$(INSTALL) -m 0644 man/sockana.1 $(DESTDIR)$(MANDIR)/man1/sockana.1
	$(INSTALL) -m 0644 completion/sockana $(DESTDIR)$(BASHCOMPDIR)/sockana
	$(INSTALL) -m 0644 LICENSE docs/OUTPUT.md $(DESTDIR)$(SOCKANA_DOCDIR)/

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/sockrec $(DESTDIR)$(BINDIR)/sockana \
	      $(DESTDIR)$(MANDIR)/man8/sockrec.8 $(DESTDIR)$(MANDIR)/man1/sockana.1 \
	      $(DESTDIR)$(BASHCOMPDIR)/sockrec $(DESTDIR)$(BASHCOMPDIR)/sockana \
	      $(DESTDIR)$(DOCDIR)/README.md $(DESTDIR)$(DOCDIR)/LICENSE \
	      $(addprefix $(DESTDIR)$(DOCDIR)/,$(notdir $(wildcard docs/*.md))) \
	      $(DESTDIR)$(SOCKANA_DOCDIR)/LICENSE $(DESTDIR)$(SOCKANA_DOCDIR)/OUTPUT.md
	-rmdir $(DESTDIR)$(DOCDIR) $(DESTDIR)$(SOCKANA_DOCDIR) 2>/dev/null

# Two builds of this tree in two directories are identical (tests/reproducible).
check-repro:
	$(Q)tests/reproducible

# The manual pages render without a warning.
check-man:
	$(Q)for m in man/sockrec.8 man/sockana.1; do \
		out=$$(LC_ALL=C.UTF-8 groff -ww -z -man $$m 2>&1); \
		if [ -n "$$out" ]; then echo "$$m: $$out" >&2; exit 1; fi; \
	done; echo "  man pages: no groff warnings"

clean:
	rm -rf $(BUILD)

-include $(wildcard $(BUILD)/*/*.d $(BUILD)/*/*/*.d)

# ---- bench/: `make bench` (docs/PERFORMANCE.md); root, installs libbpf-tools and bpftrace ----
BENCH_BINS	:= $(BUILD)/bench/storm $(BUILD)/bench/synth $(BUILD)/bench/rezip \
		   $(BUILD)/bench/cpuclock

$(BUILD)/bench/storm: bench/storm.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASEFLAGS) $(LINUXFLAGS) $(CFLAGS) $(LDFLAGS) $< -o $@ -pthread

# the recorders' CPU in bench/run, exact (wait4, the process CPU clock)
$(BUILD)/bench/cpuclock: bench/cpuclock.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASEFLAGS) $(LINUXFLAGS) $(CFLAGS) $(LDFLAGS) $< -o $@

$(BUILD)/bench/synth: bench/synth.c $(LIBSKR)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASEFLAGS) $(PORTFLAGS) $(CFLAGS) $(LDFLAGS) $^ $(ZSTD_LIBS) -o $@

$(BUILD)/bench/rezip: bench/rezip.c $(LIBSKR)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASEFLAGS) $(PORTFLAGS) $(CFLAGS) $(LDFLAGS) $^ $(ZSTD_LIBS) -o $@

bench: all $(BENCH_BINS)
	$(Q)REPS='$(REPS)' COUNT='$(COUNT)' bench/run $(BUILD)
