#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# ptboot pre-udev hook: bind the functions named by pt.devices= to vfio-pci
# before udev coldplug. Sourced by dracut's init, so it returns, never exits.
# pt-early itself parses the policy, logs to /dev/kmsg and rolls back on failure.
type getarg > /dev/null 2>&1 || . /lib/dracut-lib.sh

if getarg pt.devices= > /dev/null; then
	/usr/bin/pt-early
fi
