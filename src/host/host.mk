# SPDX-License-Identifier: GPL-2.0-or-later
# The host library (src/host/): what ptctl and the host tests link on top of the core. Its
# files use libpci, libblkid and libkmod; built as an archive, $(B)/libptboot-host.a.
# Included from the Makefile; uses its variables.

HOST_SRCS := dl host select checks kargs mounts iomem esp storage names kmods initramfs tuning bls grubenv \
	grubcfg entryconf bootloader efivar uki safety virt state cpu tune tuneplan vmdef leftovers migrate \
	resetquirks
HOST_HDRS := $(CORE_HDRS) src/host/host.h src/host/dl.h
HOST_PKGS := libpci blkid libkmod
HOST_CFLAGS := $(shell pkg-config --cflags $(HOST_PKGS))
# libpci is linked; libblkid and libkmod are opened when a command needs them (dl.h)
HOST_LIBS := $(shell pkg-config --libs libpci) -ldl
HOST_CPPFLAGS := $(CORE_CPPFLAGS) -Isrc/host $(HOST_CFLAGS)
HOST_OBJS := $(HOST_SRCS:%=$(B)/obj/host/%.o)
HOST_ASAN_OBJS := $(HOST_SRCS:%=$(B)/asan/host/%.o)

$(B)/obj/host/%.o: src/host/%.c $(HOST_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CPPFLAGS) $(FORTIFY) $(WARN) $(CFLAGS) -c -o $@ $<

$(B)/asan/host/%.o: src/host/%.c $(HOST_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CPPFLAGS) $(WARN) $(ASAN_FLAGS) -c -o $@ $<

$(B)/libptboot-host.a: $(HOST_OBJS)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(B)/asan/libptboot-host.a: $(HOST_ASAN_OBJS)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# Unit tests of the host library: plain and under ASan+UBSan, on the real kernel interface
HOST_UNIT_TESTS := test-host-parse test-host-storage test-host-runtime test-host-entries test-host-tune
HOST_LINK := $(B)/libptboot-host.a $(B)/obj/core/kernel-linux.o $(B)/libptboot.a $(HOST_LIBS)
HOST_ASAN_LINK := $(B)/asan/libptboot-host.a $(B)/asan/core/kernel-linux.o $(B)/asan/libptboot.a \
	$(HOST_LIBS)

$(B)/test/test-host-%: tests/unit/test-host-%.c tests/unit/test.h $(B)/libptboot-host.a \
		$(B)/libptboot.a $(B)/obj/core/kernel-linux.o
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CPPFLAGS) -Itests/unit $(WARN) $(CFLAGS) -o $@ $< $(HOST_LINK)

$(B)/test-asan/test-host-%: tests/unit/test-host-%.c tests/unit/test.h $(B)/asan/libptboot-host.a \
		$(B)/asan/libptboot.a $(B)/asan/core/kernel-linux.o
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CPPFLAGS) -Itests/unit $(WARN) $(ASAN_FLAGS) -o $@ $< $(HOST_ASAN_LINK)

# tests/tune/tune-dump: the VM-mode library on one root, for tests/tune/run's goldens and
# validators (built by that script; under ASan+UBSan like the other test programs)
$(B)/test/tune-dump: tests/tune/tune-dump.c $(B)/asan/libptboot-host.a $(B)/asan/libptboot.a \
		$(B)/asan/core/kernel-linux.o $(HOST_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CPPFLAGS) $(WARN) $(ASAN_FLAGS) -o $@ $< $(HOST_ASAN_LINK)
