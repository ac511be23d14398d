#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dracut module used only by the QEMU tests: no real root, the host drivers of the
# standard machine's devices, and a pre-mount hook that reports every PCI function's
# driver and the ptboot state report on the serial console, then powers off.
# shellcheck disable=SC2154 # moddir is set by dracut

check() {
	# only when asked for (--modules pttest)
	return 255
}

depends() {
	echo base
	return 0
}

installkernel() {
	# The host drivers of the standard machine, so coldplug really probes them:
	# bochs (bochs-drm) for VGA and secondary-vga, snd_hda_intel for the
	# dGPU's audio function, nvme, e1000e.
	hostonly='' instmods bochs snd_hda_intel nvme e1000e
	# ext4 for the runtime-bind scenario's mounted twin
	hostonly='' instmods ext4
}

install() {
	inst_simple "$moddir/pttest-lib.sh" /lib/pttest-lib.sh
	inst_hook cmdline 90 "$moddir/pttest-cmdline.sh"
	if dracut_module_included systemd; then
		# with or without dracut-systemd (whose hook services run hooks): units
		# of its own, like ptboot's
		inst_simple "$moddir/pttest-report.sh" /lib/pttest-report.sh
		inst_multiple udevadm
		local u
		for u in pttest-before pttest-report; do
			inst_simple "$moddir/$u.service" "$systemdsystemunitdir/$u.service"
		done
		mkdir -p "$initdir/$systemdsystemunitdir/sysinit.target.wants" \
			"$initdir/$systemdsystemunitdir/initrd.target.wants"
		ln_r "$systemdsystemunitdir/pttest-before.service" \
			"$systemdsystemunitdir/sysinit.target.wants/pttest-before.service"
		ln_r "$systemdsystemunitdir/pttest-report.service" \
			"$systemdsystemunitdir/initrd.target.wants/pttest-report.service"
	else
		inst_hook pre-udev 05 "$moddir/pttest-before.sh"
		inst_hook pre-mount 99 "$moddir/pttest-report.sh"
	fi
	inst_hook emergency 00 "$moddir/pttest-emergency.sh"
	# busybox-static, only for a synchronous "poweroff -f"; sysrq is the fallback
	inst_binary -o /bin/busybox /usr/bin/busybox
	inst_dir /pttest
	# ptctl with its libraries and pci.ids, when the harness passes it
	# (tests/qemu/mkinitrd sets PTTEST_PTCTL to the build's binary)
	if [[ -n ${PTTEST_PTCTL:-} && -x $PTTEST_PTCTL ]]; then
		inst_binary "$PTTEST_PTCTL" /usr/sbin/ptctl
		inst_multiple -o mount umount readlink sync
		inst_simple /usr/share/misc/pci.ids
	fi
}
