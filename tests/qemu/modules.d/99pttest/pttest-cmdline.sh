#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# pttest cmdline hook: the tests have no root file system, so tell dracut not to
# wait for one. pttest.emergency=1 leaves root= empty to exercise the failure path.
type getarg > /dev/null 2>&1 || . /lib/dracut-lib.sh

if ! getargbool 0 pttest.emergency; then
	# shellcheck disable=SC2034 # read by dracut's init
	root=ptboot:none
	# shellcheck disable=SC2034
	rootok=1
fi
