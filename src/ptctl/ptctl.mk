# SPDX-License-Identifier: GPL-2.0-or-later
# ptctl, the host tool: a thin dispatcher over the host library. Included from the Makefile;
# uses its variables and those of src/host/host.mk.

# kernel-cmdline/tuning.conf, compiled in as a C string
$(B)/gen/tuning-data.c: kernel-cmdline/tuning.conf
	@mkdir -p $(@D)
	$(Q)awk 'BEGIN { print "/* generated from kernel-cmdline/tuning.conf by ptctl.mk */"; \
		print "#include \"tuning-data.h\""; print "const char pt_tuning_builtin[] =" } \
		{ gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); print "\t\"" $$0 "\\n\"" } \
		END { print "\t\"\";" }' $< > $@

# data/reset-quirks, likewise
$(B)/gen/reset-quirks-data.c: data/reset-quirks
	@mkdir -p $(@D)
	$(Q)awk 'BEGIN { print "/* generated from data/reset-quirks by ptctl.mk */"; \
		print "#include \"tuning-data.h\""; print "const char pt_reset_quirks_builtin[] =" } \
		{ gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); print "\t\"" $$0 "\\n\"" } \
		END { print "\t\"\";" }' $< > $@

PTCTL_SRCS := $(wildcard src/ptctl/*.c) $(B)/gen/tuning-data.c $(B)/gen/reset-quirks-data.c
PTCTL_HDRS := $(HOST_HDRS) $(wildcard src/ptctl/*.h)
PTCTL_CPPFLAGS := $(HOST_CPPFLAGS) -Isrc/ptctl

# ptctl links the real kernel interface: bind/unbind write sysfs through the core's binder
$(B)/ptctl: $(PTCTL_SRCS) $(B)/libptboot-host.a $(B)/libptboot.a $(B)/obj/core/kernel-linux.o $(PTCTL_HDRS)
	$(Q)$(CC) $(PTCTL_CPPFLAGS) $(FORTIFY) $(WARN) $(CFLAGS) -o $@ $(PTCTL_SRCS) $(LDFLAGS) $(HOST_LINK)

$(B)/test/ptctl-asan: $(PTCTL_SRCS) $(B)/asan/libptboot-host.a $(B)/asan/libptboot.a \
		$(B)/asan/core/kernel-linux.o $(PTCTL_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(PTCTL_CPPFLAGS) $(WARN) $(ASAN_FLAGS) -o $@ $(PTCTL_SRCS) $(HOST_ASAN_LINK)

# ptctl over the simulated kernel (tests/unit/kernel-fake.c), for the write side of
# bind/unbind on fixture trees: tests/ptctl/run-runtime
$(B)/test/ptctl-fake: $(PTCTL_SRCS) $(B)/asan/libptboot-host.a $(B)/asan/libptboot.a \
		$(B)/asan/core/kernel-fake.o $(PTCTL_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(PTCTL_CPPFLAGS) $(WARN) $(ASAN_FLAGS) -o $@ $(PTCTL_SRCS) $(B)/asan/libptboot-host.a \
		$(B)/asan/core/kernel-fake.o $(B)/asan/libptboot.a $(HOST_LIBS)

PTCTL_TARGETS := $(B)/ptctl $(B)/test/ptctl-asan $(B)/test/ptctl-fake $(HOST_UNIT_TESTS:%=$(B)/test/%) \
	$(HOST_UNIT_TESTS:%=$(B)/test-asan/%)

.PHONY: ptctl check-ptctl bench-ptctl
ptctl: $(PTCTL_TARGETS)

# T= names golden cases of tests/ptctl/cases (T=list-seed)
check-ptctl: $(PTCTL_TARGETS)
	$(Q)tests/ptctl/run $(B) $(T)

bench-ptctl: $(B)/ptctl
	$(Q)tests/ptctl/bench $(B)
