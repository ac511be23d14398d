# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced in the outer guest (as /pttest/extra.sh, image from mkinitrd --with-l2) by
# tests/qemu/run-nested: start an inner QEMU with exactly the -device arguments that
# `ptctl virt --format qemu` prints for what pt-early bound, then once more for the twin
# NVMe that stayed on nvme (which must fail). The inner guest's console and QEMU's own
# messages come back as "PTTEST: l2 TAG LINE", then "PTTEST: l2-end TAG rc=N"; ptctl's
# output comes back as files (pttest_file). The host decides pass or fail.
# Kernel arguments: pttest.l2mark=TEXT (what the inner guest writes at offset 4096 of
# its disk), pttest.l2tmo=SECONDS (default 240), pttest.l2twin=1 (also try the twin).
# Sourced: never exits.

nv_cr=$(printf '\r')
nv_mark=L2MARK
nv_tmo=240
nv_twin=
read -r nv_cmdline < /proc/cmdline
for nv_a in $nv_cmdline; do
	case $nv_a in
		pttest.l2mark=*) nv_mark=${nv_a#*=} ;;
		pttest.l2tmo=*) nv_tmo=${nv_a#*=} ;;
		pttest.l2twin=1) nv_twin=1 ;;
	esac
done

# nv_args FILE: the QEMU arguments in ptctl virt --format qemu output (comment lines
# and the continuation backslashes dropped) into nv_devargs
nv_args() {
	nv_devargs=
	while IFS= read -r _nv_l || [ -n "$_nv_l" ]; do
		case $_nv_l in '#'* | '') continue ;; esac
		_nv_l=${_nv_l%\\}
		nv_devargs="$nv_devargs ${_nv_l% }"
	done < "$1"
}

# Work the inner kernel can skip in a throwaway test VM: the crypto self-tests, the
# TSC watchdog (nested TCG makes it distrust the TSC), audit and the speculation
# mitigations. Not measured one by one; the run-to-run noise here is larger.
nv_kargs="cryptomgr.notests tsc=reliable audit=0 mitigations=off"

# nv_l2 TAG SECONDS: the inner VM (q35, TCG, qboot, the bare vmlinux through PVH) with
# nv_devargs; every line of its console and of QEMU's stderr goes to the outer console.
nv_l2() {
	pttest_long "l2-start $1" "qemu $nv_devargs"
	{
		set -f
		# shellcheck disable=SC2086 # nv_devargs is a word list without globs
		/usr/bin/busybox timeout -s KILL "$2" qemu-system-x86_64 -machine q35 -accel tcg \
			-m 192 -nodefaults -display none -serial stdio -no-reboot \
			-bios /usr/share/qemu/qboot.rom $nv_devargs \
			-kernel /l2/vmlinux -initrd /l2/l2.cpio \
			-append "console=ttyS0 panic=-1 $nv_kargs l2.mark=$nv_mark" < /dev/null 2>&1
		echo $? > "/tmp/l2-$1.rc"
	} | while IFS= read -r _nv_l; do
		pttest_long "l2 $1" "${_nv_l%"$nv_cr"}"
	done
	_nv_rc="?"
	read -r _nv_rc < "/tmp/l2-$1.rc"
	pttest_log "l2-end $1 rc=$_nv_rc"
}

nv_unsafe=-
[ -e /sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts ] &&
	read -r nv_unsafe < /sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts
pttest_log "vfio allow_unsafe_interrupts=$nv_unsafe"
for nv_d in /dev/vfio/*; do
	pttest_log "vfio-node ${nv_d##*/}"
done

if command -v ptctl > /dev/null && command -v qemu-system-x86_64 > /dev/null; then
	# what ptctl check says before any VM is started
	ptctl check > /tmp/nv-check.txt 2>&1
	pttest_log "ptctl-check rc=$?"
	pttest_file ptctl-check.txt /tmp/nv-check.txt

	# the VM definition of the functions on vfio-pci now, and a VM with it
	ptctl virt --format qemu > /tmp/nv-virt.txt 2> /tmp/nv-virt.err
	pttest_log "ptctl-virt pos rc=$?"
	pttest_file virt-pos.txt /tmp/nv-virt.txt
	pttest_file virt-pos.err /tmp/nv-virt.err
	nv_args /tmp/nv-virt.txt
	nv_l2 pos "$nv_tmo"

	# the twin, still on nvme: ptctl says so, QEMU cannot take it, and it stays
	# with the host
	if [ -n "$nv_twin" ]; then
		ptctl virt 03:00.0 --format qemu > /tmp/nv-twin.txt 2> /tmp/nv-twin.err
		pttest_log "ptctl-virt twin rc=$?"
		pttest_file virt-twin.txt /tmp/nv-twin.txt
		pttest_file virt-twin.err /tmp/nv-twin.err
		nv_args /tmp/nv-twin.txt
		nv_l2 twin 60
		nv_drv=-
		for nv_x in /sys/bus/pci/drivers/*/0000:03:00.0; do
			[ -e "$nv_x" ] && { nv_x=${nv_x%/*}; nv_drv=${nv_x##*/}; }
		done
		pttest_log "after twin 0000:03:00.0 driver=$nv_drv"
	fi
else
	pttest_log "check nested-tools fail no ptctl or no qemu-system-x86_64 in the image"
fi
