#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# pttest pre-udev hook (priority 05, before ptboot's 10): what every PCI function
# is bound to just before pt-early runs.
. /lib/pttest-lib.sh
pttest_before
