# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced in the test guest at pre-mount by make bench (bench/qemu-bench):
# loads vfio-pci with modprobe, then with pt-early (which also binds the
# twin NVMe), N times each, alternating, with every vfio module removed in
# between; and pt-early once more right after each modprobe, the modules already
# loaded (its time without loading). Kernel-log markers carry the timestamps; the
# host does the sums. "PTBENCH format" says how the image holds vfio-pci (ko, xz, zst).
# modprobe is the image's own binary, run by its path (the one pt-early would fall
# back to): a busybox-static sh runs its modprobe applet for a bare "modprobe", and
# that applet ignores softdeps (no vfio_iommu_type1), so it loads less. Each load
# says which modules it left loaded ("PTBENCH loaded"), and the host checks that
# both loaded the same.
ptb_mods="vfio_pci vfio_pci_core vfio_iommu_type1 vfio_virqfd vfio irqbypass"
ptb_unload() {
	if [ -e /sys/bus/pci/devices/0000:03:00.0/driver ]; then
		echo 0000:03:00.0 > /sys/bus/pci/devices/0000:03:00.0/driver/unbind
	fi
	echo > /sys/bus/pci/devices/0000:03:00.0/driver_override
	for m in $ptb_mods; do
		[ -d "/sys/module/$m" ] && rmmod "$m"
	done
	[ -d /sys/module/vfio ] && echo "PTBENCH error vfio still loaded" > /dev/kmsg
}
ptb_loaded() {
	ptb_l=
	for m in $ptb_mods; do
		[ -d "/sys/module/$m" ] && ptb_l="$ptb_l $m"
	done
	echo "PTBENCH loaded $1$ptb_l" > /dev/kmsg
}
echo "pt.devices=03:00.0@1b36:0010" > /tmp/ptbench.cmdline
ptb_modprobe=
for p in /usr/sbin/modprobe /sbin/modprobe /usr/bin/modprobe /bin/modprobe; do
	[ -x "$p" ] && { ptb_modprobe=$p; break; }
done
[ -n "$ptb_modprobe" ] || echo "PTBENCH error no modprobe in the image" > /dev/kmsg
echo "PTBENCH modprobe is $ptb_modprobe ($(readlink -f "$ptb_modprobe"))" > /dev/kmsg
for f in /lib/modules/*/kernel/drivers/vfio/pci/vfio-pci.ko*; do
	[ -e "$f" ] && echo "PTBENCH format ${f##*.}" > /dev/kmsg
done
ptb_unload
i=0
while [ $i -lt "${PTBENCH_N:-5}" ]; do
	echo "PTBENCH modprobe begin $i" > /dev/kmsg
	"$ptb_modprobe" vfio-pci
	echo "PTBENCH modprobe end $i" > /dev/kmsg
	ptb_loaded modprobe
	echo "PTBENCH noload begin $i" > /dev/kmsg
	/usr/bin/pt-early --cmdline-file /tmp/ptbench.cmdline
	echo "PTBENCH noload end $i" > /dev/kmsg
	ptb_unload
	echo "PTBENCH pt-early begin $i" > /dev/kmsg
	/usr/bin/pt-early --cmdline-file /tmp/ptbench.cmdline
	echo "PTBENCH pt-early end $i" > /dev/kmsg
	ptb_loaded pt-early
	while read -r ptb_line; do
		case $ptb_line in *'"modules_us"'*) echo "PTBENCH pt-early $ptb_line $i" > /dev/kmsg ;; esac
	done < /run/ptboot/state.json
	ptb_unload
	i=$((i + 1))
done
# Each module's own finit_module(2), in every form the host put in /pttest/mods (bench/finit-time),
# the forms taking turns within each round, and each round starting with the next form.
if [ -x /pttest/finit-time ]; then
	i=0
	while [ $i -lt "${PTBENCH_N:-5}" ]; do
		case $((i % 3)) in
			0) ptb_forms="xz ko nosig" ;;
			1) ptb_forms="ko nosig xz" ;;
			*) ptb_forms="nosig xz ko" ;;
		esac
		for ptb_form in $ptb_forms; do
			[ -d "/pttest/mods/$ptb_form" ] || continue
			ptb_files=
			while read -r ptb_m; do
				for ptb_f in "/pttest/mods/$ptb_form/$ptb_m".ko*; do
					ptb_files="$ptb_files $ptb_f"
				done
			done < /pttest/finit.order
			ptb_unload
			# shellcheck disable=SC2086 # module paths, no blanks
			/pttest/finit-time "$ptb_form" $ptb_files > /dev/null ||
				echo "PTBENCH error finit-time $ptb_form failed" > /dev/kmsg
		done
		i=$((i + 1))
	done
	ptb_unload
fi
echo "PTBENCH done" > /dev/kmsg
