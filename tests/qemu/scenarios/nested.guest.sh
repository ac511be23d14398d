# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced in the outer guest (as /pttest/extra.sh, image from mkinitrd --with-l2) by
# tests/qemu/run-nested: start an inner QEMU with exactly the -device arguments that
# `ptctl virt --format qemu` prints for what pt-early bound, then once more for the twin
# NVMe that stayed on nvme (which must fail). The inner guest's console and QEMU's own
# messages come back as "PTTEST: l2 TAG LINE", then "PTTEST: l2-end TAG rc=N"; ptctl's
# output comes back as files (pttest_file). The host decides pass or fail.
# Kernel arguments: pttest.l2mark=TEXT (what the inner guest writes at offset 4096 of
# its disk), pttest.l2tmo=SECONDS (default 240), pttest.l2twin=1 (also try the twin),
# pttest.l2vm=1 (VM mode, issue #18: the inner QEMU from `ptctl virt --vm-cpus 4 --vm-memory 1G
# --format qemu`, its memory on a 1 GiB hugepage, its threads pinned by `ptctl virt --format pin`
# and read back from /proc as "vmpin COMM ALLOWED" lines).
# Sourced: never exits.

nv_cr=$(printf '\r')
nv_mark=L2MARK
nv_tmo=240
nv_twin=
nv_vm=
read -r nv_cmdline < /proc/cmdline
for nv_a in $nv_cmdline; do
	case $nv_a in
		pttest.l2mark=*) nv_mark=${nv_a#*=} ;;
		pttest.l2tmo=*) nv_tmo=${nv_a#*=} ;;
		pttest.l2twin=1) nv_twin=1 ;;
		pttest.l2vm=1) nv_vm=1 ;;
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
			-append "console=ttyS0 panic=-1 no_timer_check $nv_kargs l2.mark=$nv_mark" < /dev/null 2>&1
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

# VM mode: the inner QEMU started in the background from ptctl virt's arguments with the plan,
# pinned with its script while it runs, its threads' affinity logged
nv_vmmode() {
	mkdir -p /dev/hugepages /tmp/bin
	mount -t hugetlbfs -o pagesize=1G none /dev/hugepages
	pttest_log "vm-mount rc=$?"
	ln -sf /usr/bin/busybox /tmp/bin/taskset
	PATH=/tmp/bin:$PATH
	while IFS= read -r _nv_l; do
		case $_nv_l in HugePages_Total* | Hugepagesize*) pttest_log "vm-meminfo $_nv_l" ;; esac
	done < /proc/meminfo
	ptctl virt --vm-cpus 4 --vm-memory 1G --format qemu > /tmp/nv-vm.txt 2> /tmp/nv-vm.err
	pttest_log "ptctl-virt vm rc=$?"
	pttest_file virt-vm.txt /tmp/nv-vm.txt
	pttest_file virt-vm.err /tmp/nv-vm.err
	ptctl virt --vm-cpus 4 --vm-memory 1G --format pin > /tmp/nv-pin.sh 2>&1
	pttest_log "ptctl-pin rc=$?"
	nv_args /tmp/nv-vm.txt
	# TCG inside: no host CPU model, its max one
	case $nv_devargs in *"-cpu host,"*) nv_devargs="${nv_devargs%%-cpu host,*}-cpu max,${nv_devargs#*-cpu host,}" ;; esac
	nv_l2 vm "$nv_tmo" &
	_nv_pid= _nv_i=0
	while [ $_nv_i -lt 120 ] && [ -z "$_nv_pid" ]; do
		for _nv_p in /proc/[0-9]*; do
			read -r _nv_c < "$_nv_p/comm" 2> /dev/null || continue
			[ "$_nv_c" = qemu-system-x86 ] || continue
			_nv_n=0
			for _nv_t in "$_nv_p"/task/*; do
				read -r _nv_c < "$_nv_t/comm" 2> /dev/null
				case $_nv_c in "CPU "*) _nv_n=$((_nv_n + 1)) ;; esac
			done
			[ $_nv_n -ge 4 ] && _nv_pid=${_nv_p#/proc/}
		done
		[ -n "$_nv_pid" ] || sleep 1
		_nv_i=$((_nv_i + 1))
	done
	if [ -n "$_nv_pid" ]; then
		sh /tmp/nv-pin.sh "$_nv_pid" > /tmp/nv-pin.out 2>&1
		pttest_log "vm-pin rc=$?"
		pttest_file pin.out /tmp/nv-pin.out
		for _nv_t in /proc/"$_nv_pid"/task/*; do
			read -r _nv_c < "$_nv_t/comm"
			while IFS= read -r _nv_l; do
				case $_nv_l in Cpus_allowed_list:*) pttest_log "vmpin $_nv_c:${_nv_l#*:}" ;; esac
			done < "$_nv_t/status"
		done
	else
		pttest_log "vm-pin rc=noqemu"
	fi
	wait
}

if [ -n "$nv_vm" ] && command -v ptctl > /dev/null && command -v qemu-system-x86_64 > /dev/null; then
	nv_vmmode
elif command -v ptctl > /dev/null && command -v qemu-system-x86_64 > /dev/null; then
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
