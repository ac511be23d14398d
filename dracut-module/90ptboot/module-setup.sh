#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dracut module for ptboot: installs pt-early, what runs it and the vfio modules,
# so the functions named by pt.devices= reach vfio-pci before udev coldplug lets
# their host drivers (amdgpu, nvme, snd_hda_intel, ...) probe. What runs it:
# ptboot-early.service when the image has systemd (ordered before systemd-udevd,
# with or without dracut-systemd), else the pre-udev hook of dracut's shell init.
# Never both: pt-early runs once per boot. Works with dracut 059 and dracut-ng.

# make install rewrites this line to its $(LIBEXECDIR).
PTBOOT_LIBEXECDIR=/usr/libexec

# Where pt-early is looked for: $PTBOOT_EARLY, next to this file (source-tree
# builds stage it here), then where make install and the packages put it.
_ptboot_early() {
	local p
	for p in "${PTBOOT_EARLY:-}" "$moddir/pt-early" "$PTBOOT_LIBEXECDIR/ptboot/pt-early" \
		/usr/libexec/ptboot/pt-early /usr/lib/ptboot/pt-early; do
		[[ -n $p && -x $p ]] && { echo "$p"; return 0; }
	done
	return 1
}

check() {
	_ptboot_early > /dev/null || {
		dwarn "ptboot: pt-early not found; not installing the ptboot module"
		return 1
	}
	return 0
}

depends() {
	return 0
}

installkernel() {
	# vfio_virqfd was merged into vfio in 6.2, vfio_pci_core split out in 5.15,
	# and some distributions build vfio-pci in: install whatever this kernel
	# has and ignore the rest (instmods skips built-in and missing modules).
	hostonly='' instmods vfio vfio-pci vfio_pci_core vfio_iommu_type1 vfio_virqfd \
		irqbypass vfio_iommu_spapr_tce
	local kmods="${srcmods:-/lib/modules/$kernel}"
	if ! grep -qE '/vfio[-_]pci\.ko' "$kmods/modules.builtin" 2> /dev/null \
		&& ! grep -qE '/vfio[-_]pci\.ko' "$kmods/modules.dep" 2> /dev/null; then
		dwarn "ptboot: kernel $kernel has no vfio-pci; pt.devices= will bind nothing"
	fi
	return 0
}

install() {
	local early
	early=$(_ptboot_early) || return 1
	inst_simple "$early" /usr/bin/pt-early
	# modprobe.d files may carry options/softdeps for vfio (for example
	# "options vfio_iommu_type1 allow_unsafe_interrupts=1"); pt-early's
	# loader honours them like modprobe does.
	inst_multiple -o /etc/modprobe.d/*vfio*.conf /usr/lib/modprobe.d/*vfio*.conf
	if dracut_module_included systemd; then
		inst_simple "$moddir/ptboot-early.service" "$systemdsystemunitdir/ptboot-early.service"
		# enabled by hand: systemctl --root is not always on the build host
		mkdir -p "$initdir/$systemdsystemunitdir/sysinit.target.wants"
		ln_r "$systemdsystemunitdir/ptboot-early.service" \
			"$systemdsystemunitdir/sysinit.target.wants/ptboot-early.service"
	else
		inst_hook pre-udev 10 "$moddir/ptboot-pre-udev.sh"
	fi
}
