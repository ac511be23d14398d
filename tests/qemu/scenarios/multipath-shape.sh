# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
# mp_shape ROOT: the sysfs shape of the NVMe controllers, their subsystems and namespaces under
# ROOT ("" for the running system), one line each, as tests/qemu/run-multipath compares it
# between a real boot (this file is sourced in the guest by multipath.guest.sh) and the
# qemu-multipath fixture (sourced on the host). Fork-light: builtins, globs, readlink.
mp_read() {	# mp_read FILE: its first line, or "-"
	_mp_v=-
	[ -r "$1" ] && IFS= read -r _mp_v < "$1"
	printf '%s' "$_mp_v"
}

mp_shape() {
	for _mp_d in "$1"/sys/bus/pci/devices/*; do
		[ -d "$_mp_d/nvme" ] || continue
		for _mp_c in "$_mp_d"/nvme/nvme*; do
			[ -d "$_mp_c" ] || continue
			echo "ctrl ${_mp_d##*/} ${_mp_c##*/} transport=$(mp_read "$_mp_c/transport")" \
				"address=$(mp_read "$_mp_c/address") subsysnqn=$(mp_read "$_mp_c/subsysnqn")"
			for _mp_p in "$_mp_c"/nvme*n*; do
				[ -d "$_mp_p" ] || continue
				_mp_dev=no
				[ -e "$_mp_p/dev" ] && _mp_dev=yes
				echo "ns ${_mp_d##*/} ${_mp_c##*/}/${_mp_p##*/} hidden=$(mp_read "$_mp_p/hidden")" \
					"dev=$_mp_dev nsid=$(mp_read "$_mp_p/nsid") device=$(readlink "$_mp_p/device")"
			done
		done
	done
	for _mp_s in "$1"/sys/class/nvme-subsystem/*; do
		[ -e "$_mp_s" ] || continue
		echo "subsys ${_mp_s##*/} -> $(readlink "$_mp_s") subsysnqn=$(mp_read "$_mp_s/subsysnqn")"
		for _mp_x in "$_mp_s"/nvme*; do
			[ -e "$_mp_x" ] || continue
			if [ -L "$_mp_x" ]; then
				echo "subsys ${_mp_s##*/} ${_mp_x##*/} -> $(readlink "$_mp_x")"
			else
				_mp_dev=no
				[ -e "$_mp_x/dev" ] && _mp_dev=yes
				echo "subsys ${_mp_s##*/} ${_mp_x##*/} hidden=$(mp_read "$_mp_x/hidden") dev=$_mp_dev" \
					"nsid=$(mp_read "$_mp_x/nsid") device=$(readlink "$_mp_x/device")"
			fi
		done
	done
	for _mp_b in "$1"/sys/class/block/nvme*; do
		case ${_mp_b##*/} in *p[0-9]*) continue ;; esac	# partitions differ by design
		echo "block ${_mp_b##*/} -> $(readlink "$_mp_b")"
	done
}
