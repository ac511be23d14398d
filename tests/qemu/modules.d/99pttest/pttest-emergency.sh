#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# pttest emergency hook: dracut gave up; report what the devices look like, print
# the verdict and power off instead of dropping to a shell.
. /lib/pttest-lib.sh

pttest_report
pttest_log "RESULT emergency"
pttest_poweroff
