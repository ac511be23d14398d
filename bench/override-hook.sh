#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The shell-hook way, for the benchmark only: what the widely copied
# vfio-pci-override.sh initramfs hooks do, extended to the same matching
# pt-early does (slots, vendor:device IDs, boot VGA skipped, IOMMU group
# members named), in dry-run form. Run with busybox sh.
#   override-hook.sh ROOT "0000:03:00.0 ..." "10de:1e07 ..." [cat|read]
# With "read", attributes are read with the builtin instead of $(cat ...):
# the fastest a shell hook can be written, almost fork-free.
root=$1
SLOTS=$2
IDS=$3
mode=${4:-cat}
for dev in "$root"/sys/bus/pci/devices/*; do
	slot=${dev##*/}
	if [ "$mode" = read ]; then
		read -r vendor < "$dev/vendor"
		read -r device < "$dev/device"
		read -r class < "$dev/class"
	else
		vendor=$(cat "$dev/vendor")
		device=$(cat "$dev/device")
		class=$(cat "$dev/class")
	fi
	id="${vendor#0x}:${device#0x}"
	take=
	for s in $SLOTS; do [ "$s" = "$slot" ] && take=1; done
	for i in $IDS; do [ "$i" = "$id" ] && take=1; done
	[ -n "$take" ] || continue
	case $class in 0x06*) echo "$slot: bridge, skipped"; continue ;; esac
	if [ -e "$dev/boot_vga" ]; then
		if [ "$mode" = read ]; then read -r vga < "$dev/boot_vga"; else vga=$(cat "$dev/boot_vga"); fi
		[ "$vga" = 1 ] && { echo "$slot: boot VGA, skipped"; continue; }
	fi
	group=
	if [ -L "$dev/iommu_group" ]; then
		if [ "$mode" = read ]; then
			g=$(readlink "$dev/iommu_group"); group=${g##*/}
		else
			group=$(basename "$(readlink "$dev/iommu_group")")
		fi
		for m in "$root/sys/kernel/iommu_groups/$group/devices"/*; do
			[ "${m##*/}" = "$slot" ] || echo "$slot: group $group also holds ${m##*/}"
		done
	fi
	echo "$slot $id class $class group $group: would write vfio-pci to driver_override"
done
