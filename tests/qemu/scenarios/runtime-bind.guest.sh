# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced in the test guest after udev settle (as /pttest/extra.sh): ptctl bind/unbind at runtime
# on the real kernel (issue 6). PTB1 (02:00.0) goes to vfio-pci and back to nvme, idempotently;
# PTB2 (03:00.0), with a mounted file system, is refused by name and stays mounted and intact.
# Prints "PTTEST: check NAME ok|fail DETAIL" lines; never exits (it is sourced).
#
# What the host must prepare (the lead's run-scenarios):
#   - boot the standard machine WITHOUT pt.devices= (or with pt.off): both twins start on nvme;
#     any IOMMU variant with groups (intel or amd), since vfio-pci refuses devices without one;
#   - nvme2.img (serial PTB2, 03:00.0) formatted before the boot: mkfs.ext4 -q -F -L PTB2
#     OUT/nvme2.img (16 MiB is enough); nvme1.img (PTB1) keeps its HOSTMARK-PTB1 line at offset 0;
#   - the image carries: ptctl and its libraries (libpci, libblkid, libkmod), the ext4 module
#     (dracut --add-drivers ext4, or --filesystems ext4), mount/umount, and vfio-pci with its
#     dependencies and modules.dep (ptctl loads it itself, like modprobe, when pt-early did not);
#   - then expect_check for every NAME below (all "ok"), and on the host side after the boot:
#     expect_driver OUT 02:00.0 nvme, expect_driver OUT 03:00.0 nvme (the report runs before
#     this script, so its table shows the boot state: both nvme).
# Checks: pre-twins mount-ptb2 bind-ptb1 bind-ptb1-driver bind-again virt status refuse-mounted
# refuse-mounted-driver mounted-intact refuse-by-id unbind-ptb1 unbind-ptb1-driver ptb1-disk
# unbind-again status-journal umount-ptb2

rb_a=0000:02:00.0
rb_b=0000:03:00.0
rb_mnt=/run/ptb2

# a kmsg record must stay under 1 KiB: details are cut at 700 characters
rb_check() {
	_rb_msg=$(printf '%.700s' "$*")
	if command -v pttest_log > /dev/null 2>&1; then
		pttest_log "check $_rb_msg"
	else
		printf 'PTTEST: check %s\n' "$_rb_msg"
	fi
}

# The driver of a function: name of its driver link, or "-".
rb_driver() {
	_rb_l=$(readlink "/sys/bus/pci/devices/$1/driver" 2> /dev/null) || { echo -; return; }
	echo "${_rb_l##*/}"
}

# The namespace block device of an NVMe function ("nvme1n1"), or "" (waits up to 10 s: the
# nvme driver probes asynchronously and the namespace comes a moment after the driver link).
rb_nvme_disk() {
	_rb_i=0
	while [ $_rb_i -lt 20 ]; do
		for _rb_n in "/sys/bus/pci/devices/$1"/nvme/nvme*/nvme*n1; do
			[ -e "$_rb_n" ] && { echo "${_rb_n##*/}"; return; }
		done
		_rb_i=$((_rb_i + 1))
		sleep 0.5
	done
	echo ""
}

rb_serial() {
	for _rb_s in "/sys/bus/pci/devices/$1"/nvme/nvme*/serial; do
		[ -e "$_rb_s" ] && { read -r _rb_v < "$_rb_s"; echo "$_rb_v"; return; }
	done
	echo "-"
}

# run ptctl, keeping its exit code, stdout and stderr in /tmp/rb.{rc,out,err}
rb_ptctl() {
	ptctl "$@" > /tmp/rb.out 2> /tmp/rb.err
	rb_rc=$?
	rb_out=$(cat /tmp/rb.out)
	rb_err=$(cat /tmp/rb.err)
}

rb_one_line() {
	printf '%s' "$*" | tr '\n' '|'
}

if ! command -v ptctl > /dev/null 2>&1; then
	rb_check "pre-twins fail no ptctl in the image"
else
	# -- preconditions: both twins on nvme, serials as the machine defines them
	_a=$(rb_driver $rb_a) _b=$(rb_driver $rb_b)
	_sa=$(rb_serial $rb_a) _sb=$(rb_serial $rb_b)
	if [ "$_a" = nvme ] && [ "$_b" = nvme ] && [ "$_sa" = PTB1 ] && [ "$_sb" = PTB2 ]; then
		rb_check "pre-twins ok $rb_a=$_a($_sa) $rb_b=$_b($_sb)"
	else
		rb_check "pre-twins fail $rb_a=$_a($_sa) $rb_b=$_b($_sb)"
	fi

	# -- mount PTB2's ext4 and write a file on it
	_disk=$(rb_nvme_disk $rb_b)
	mkdir -p $rb_mnt
	if [ -n "$_disk" ] && mount -t ext4 "/dev/$_disk" $rb_mnt 2> /tmp/rb.mnt &&
		echo "ptboot-runtime-$$" > $rb_mnt/marker && sync; then
		rb_check "mount-ptb2 ok /dev/$_disk on $rb_mnt"
	else
		rb_check "mount-ptb2 fail disk=${_disk:-none} $(rb_one_line "$(cat /tmp/rb.mnt 2> /dev/null)")"
	fi

	# -- PTB1 to vfio-pci (guarded), then again: a no-op
	rb_ptctl bind 02:00.0@1b36:0010
	case $rb_rc:$rb_out in
	0:*"$rb_a [1b36:0010]: bound to vfio-pci (was nvme)"*) rb_check "bind-ptb1 ok" ;;
	*) rb_check "bind-ptb1 fail rc=$rb_rc out=$(rb_one_line "$rb_out") err=$(rb_one_line "$rb_err")" ;;
	esac
	_a=$(rb_driver $rb_a)
	read -r _o < /sys/bus/pci/devices/$rb_a/driver_override
	if [ "$_a" = vfio-pci ] && [ "$_o" = vfio-pci ]; then
		rb_check "bind-ptb1-driver ok driver=$_a override=$_o"
	else
		rb_check "bind-ptb1-driver fail driver=$_a override=$_o"
	fi
	rb_ptctl bind 02:00.0
	case $rb_rc:$rb_out in
	0:*"already on vfio-pci"*) rb_check "bind-again ok" ;;
	*) rb_check "bind-again fail rc=$rb_rc out=$(rb_one_line "$rb_out") err=$(rb_one_line "$rb_err")" ;;
	esac

	# -- the VM definition and the status of what is bound now
	rb_ptctl virt --format qemu
	case $rb_rc:$rb_out in
	0:*"-device vfio-pci,host=$rb_a"*) rb_check "virt ok" ;;
	*) rb_check "virt fail rc=$rb_rc out=$(rb_one_line "$rb_out") err=$(rb_one_line "$rb_err")" ;;
	esac
	rb_ptctl status
	case $rb_rc:$rb_out in
	0:*"$rb_a [1b36:0010]: on vfio-pci now, not by pt-early"*) rb_check "status ok" ;;
	*) rb_check "status fail rc=$rb_rc out=$(rb_one_line "$rb_out") err=$(rb_one_line "$rb_err")" ;;
	esac

	# -- PTB2 is mounted: refused, naming the disk and the mount point, under any flag
	rb_ptctl bind 03:00.0 --force --group
	case $rb_rc:$rb_err in
	1:*"refused (disk-in-use): 03:00.0 [1b36:0010] carries $_disk"*"$rb_mnt"*"nothing changed"*)
		rb_check "refuse-mounted ok $(rb_one_line "$rb_err")" ;;
	*) rb_check "refuse-mounted fail rc=$rb_rc out=$(rb_one_line "$rb_out") err=$(rb_one_line "$rb_err")" ;;
	esac
	_b=$(rb_driver $rb_b)
	read -r _o < /sys/bus/pci/devices/$rb_b/driver_override
	if [ "$_b" = nvme ] && [ "$_o" = "(null)" ]; then
		rb_check "refuse-mounted-driver ok driver=$_b override=$_o"
	else
		rb_check "refuse-mounted-driver fail driver=$_b override=$_o"
	fi
	_m=
	while read -r _dev _dir _rest; do
		[ "$_dir" = $rb_mnt ] && _m=$_dev
	done < /proc/mounts
	_k=
	read -r _k < $rb_mnt/marker 2> /dev/null
	if [ -n "$_m" ] && [ "$_k" = "ptboot-runtime-$$" ] && echo after > $rb_mnt/after && sync; then
		rb_check "mounted-intact ok $_m on $rb_mnt, marker read back, still writable"
	else
		rb_check "mounted-intact fail mount=${_m:-none} marker=${_k:-none}"
	fi
	# both twins by ID: PTB2 refused, so nothing changes at all (PTB1 stays where it is)
	rb_ptctl bind 1b36:0010
	if [ "$rb_rc" = 1 ] && [ "$(rb_driver $rb_b)" = nvme ] && [ "$(rb_driver $rb_a)" = vfio-pci ]; then
		rb_check "refuse-by-id ok"
	else
		rb_check "refuse-by-id fail rc=$rb_rc a=$(rb_driver $rb_a) b=$(rb_driver $rb_b) err=$(rb_one_line "$rb_err")"
	fi

	# -- PTB1 back to nvme: the override cleared, the disk back with its marker; again: a no-op
	rb_ptctl unbind 02:00.0
	case $rb_rc:$rb_out in
	0:*"$rb_a [1b36:0010]: given back to nvme (was vfio-pci)"*) rb_check "unbind-ptb1 ok" ;;
	*) rb_check "unbind-ptb1 fail rc=$rb_rc out=$(rb_one_line "$rb_out") err=$(rb_one_line "$rb_err")" ;;
	esac
	_a=$(rb_driver $rb_a)
	read -r _o < /sys/bus/pci/devices/$rb_a/driver_override
	if [ "$_a" = nvme ] && [ "$_o" = "(null)" ]; then
		rb_check "unbind-ptb1-driver ok driver=$_a override=$_o"
	else
		rb_check "unbind-ptb1-driver fail driver=$_a override=$_o"
	fi
	_d=$(rb_nvme_disk $rb_a)
	_l=
	[ -n "$_d" ] && read -r _l < "/dev/$_d" 2> /dev/null
	if [ "$_l" = HOSTMARK-PTB1 ]; then
		rb_check "ptb1-disk ok /dev/$_d reads HOSTMARK-PTB1"
	else
		rb_check "ptb1-disk fail disk=${_d:-none} first line=${_l:-none}"
	fi
	rb_ptctl unbind 02:00.0
	case $rb_rc:$rb_out in
	0:*"already with the host (nvme)"*) rb_check "unbind-again ok" ;;
	*) rb_check "unbind-again fail rc=$rb_rc out=$(rb_one_line "$rb_out") err=$(rb_one_line "$rb_err")" ;;
	esac
	rb_ptctl status
	case $rb_out in
	*"bind   $rb_a [1b36:0010]: nvme -> vfio-pci"*"unbind $rb_a [1b36:0010]: vfio-pci -> nvme"*)
		rb_check "status-journal ok" ;;
	*) rb_check "status-journal fail rc=$rb_rc out=$(rb_one_line "$rb_out")" ;;
	esac
	if umount $rb_mnt 2> /tmp/rb.mnt; then
		rb_check "umount-ptb2 ok"
	else
		rb_check "umount-ptb2 fail $(rb_one_line "$(cat /tmp/rb.mnt)")"
	fi
fi
