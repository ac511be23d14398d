# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced in the test guest after coldplug (run-scenarios, "ptctl-in-guest"):
# ptctl list --json and ptctl check on the real machine; the host compares
# them with what the guest's sysfs says (table, groups, state report).
if command -v ptctl > /dev/null; then
	ptctl list --json > /tmp/ptctl-list.json 2> /tmp/ptctl-list.err
	pttest_log "check ptctl-list-exit ok rc=$?"
	ptctl check > /tmp/ptctl-check.txt 2>&1
	pttest_log "check ptctl-check-exit ok rc=$?"
	ptctl check --json > /tmp/ptctl-check.json 2> /dev/null
	pttest_file ptctl-list.json /tmp/ptctl-list.json
	pttest_file ptctl-list.err /tmp/ptctl-list.err
	pttest_file ptctl-check.txt /tmp/ptctl-check.txt
	pttest_file ptctl-check.json /tmp/ptctl-check.json
else
	pttest_log "check ptctl-present fail no ptctl in the image"
fi
