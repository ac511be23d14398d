# SPDX-License-Identifier: GPL-2.0-or-later
# ptboot: hand PCI devices to vfio-pci from the first moment of boot.
# Plain make, out-of-tree build in $(B)/, V=1 for verbose. See README.md.

VERSION := 0.1.0

PREFIX ?= /usr
SBINDIR ?= $(PREFIX)/sbin
LIBEXECDIR ?= $(PREFIX)/libexec
DRACUTDIR ?= $(PREFIX)/lib/dracut/modules.d
DESTDIR ?=

B ?= build
CC ?= cc
MUSL_CC ?= musl-gcc
CFLAGS ?= -O2 -g
WARN := -std=c11 -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes -Wshadow \
	-Wformat=2 -Wno-format-nonliteral -Wundef -Wvla -Wpointer-arith
MUSL_WARN := $(WARN)
# pt-early is static and tiny: no unwind tables, no page-aligned segment
# padding, no build-id (each saves kilobytes of a ~40 KiB binary).
MUSL_CFLAGS := -Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables \
	-fno-unwind-tables
MUSL_LDFLAGS := -static -s -Wl,--gc-sections -Wl,--build-id=none -Wl,-z,norelro \
	-Wl,-z,noseparate-code
BASE_CPPFLAGS := -Isrc/lib -DPTBOOT_VERSION='"$(VERSION)"'
FORTIFY := -D_FORTIFY_SOURCE=3
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

ifeq ($(V),1)
Q :=
else
Q := @
endif

# The core library (src/lib/): what the static pt-early links. No dependencies beyond libc,
# and compiled with -Isrc/lib alone, so it cannot include a host header by accident.
CORE_SRCS := format util cmdline policy sysfs plan bind modload report
CORE_HDRS := src/lib/ptboot.h
CORE_CPPFLAGS := $(BASE_CPPFLAGS)
LIB_OBJS := $(CORE_SRCS:%=$(B)/obj/core/%.o)
MUSL_OBJS := $(CORE_SRCS:%=$(B)/musl/%.o)
ASAN_OBJS := $(CORE_SRCS:%=$(B)/asan/core/%.o)
# kept for the includes below
HDRS := $(CORE_HDRS)

UNIT_TESTS := test-format test-files test-cmdline test-policy test-sysfs test-bind test-modload

.PHONY: all clean check check-unit check-asan check-cli check-qemu demo demo-vm bench deps install \
	dracut-stage lint

all: $(B)/pt-early $(B)/pt-early-glibc $(B)/ptctl dracut-stage

# ---- core objects: glibc (tests, ptctl), musl (pt-early), sanitizers ----
$(B)/obj/core/%.o: src/lib/%.c $(CORE_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CORE_CPPFLAGS) $(FORTIFY) $(WARN) $(CFLAGS) -c -o $@ $<

$(B)/musl/%.o: src/lib/%.c $(CORE_HDRS)
	@mkdir -p $(@D)
	$(Q)$(MUSL_CC) $(CORE_CPPFLAGS) $(MUSL_WARN) $(MUSL_CFLAGS) -c -o $@ $<

$(B)/asan/core/%.o: src/lib/%.c $(CORE_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CORE_CPPFLAGS) $(WARN) $(ASAN_FLAGS) -c -o $@ $<

$(B)/libptboot.a: $(LIB_OBJS)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(B)/asan/libptboot.a: $(ASAN_OBJS)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# ---- pt-early: static, musl, size-optimised ------------------------------
$(B)/pt-early: src/pt-early/pt-early.c src/pt-early/arena.c $(MUSL_OBJS) $(B)/musl/kernel-linux.o $(CORE_HDRS)
	@mkdir -p $(@D)
	$(Q)$(MUSL_CC) $(CORE_CPPFLAGS) $(MUSL_WARN) $(MUSL_CFLAGS) $(MUSL_LDFLAGS) -o $@ \
		src/pt-early/pt-early.c src/pt-early/arena.c $(MUSL_OBJS) $(B)/musl/kernel-linux.o
	@echo "  pt-early  $$(stat -c %s $@) bytes (static, stripped)"

# The same frontend against glibc (warning and analyzer coverage; not shipped).
$(B)/pt-early-glibc: src/pt-early/pt-early.c $(B)/libptboot.a $(B)/obj/core/kernel-linux.o $(CORE_HDRS)
	$(Q)$(CC) $(CORE_CPPFLAGS) $(FORTIFY) $(WARN) $(CFLAGS) -o $@ $< $(B)/obj/core/kernel-linux.o \
		$(B)/libptboot.a

# pt-early over the simulated kernel, for the fixture tests of the CLI.
$(B)/test/pt-early-fake: src/pt-early/pt-early.c $(B)/asan/libptboot.a $(B)/asan/core/kernel-fake.o $(CORE_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CORE_CPPFLAGS) $(WARN) $(ASAN_FLAGS) -o $@ $< $(B)/asan/core/kernel-fake.o \
		$(B)/asan/libptboot.a

# ---- unit tests of the core: plain and under ASan+UBSan -------------------
$(B)/obj/core/kernel-fake.o: tests/unit/kernel-fake.c $(CORE_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CORE_CPPFLAGS) $(WARN) $(CFLAGS) -c -o $@ $<

$(B)/asan/core/kernel-fake.o: tests/unit/kernel-fake.c $(CORE_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CORE_CPPFLAGS) $(WARN) $(ASAN_FLAGS) -c -o $@ $<

$(B)/test/%: tests/unit/%.c tests/unit/test.h $(B)/libptboot.a $(B)/obj/core/kernel-fake.o
	@mkdir -p $(@D)
	$(Q)$(CC) $(CORE_CPPFLAGS) -Itests/unit $(WARN) $(CFLAGS) -o $@ $< $(B)/obj/core/kernel-fake.o \
		$(B)/libptboot.a

$(B)/test-asan/%: tests/unit/%.c tests/unit/test.h $(B)/asan/libptboot.a $(B)/asan/core/kernel-fake.o
	@mkdir -p $(@D)
	$(Q)$(CC) $(CORE_CPPFLAGS) -Itests/unit $(WARN) $(ASAN_FLAGS) -o $@ $< $(B)/asan/core/kernel-fake.o \
		$(B)/asan/libptboot.a

$(B)/musl/kernel-linux.o: src/lib/kernel-linux.c $(CORE_HDRS)
	@mkdir -p $(@D)
	$(Q)$(MUSL_CC) $(CORE_CPPFLAGS) $(MUSL_WARN) $(MUSL_CFLAGS) -c -o $@ $<

# ---- the dracut module, staged with its binary for source-tree use -------
dracut-stage: $(B)/dracut/90ptboot/pt-early

$(B)/dracut/90ptboot/pt-early: $(B)/pt-early $(wildcard dracut-module/90ptboot/*)
	@rm -rf $(B)/dracut/90ptboot && mkdir -p $(B)/dracut/90ptboot
	$(Q)cp -p dracut-module/90ptboot/* $(B)/dracut/90ptboot/
	$(Q)cp -p $(B)/pt-early $@

# ---- entry points ---------------------------------------------------------
deps:
	$(Q)scripts/install-deps

# One suite each; T= names what to run of it (README.md, Tests): unit tests or TEST:CASE
# (T=test-policy, T=test-policy:malformed), golden cases (T=dry-run), QEMU scenarios (T=id-nics).
check-unit: $(UNIT_TESTS:%=$(B)/test/%) $(UNIT_TESTS:%=$(B)/test-asan/%) $(B)/test/pt-early-fake
	$(Q)tests/run-unit $(B) $(T)

# the test build over the simulated kernel, and the static binary for the dry runs
check-cli: $(B)/test/pt-early-fake $(B)/pt-early
	$(Q)tests/cli/run $(B) $(T)

lint: all
	$(Q)tests/lint

check-qemu: all
	$(Q)tests/qemu/run-scenarios $(T)

check: deps
	$(Q)$(MAKE) --no-print-directory all $(UNIT_TESTS:%=$(B)/test/%) \
		$(UNIT_TESTS:%=$(B)/test-asan/%) $(B)/test/pt-early-fake $(PTCTL_TARGETS) fuzz-build
	$(Q)tests/run-all $(B)

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tests/qemu/demo

# A VM inside the test machine takes the devices pt-early bound (3-5 minutes).
demo-vm: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tests/qemu/demo-vm

bench: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)MUSL_CC=$(MUSL_CC) bench/run $(B)
	$(Q)tests/ptctl/bench $(B)

MANDIR ?= $(PREFIX)/share/man

install: all
	install -d $(DESTDIR)$(LIBEXECDIR)/ptboot $(DESTDIR)$(DRACUTDIR)/90ptboot \
		$(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(B)/pt-early $(DESTDIR)$(LIBEXECDIR)/ptboot/pt-early
	install -m 0755 $(B)/ptctl $(DESTDIR)$(SBINDIR)/ptctl
	install -m 0644 man/ptctl.8 $(DESTDIR)$(MANDIR)/man8/ptctl.8
	sed 's|^PTBOOT_LIBEXECDIR=.*|PTBOOT_LIBEXECDIR=$(LIBEXECDIR)|' \
		dracut-module/90ptboot/module-setup.sh > $(DESTDIR)$(DRACUTDIR)/90ptboot/module-setup.sh
	chmod 0755 $(DESTDIR)$(DRACUTDIR)/90ptboot/module-setup.sh
	install -m 0755 dracut-module/90ptboot/ptboot-pre-udev.sh $(DESTDIR)$(DRACUTDIR)/90ptboot/

clean:
	rm -rf $(B)/obj $(B)/musl $(B)/asan $(B)/test $(B)/test-asan $(B)/dracut $(B)/pt-early \
		$(B)/pt-early-glibc $(B)/ptctl $(B)/gen $(B)/libptboot.a $(B)/libptboot-host.a

include src/host/host.mk
include src/ptctl/ptctl.mk
include tests/fuzz/fuzz.mk
include packaging/packaging.mk

# the host library's unit tests too (listed in src/host/host.mk, included above)
check-unit: $(HOST_UNIT_TESTS:%=$(B)/test/%) $(HOST_UNIT_TESTS:%=$(B)/test-asan/%)
