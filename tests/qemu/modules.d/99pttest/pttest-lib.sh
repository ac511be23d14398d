#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the pttest hooks: "PTTEST: ..." lines on /dev/kmsg, which the harness
# greps from the serial console. Fork-free (builtins, globs, read): under TCG every
# fork+exec costs 0.05-0.1 s.

pttest_log() {
	printf '%s\n' "PTTEST: $*" > /dev/kmsg
}

# A /dev/kmsg write must stay under 1 KiB, so long lines go out in pieces:
# "PTTEST: $1 first-part", then "PTTEST: $1+ next-part"... which the host joins.
pttest_long() {
	_pt_tag=$1 _pt_rest=$2
	_pt_q='????????????????????????????????????????????????????????????????????????????????'
	_pt_q=$_pt_q$_pt_q$_pt_q$_pt_q$_pt_q$_pt_q$_pt_q$_pt_q$_pt_q$_pt_q # 800 characters
	while [ ${#_pt_rest} -gt 800 ]; do
		# shellcheck disable=SC2295 # _pt_q is a pattern: 800 times "?"
		_pt_tail=${_pt_rest#$_pt_q}
		pttest_log "$_pt_tag ${_pt_rest%"$_pt_tail"}"
		_pt_rest=$_pt_tail _pt_tag=${_pt_tag%+}+
	done
	pttest_log "$_pt_tag $_pt_rest"
}

# A whole file for the host: "file NAME line" per line (long lines in pieces);
# tests/qemu/boot rebuilds it as OUT/files/NAME.
pttest_file() {
	if [ -f "$2" ]; then
		while IFS= read -r _pt_l || [ -n "$_pt_l" ]; do
			pttest_long "file $1" "$_pt_l"
		done < "$2"
	else
		pttest_log "file $1"
	fi
}

# Every bound PCI function as DRIVER/SLOT, one string.
pttest_bound() {
	_pt_bound=
	for _pt_x in /sys/bus/pci/drivers/*/0*:*; do
		[ -e "$_pt_x" ] && _pt_bound="$_pt_bound ${_pt_x#/sys/bus/pci/drivers/}"
	done
}

# udev's queue being empty does not mean every probe has returned (nvme and others
# probe asynchronously; a loaded TCG host stretches that to seconds): wait until the
# bound set is the same twice 0.5 s apart (at most 30 s), and say so when it moved.
pttest_settle_drivers() {
	pttest_bound
	_pt_prev=$_pt_bound _pt_n=0
	while [ $_pt_n -lt 60 ]; do
		sleep 0.5 2> /dev/null || sleep 1
		pttest_bound
		[ "$_pt_bound" = "$_pt_prev" ] && break
		_pt_prev=$_pt_bound _pt_n=$((_pt_n + 1))
	done
	[ $_pt_n -eq 0 ] || pttest_log "settle: the bound drivers changed $_pt_n times after udev settled"
}

# "table SLOT VENDOR:DEVICE DRIVER" per PCI function, then "dev SLOT ..." with
# the class, IOMMU group, boot_vga and driver_override, then "group N SLOT..."
# per IOMMU group.
pttest_table() {
	for _pt_d in /sys/bus/pci/devices/*; do
		[ -e "$_pt_d" ] || continue
		_pt_b=${_pt_d##*/}
		read -r _pt_v < "$_pt_d/vendor"
		read -r _pt_i < "$_pt_d/device"
		_pt_drv=-
		for _pt_x in /sys/bus/pci/drivers/*/"$_pt_b"; do
			[ -e "$_pt_x" ] && { _pt_x=${_pt_x%/*}; _pt_drv=${_pt_x##*/}; }
		done
		pttest_log "table $_pt_b ${_pt_v#0x}:${_pt_i#0x} $_pt_drv"
	done
	for _pt_d in /sys/bus/pci/devices/*; do
		[ -e "$_pt_d" ] || continue
		_pt_b=${_pt_d##*/}
		read -r _pt_c < "$_pt_d/class"
		_pt_g=-
		for _pt_x in /sys/kernel/iommu_groups/*/devices/"$_pt_b"; do
			[ -e "$_pt_x" ] && { _pt_x=${_pt_x%/devices/*}; _pt_g=${_pt_x##*/}; }
		done
		_pt_vga=-
		[ -e "$_pt_d/boot_vga" ] && read -r _pt_vga < "$_pt_d/boot_vga"
		_pt_o=-
		[ -e "$_pt_d/driver_override" ] && read -r _pt_o < "$_pt_d/driver_override"
		pttest_log "dev $_pt_b class=$_pt_c group=$_pt_g boot_vga=$_pt_vga override=$_pt_o"
	done
	for _pt_g in /sys/kernel/iommu_groups/*; do
		[ -d "$_pt_g" ] || continue
		_pt_m=
		for _pt_x in "$_pt_g"/devices/*; do
			[ -e "$_pt_x" ] && _pt_m="$_pt_m ${_pt_x##*/}"
		done
		pttest_log "group ${_pt_g##*/}$_pt_m"
	done
}

# The ptboot state report, line by line.
pttest_state() {
	if [ -f /run/ptboot/state.json ]; then
		while IFS= read -r _pt_l || [ -n "$_pt_l" ]; do
			pttest_long state "$_pt_l"
		done < /run/ptboot/state.json
	else
		pttest_log "state none"
	fi
}

pttest_modules() {
	_pt_m=
	while read -r _pt_x _pt_y; do
		_pt_m="$_pt_m $_pt_x"
	done < /proc/modules
	pttest_long modules "${_pt_m# }"
}

pttest_poweroff() {
	if [ -x /usr/bin/busybox ]; then
		/usr/bin/busybox poweroff -f
	fi
	echo o > /proc/sysrq-trigger
	while :; do sleep 1; done
}

pttest_report() {
	pttest_settle_drivers
	pttest_table
	pttest_state
	pttest_modules
}

# "before SLOT DRIVER" per PCI function ("-": none), just before pt-early runs:
# which functions the host drivers had probed by then.
pttest_before() {
	for _pt_d in /sys/bus/pci/devices/*; do
		[ -e "$_pt_d" ] || continue
		_pt_b=${_pt_d##*/}
		_pt_drv=-
		for _pt_x in /sys/bus/pci/drivers/*/"$_pt_b"; do
			[ -e "$_pt_x" ] && { _pt_x=${_pt_x%/*}; _pt_drv=${_pt_x##*/}; }
		done
		pttest_log "before $_pt_b $_pt_drv"
	done
}
