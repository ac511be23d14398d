# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced in the test guest after udev settle (as /pttest/extra.sh) by tests/qemu/run-multipath:
# native NVMe multipath on a real kernel (issue #14). The machine has a two-controller NVMe
# subsystem (06:00.0, 07:00.0) sharing one namespace with a GPT and an ext4 partition; Debian's
# kernel has nvme_core.multipath=Y. Sends the sysfs shape (multipath-shape.sh) and ptctl's
# answers before and after the namespace's partition is mounted at /boot. Never exits.
. /pttest/multipath-shape.sh

mp_check() {
	pttest_log "check $(printf '%.700s' "$*")"
}

# ptctl ARGS... > /tmp/mp-NAME.txt, with its exit code as the last line
mp_run() {
	_mp_n=$1
	shift
	ptctl "$@" > "/tmp/mp-$_mp_n.txt" 2>&1
	echo "# exit $?" >> "/tmp/mp-$_mp_n.txt"
	pttest_file "$_mp_n.txt" "/tmp/mp-$_mp_n.txt"
}

read -r _mp_mp < /sys/module/nvme_core/parameters/multipath
mp_check "multipath-param ok nvme_core.multipath=$_mp_mp"
mp_shape "" > /tmp/mp-shape.txt
pttest_file shape.txt /tmp/mp-shape.txt

# the namespace's disk: the one in a subsystem with two controllers
_mp_disk=
for _mp_s in /sys/class/nvme-subsystem/*; do
	_mp_n=0
	for _mp_x in "$_mp_s"/nvme*; do
		[ -L "$_mp_x" ] && _mp_n=$((_mp_n + 1))
	done
	if [ "$_mp_n" -ge 2 ]; then
		for _mp_x in "$_mp_s"/nvme*n1; do
			[ -d "$_mp_x" ] && _mp_disk=${_mp_x##*/}
		done
	fi
done
echo "$_mp_disk" > /tmp/mp-disk.txt
pttest_file disk.txt /tmp/mp-disk.txt

mp_run list list -d 1b36:0010
ptctl list --json -d 1b36:0010 > /tmp/mp-list.json 2> /dev/null
pttest_file list.json /tmp/mp-list.json
mp_run cmdline-unmounted cmdline 06:00.0
mkdir -p /boot
if [ -n "$_mp_disk" ] && mount -t ext4 "/dev/${_mp_disk}p1" /boot; then
	mp_check "mount ok /dev/${_mp_disk}p1 at /boot"
else
	mp_check "mount fail /dev/${_mp_disk}p1 at /boot"
fi
mp_run list-mounted list -d 1b36:0010
mp_run cmdline-a cmdline 06:00.0
mp_run cmdline-b cmdline 07:00.0
mp_run cmdline-twin cmdline 02:00.0@1b36:0010
mp_run check-b check --policy 07:00.0@1b36:0010
mp_run bind-a bind 06:00.0 --dry-run
mp_run bind-b bind 07:00.0 --group --force --dry-run
umount /boot 2> /dev/null
