# SPDX-License-Identifier: GPL-2.0-or-later
# ptctl, the host tool, and the host half of the library (src/lib/host.h). Included from the
# Makefile; uses its variables. Not part of pt-early: these objects link libpci, libblkid, libkmod.

HOST_SRCS := mounts iomem esp storage names kmods initramfs tuning checks bls grub entries uki
# issue 6: runtime bind/unbind safety, VM definitions, the state report read back
HOST_SRCS += safety virt state
HOST_OBJS := $(HOST_SRCS:%=$(B)/obj/%.o)
HOST_ASAN_OBJS := $(HOST_SRCS:%=$(B)/asan/%.o)
HOST_HDRS := $(HDRS) src/lib/host.h
HOST_PKGS := libpci blkid libkmod
HOST_CFLAGS := $(shell pkg-config --cflags $(HOST_PKGS))
HOST_LIBS := $(shell pkg-config --libs $(HOST_PKGS))
HOST_UNIT_TESTS := test-host-parse test-host-storage test-host-runtime test-host-entries
# ptctl links the real kernel interface (the binder is in the library; ptctl does not bind yet)
HOST_KOBJ := $(B)/obj/kernel-linux.o
HOST_ASAN_KOBJ := $(B)/asan/kernel-linux.o

# host objects depend on host.h too (the pattern rules of the Makefile build them)
$(HOST_OBJS) $(HOST_ASAN_OBJS): src/lib/host.h
$(HOST_OBJS): CFLAGS += $(HOST_CFLAGS)
$(HOST_ASAN_OBJS): ASAN_FLAGS += $(HOST_CFLAGS)

# kernel-cmdline/tuning.conf, compiled in as a C string
$(B)/gen/tuning-data.c: kernel-cmdline/tuning.conf
	@mkdir -p $(@D)
	$(Q)awk 'BEGIN { print "/* generated from kernel-cmdline/tuning.conf by ptctl.mk */"; \
		print "#include \"tuning-data.h\""; print "const char pt_tuning_builtin[] =" } \
		{ gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); print "\t\"" $$0 "\\n\"" } \
		END { print "\t\"\";" }' $< > $@

PTCTL_SRCS := src/ptctl/ptctl.c $(wildcard src/ptctl/cmd-*.c) $(B)/gen/tuning-data.c
PTCTL_HDRS := $(HOST_HDRS) src/ptctl/tuning-data.h src/ptctl/cmds.h

$(B)/ptctl: $(PTCTL_SRCS) $(HOST_OBJS) $(LIB_OBJS) $(HOST_KOBJ) $(PTCTL_HDRS)
	$(Q)$(CC) $(BASE_CPPFLAGS) -Isrc/ptctl $(HOST_CFLAGS) $(FORTIFY) $(WARN) $(CFLAGS) -o $@ \
		$(PTCTL_SRCS) $(HOST_OBJS) $(LIB_OBJS) $(HOST_KOBJ) $(LDFLAGS) $(HOST_LIBS)

$(B)/test/ptctl-asan: $(PTCTL_SRCS) $(HOST_ASAN_OBJS) $(ASAN_OBJS) $(HOST_ASAN_KOBJ) $(PTCTL_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(BASE_CPPFLAGS) -Isrc/ptctl $(HOST_CFLAGS) $(WARN) $(ASAN_FLAGS) -o $@ \
		$(PTCTL_SRCS) $(HOST_ASAN_OBJS) $(ASAN_OBJS) $(HOST_ASAN_KOBJ) $(HOST_LIBS)

$(B)/test/test-host-%: tests/unit/test-host-%.c tests/unit/test.h $(HOST_OBJS) $(LIB_OBJS) $(HOST_KOBJ) \
		$(HOST_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(BASE_CPPFLAGS) -Itests/unit $(HOST_CFLAGS) $(WARN) $(CFLAGS) -o $@ $< \
		$(HOST_OBJS) $(LIB_OBJS) $(HOST_KOBJ) $(HOST_LIBS)

$(B)/test-asan/test-host-%: tests/unit/test-host-%.c tests/unit/test.h $(HOST_ASAN_OBJS) $(ASAN_OBJS) \
		$(HOST_ASAN_KOBJ) $(HOST_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(BASE_CPPFLAGS) -Itests/unit $(HOST_CFLAGS) $(WARN) $(ASAN_FLAGS) -o $@ $< \
		$(HOST_ASAN_OBJS) $(ASAN_OBJS) $(HOST_ASAN_KOBJ) $(HOST_LIBS)

# ptctl over the simulated kernel (tests/unit/kernel-fake.c), for the write side of
# bind/unbind on fixture trees: tests/ptctl/run-runtime
$(B)/test/ptctl-fake: $(PTCTL_SRCS) $(HOST_ASAN_OBJS) $(ASAN_OBJS) $(B)/asan/kernel-fake.o $(PTCTL_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(BASE_CPPFLAGS) -Isrc/ptctl $(HOST_CFLAGS) $(WARN) $(ASAN_FLAGS) -o $@ \
		$(PTCTL_SRCS) $(HOST_ASAN_OBJS) $(ASAN_OBJS) $(B)/asan/kernel-fake.o $(HOST_LIBS)

PTCTL_TARGETS := $(B)/ptctl $(B)/test/ptctl-asan $(B)/test/ptctl-fake $(HOST_UNIT_TESTS:%=$(B)/test/%) \
	$(HOST_UNIT_TESTS:%=$(B)/test-asan/%)

.PHONY: ptctl check-ptctl bench-ptctl
ptctl: $(PTCTL_TARGETS)

check-ptctl: $(PTCTL_TARGETS)
	$(Q)tests/ptctl/run $(B)

bench-ptctl: $(B)/ptctl
	$(Q)tests/ptctl/bench $(B)
