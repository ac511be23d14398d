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
# Truncating snprintf() into fixed buffers is deliberate here; gcc warns, clang has no such flag.
WARN += $(shell $(CC) -Wno-format-truncation -Werror -E -x c /dev/null >/dev/null 2>&1 && \
	echo -Wno-format-truncation)
MUSL_WARN := $(WARN) -Wno-format-truncation
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

LIB_SRCS := format util cmdline policy sysfs plan bind modload report
LIB_OBJS := $(LIB_SRCS:%=$(B)/obj/%.o)
MUSL_OBJS := $(LIB_SRCS:%=$(B)/musl/%.o)
ASAN_OBJS := $(LIB_SRCS:%=$(B)/asan/%.o)
HDRS := src/lib/ptboot.h

UNIT_TESTS := test-format test-cmdline test-policy test-sysfs test-bind test-modload

.PHONY: all clean check check-unit check-asan check-cli check-qemu demo demo-vm bench deps install \
	dracut-stage lint

all: $(B)/pt-early $(B)/pt-early-glibc $(B)/ptctl dracut-stage

# ---- library objects: glibc (tests, ptctl), musl (pt-early), sanitizers --
$(B)/obj/%.o: src/lib/%.c $(HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(BASE_CPPFLAGS) $(FORTIFY) $(WARN) $(CFLAGS) -c -o $@ $<

$(B)/musl/%.o: src/lib/%.c $(HDRS)
	@mkdir -p $(@D)
	$(Q)$(MUSL_CC) $(BASE_CPPFLAGS) $(MUSL_WARN) $(MUSL_CFLAGS) -c -o $@ $<

$(B)/asan/%.o: src/lib/%.c $(HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(BASE_CPPFLAGS) $(WARN) $(ASAN_FLAGS) -c -o $@ $<

# ---- pt-early: static, musl, size-optimised ------------------------------
$(B)/musl/kernel-linux.o: src/lib/kernel-linux.c $(HDRS)
	@mkdir -p $(@D)
	$(Q)$(MUSL_CC) $(BASE_CPPFLAGS) $(MUSL_WARN) $(MUSL_CFLAGS) -c -o $@ $<

$(B)/pt-early: src/pt-early/pt-early.c src/pt-early/arena.c $(MUSL_OBJS) $(B)/musl/kernel-linux.o $(HDRS)
	@mkdir -p $(@D)
	$(Q)$(MUSL_CC) $(BASE_CPPFLAGS) $(MUSL_WARN) $(MUSL_CFLAGS) $(MUSL_LDFLAGS) -o $@ \
		src/pt-early/pt-early.c src/pt-early/arena.c $(MUSL_OBJS) $(B)/musl/kernel-linux.o
	@echo "  pt-early  $$(stat -c %s $@) bytes (static, stripped)"

# The same frontend against glibc (warning and analyzer coverage; not shipped).
$(B)/pt-early-glibc: src/pt-early/pt-early.c $(LIB_OBJS) $(B)/obj/kernel-linux.o $(HDRS)
	$(Q)$(CC) $(BASE_CPPFLAGS) $(FORTIFY) $(WARN) $(CFLAGS) -o $@ $< $(LIB_OBJS) $(B)/obj/kernel-linux.o

# pt-early over the simulated kernel, for the fixture tests of the CLI.
$(B)/test/pt-early-fake: src/pt-early/pt-early.c $(ASAN_OBJS) $(B)/asan/kernel-fake.o $(HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(BASE_CPPFLAGS) $(WARN) $(ASAN_FLAGS) -o $@ $< $(ASAN_OBJS) $(B)/asan/kernel-fake.o

# ---- unit tests: plain and under ASan+UBSan ------------------------------
$(B)/obj/kernel-fake.o: tests/unit/kernel-fake.c $(HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(BASE_CPPFLAGS) $(WARN) $(CFLAGS) -c -o $@ $<

$(B)/asan/kernel-fake.o: tests/unit/kernel-fake.c $(HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(BASE_CPPFLAGS) $(WARN) $(ASAN_FLAGS) -c -o $@ $<

$(B)/test/%: tests/unit/%.c tests/unit/test.h $(LIB_OBJS) $(B)/obj/kernel-fake.o
	@mkdir -p $(@D)
	$(Q)$(CC) $(BASE_CPPFLAGS) -Itests/unit $(WARN) $(CFLAGS) -o $@ $< $(LIB_OBJS) $(B)/obj/kernel-fake.o

$(B)/test-asan/%: tests/unit/%.c tests/unit/test.h $(ASAN_OBJS) $(B)/asan/kernel-fake.o
	@mkdir -p $(@D)
	$(Q)$(CC) $(BASE_CPPFLAGS) -Itests/unit $(WARN) $(ASAN_FLAGS) -o $@ $< $(ASAN_OBJS) $(B)/asan/kernel-fake.o

$(B)/obj/kernel-linux.o: src/lib/kernel-linux.c $(HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(BASE_CPPFLAGS) $(FORTIFY) $(WARN) $(CFLAGS) -c -o $@ $<

# ---- the dracut module, staged with its binary for source-tree use -------
dracut-stage: $(B)/dracut/90ptboot/pt-early

$(B)/dracut/90ptboot/pt-early: $(B)/pt-early $(wildcard dracut-module/90ptboot/*)
	@rm -rf $(B)/dracut/90ptboot && mkdir -p $(B)/dracut/90ptboot
	$(Q)cp -p dracut-module/90ptboot/* $(B)/dracut/90ptboot/
	$(Q)cp -p $(B)/pt-early $@

# ---- entry points ---------------------------------------------------------
deps:
	$(Q)scripts/install-deps

check-unit: $(UNIT_TESTS:%=$(B)/test/%) $(UNIT_TESTS:%=$(B)/test-asan/%) $(B)/test/pt-early-fake
	$(Q)tests/run-unit $(B)

check-cli: $(B)/test/pt-early-fake
	$(Q)tests/cli/run $(B)

check-qemu: all
	$(Q)tests/qemu/run-scenarios

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
		$(B)/pt-early-glibc $(B)/ptctl $(B)/gen

include src/ptctl/ptctl.mk
include tests/fuzz/fuzz.mk
include packaging/packaging.mk
