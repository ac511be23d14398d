#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# pttest pre-mount hook (shell init), after udev trigger+settle, or pttest-report.service: report every PCI function's
# driver and the ptboot state report, run the scenario's /pttest/extra.sh if the
# harness added one, print the verdict and power off.
type getarg > /dev/null 2>&1 || . /lib/dracut-lib.sh
. /lib/pttest-lib.sh

# harness self-tests: the panic and timeout verdicts
getargbool 0 pttest.panic && echo c > /proc/sysrq-trigger
getargbool 0 pttest.hang && while :; do sleep 10; done

# Under systemd this runs as pttest-report.service, which nothing orders after
# coldplug: wait for udev to settle, as dracut's shell init does before pre-mount.
[ -z "${PTTEST_SETTLE:-}" ] || udevadm settle --timeout=120

pttest_report
if [ -f /pttest/extra.sh ]; then
	pttest_log "extra begin"
	. /pttest/extra.sh
	pttest_log "extra end"
fi
pttest_log "RESULT done"
pttest_poweroff
