# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced in the test guest after udev settle (as /pttest/extra.sh) by tests/qemu/run-vmmode:
# VM mode (issue #18) on a real kernel. The guest has two "CCDs" (-smp 8,sockets=1,dies=2,
# cores=2,threads=2). Sends its topology as the planner reads it (cache index3, siblings),
# ptctl tune's plan for 4 vCPUs and 1 GiB, and what this boot really reserved and isolated:
# the hugepage lines of /proc/meminfo, /sys/devices/system/cpu/isolated and nohz_full.
# Never exits.

_vm_t=/tmp/vm-topo.txt
: > "$_vm_t"
for _vm_c in /sys/devices/system/cpu/cpu[0-9]*; do
	_vm_l3=-
	for _vm_i in "$_vm_c"/cache/index*; do
		[ -r "$_vm_i/level" ] || continue
		read -r _vm_lv < "$_vm_i/level"
		[ "$_vm_lv" = 3 ] && read -r _vm_l3 < "$_vm_i/shared_cpu_list"
	done
	read -r _vm_s < "$_vm_c/topology/thread_siblings_list"
	read -r _vm_d < "$_vm_c/topology/die_id" 2> /dev/null || _vm_d=-
	echo "${_vm_c##*/} siblings $_vm_s die $_vm_d l3 $_vm_l3" >> "$_vm_t"
done
pttest_file topo.txt "$_vm_t"

ptctl tune --vm-cpus 4 --vm-memory 1G > /tmp/vm-tune.txt 2>&1
echo "# exit $?" >> /tmp/vm-tune.txt
pttest_file tune.txt /tmp/vm-tune.txt

: > /tmp/vm-state.txt
while IFS= read -r _vm_l; do
	case $_vm_l in Huge*) echo "$_vm_l" >> /tmp/vm-state.txt ;; esac
done < /proc/meminfo
for _vm_f in isolated nohz_full; do
	if [ -r "/sys/devices/system/cpu/$_vm_f" ]; then
		read -r _vm_v < "/sys/devices/system/cpu/$_vm_f" || _vm_v=
		echo "$_vm_f=$_vm_v" >> /tmp/vm-state.txt
	else
		echo "$_vm_f absent" >> /tmp/vm-state.txt
	fi
done
read -r _vm_v < /proc/cmdline
echo "cmdline $_vm_v" >> /tmp/vm-state.txt
pttest_file state.txt /tmp/vm-state.txt
