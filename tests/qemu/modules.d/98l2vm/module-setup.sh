#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dracut module used only by tests/qemu/run-nested: QEMU itself (TCG, qboot, the PVH
# loader) and an inner guest (bare vmlinux + a busybox cpio with nvme) in the test
# initramfs, so the outer guest can start a VM on the devices ptboot handed to vfio-pci.
# tests/qemu/mkinitrd --with-l2 builds the inner cpio and passes both paths.
# shellcheck disable=SC2154 # moddir is set by dracut

check() {
	# only when asked for (--modules l2vm)
	return 255
}

depends() {
	echo base
	return 0
}

install() {
	[[ -f ${PTTEST_L2_KERNEL:-} && -f ${PTTEST_L2_CPIO:-} ]] || {
		derror "l2vm: PTTEST_L2_KERNEL and PTTEST_L2_CPIO must name the inner kernel and cpio"
		return 1
	}
	# Debian builds QEMU with modules: TCG itself is one (it needs only libc)
	inst_binary /usr/bin/qemu-system-x86_64
	inst_binary /usr/lib/x86_64-linux-gnu/qemu/accel-tcg-x86_64.so
	# firmware at the paths compiled into QEMU: qboot (fastest), the PVH loader
	# option ROM, and SeaBIOS as the fallback
	inst_multiple /usr/share/qemu/qboot.rom /usr/share/qemu/pvh.bin \
		/usr/share/qemu/linuxboot_dma.bin /usr/share/qemu/kvmvapic.bin \
		/usr/share/seabios/bios-256k.bin
	inst_simple "$PTTEST_L2_KERNEL" /l2/vmlinux
	inst_simple "$PTTEST_L2_CPIO" /l2/l2.cpio
}
