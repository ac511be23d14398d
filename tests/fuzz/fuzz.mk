# SPDX-License-Identifier: GPL-2.0-or-later
# Fuzzing with clang's libFuzzer (+ASan+UBSan). Included from the Makefile.
#   make fuzz                   every target for FUZZ_SECONDS (default 60), corpora kept
#                               in $(B)/fuzz/corpus/, the counts in $(B)/fuzz/report.txt
#   make fuzz FUZZ_RUNS=10000000 [FUZZ_TARGETS_RUN="policy bls"]
#                               each (named) target until that many executions
#   make check                  runs tests/fuzz/run --smoke: each target a few seconds,
#                               plus every saved crash under tests/fuzz/regressions/
FUZZ_CC ?= clang
FUZZ_WARN := $(WARN)
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_OBJ_FLAGS := -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
FUZZ_CORE := cmdline policy sysfs modconf escape
FUZZ_HOST := mountinfo iomem state bls grubcfg grubenv entryconf uki storage tune cpulist
FUZZ_TARGETS := $(FUZZ_CORE:%=$(B)/fuzz/fuzz-%) $(FUZZ_HOST:%=$(B)/fuzz/fuzz-%)
# the simulated kernel stands in for the real one: no fuzz input reaches a write
FUZZ_LIB_OBJS := $(CORE_SRCS:%=$(B)/fuzz/obj/core/%.o) $(B)/fuzz/obj/core/kernel-fake.o
FUZZ_HOST_OBJS := $(HOST_SRCS:%=$(B)/fuzz/obj/host/%.o)

$(B)/fuzz/obj/core/%.o: src/lib/%.c $(CORE_HDRS)
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(CORE_CPPFLAGS) $(FUZZ_WARN) $(FUZZ_OBJ_FLAGS) -c -o $@ $<

$(B)/fuzz/obj/host/%.o: src/host/%.c $(HOST_HDRS)
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(HOST_CPPFLAGS) $(FUZZ_WARN) $(FUZZ_OBJ_FLAGS) -c -o $@ $<

$(B)/fuzz/obj/core/kernel-fake.o: tests/unit/kernel-fake.c $(CORE_HDRS)
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(CORE_CPPFLAGS) $(FUZZ_WARN) $(FUZZ_OBJ_FLAGS) -c -o $@ $<

$(FUZZ_CORE:%=$(B)/fuzz/fuzz-%): $(B)/fuzz/fuzz-%: tests/fuzz/fuzz-%.c $(FUZZ_LIB_OBJS) $(CORE_HDRS)
	$(Q)$(FUZZ_CC) $(CORE_CPPFLAGS) $(FUZZ_WARN) $(FUZZ_FLAGS) -o $@ $< $(FUZZ_LIB_OBJS)

$(FUZZ_HOST:%=$(B)/fuzz/fuzz-%): $(B)/fuzz/fuzz-%: tests/fuzz/fuzz-host.c $(FUZZ_LIB_OBJS) \
		$(FUZZ_HOST_OBJS) $(HOST_HDRS)
	$(Q)$(FUZZ_CC) $(HOST_CPPFLAGS) $(FUZZ_WARN) $(FUZZ_FLAGS) \
		-DFUZZ_$(shell echo $* | tr a-z A-Z) -o $@ $< $(FUZZ_HOST_OBJS) $(FUZZ_LIB_OBJS) \
		$(HOST_LIBS)

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_TARGETS)

fuzz: fuzz-build
	$(Q)tests/fuzz/run $(B) $(if $(FUZZ_RUNS),--runs $(FUZZ_RUNS) \
		$(if $(FUZZ_SECONDS),--seconds $(FUZZ_SECONDS)),--seconds $(or $(FUZZ_SECONDS),60)) \
		$(FUZZ_TARGETS_RUN)
