# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
# Helpers for QEMU scenario scripts: run tests/qemu/boot into a named output dir and
# check its results (final drivers, IOMMU groups, the ptboot state report, guest
# checks), counting passes and failures. Source it; it sets nothing else up.
#
#	. "$(dirname "$0")/lib.sh"
#	pttest_boot bind-nvme --append pt.devices=0000:02:00.0 || :
#	expect_result "$PTTEST_OUT" "done"
#	expect_driver "$PTTEST_OUT" 0000:02:00.0 vfio-pci
#	expect_driver "$PTTEST_OUT" 0000:03:00.0 nvme
#	expect_state_result "$PTTEST_OUT" 0000:02:00.0 bound
#	pttest_summary

# This directory: from bash's BASH_SOURCE, else found above the sourcing script
# (a POSIX shell does not say which file it is sourcing).
if [ -z "${PTTEST_DIR:-}" ]; then
	if [ -n "${BASH_SOURCE:-}" ]; then
		PTTEST_DIR=$(dirname "$BASH_SOURCE")
	else
		PTTEST_DIR=$(dirname "$0")
		while [ ! -f "$PTTEST_DIR/lib.sh" ] && [ ! -f "$PTTEST_DIR/tests/qemu/lib.sh" ] \
			&& [ "$(cd "$PTTEST_DIR" && pwd)" != / ]; do
			PTTEST_DIR=$PTTEST_DIR/..
		done
		[ -f "$PTTEST_DIR/lib.sh" ] || PTTEST_DIR=$PTTEST_DIR/tests/qemu
	fi
fi
PTTEST_DIR=$(cd "$PTTEST_DIR" 2> /dev/null && pwd)
if [ ! -x "$PTTEST_DIR/boot" ]; then
	echo "lib.sh: cannot find tests/qemu; set PTTEST_DIR" >&2
	exit 2
fi
PTTEST_TOP=$(cd "$PTTEST_DIR/../.." && pwd)
PTTEST_RUNS=${PTTEST_RUNS:-${PTBOOT_QEMU_CACHE:-$PTTEST_TOP/build/qemu}/scenarios}
PTTEST_PASS=0
PTTEST_FAIL=0
PTTEST_OUT=

pttest_pass() {
	PTTEST_PASS=$((PTTEST_PASS + 1))
	echo "PASS: $*"
}

pttest_fail() {
	PTTEST_FAIL=$((PTTEST_FAIL + 1))
	echo "FAIL: $*"
}

# exit 77: skipped, with the reason (the automake/dracut-ng convention)
pttest_skip() {
	echo "SKIP: $*"
	exit 77
}

pttest_require() {
	command -v qemu-system-x86_64 > /dev/null || pttest_skip "no qemu-system-x86_64"
	command -v dracut > /dev/null || pttest_skip "no dracut"
	command -v python3 > /dev/null || pttest_skip "no python3"
}

# pttest_boot NAME [boot options...]: boot into $PTTEST_RUNS/NAME, set PTTEST_OUT.
# Returns boot's status (0 only for "done"); the results stay in PTTEST_OUT.
# PTTEST_CELL=KERNEL+INIT+GENERATOR (tests/qemu/run-matrix) boots that configuration,
# into $PTTEST_RUNS/NAME@CELL.
pttest_boot() {
	PTTEST_OUT=$PTTEST_RUNS/$1
	shift
	if [ -n "${PTTEST_CELL:-}" ]; then
		PTTEST_OUT=$PTTEST_OUT@$PTTEST_CELL
		_c=$PTTEST_CELL
		set -- --kernel "${_c%%+*}" --init "$(echo "$_c" | cut -d+ -f2)" --generator "${_c##*+}" "$@"
	fi
	echo "BOOT: ${PTTEST_OUT##*/}: $*"
	mkdir -p "$PTTEST_RUNS"
	_pt_st=0
	"$PTTEST_DIR/boot" --out "$PTTEST_OUT" "$@" > "$PTTEST_OUT.stdout" 2> "$PTTEST_OUT.stderr" || _pt_st=1
	# A kernel panic before any pttest hook ran (so before pt-early too) is the guest kernel's
	# under TCG (seen: an int3 Oops in text patching while the initramfs unpacks): boot again,
	# once, and say so.
	if [ "$(cat "$PTTEST_OUT/result" 2> /dev/null)" = panic ] &&
		! grep -aq 'PTTEST:' "$PTTEST_OUT/console.log" 2> /dev/null; then
		echo "BOOT: ${PTTEST_OUT##*/}: the kernel panicked before the initramfs ran; booting again"
		_pt_st=0
		"$PTTEST_DIR/boot" --out "$PTTEST_OUT" "$@" > "$PTTEST_OUT.stdout" 2> "$PTTEST_OUT.stderr" || _pt_st=1
	fi
	[ $_pt_st = 0 ] || { mkdir -p "$PTTEST_OUT"; return 1; }
}

# "02:00.0" -> "0000:02:00.0"
_pttest_slot() {
	case $1 in
		????:??:??.?) echo "$1" ;;
		*) echo "0000:$1" ;;
	esac
}

# A file argument may be given as the boot output dir instead.
_pttest_file() {
	if [ -d "$1" ]; then echo "$1/$2"; else echo "$1"; fi
}

# expect_result OUT done|emergency|panic|timeout|error
expect_result() {
	_r=$(cat "$(_pttest_file "$1" result)" 2> /dev/null) || _r=missing
	if [ "$_r" = "$2" ]; then
		pttest_pass "result $2"
	else
		pttest_fail "result: want $2, got $_r (${1%/result})"
	fi
}

# expect_driver TABLE|OUT SLOT DRIVER ("-" or "none": no driver)
expect_driver() {
	_t=$(_pttest_file "$1" table.txt)
	_s=$(_pttest_slot "$2")
	_want=$3
	[ "$_want" != none ] || _want=-
	_got=$(awk -v s="$_s" '$1 == s { print $3 }' "$_t" 2> /dev/null)
	if [ -z "$_got" ]; then
		pttest_fail "$_s: not in $_t"
	elif [ "$_got" = "$_want" ]; then
		pttest_pass "$_s driver $_want"
	else
		pttest_fail "$_s driver: want $_want, got $_got"
	fi
}

# expect_same_group OUT SLOT SLOT...: all in one IOMMU group
expect_same_group() {
	_g=$(_pttest_file "$1" groups.txt)
	shift
	_want=
	for _x in "$@"; do
		_want="$_want $(_pttest_slot "$_x")"
	done
	if awk -v want="$_want" '{
		n = split(want, w, " "); ok = 1
		for (i = 1; i <= n; i++) { found = 0
			for (j = 2; j <= NF; j++) if ($j == w[i]) found = 1
			if (!found) ok = 0 }
		if (ok) hit = 1 } END { exit !hit }' "$_g" 2> /dev/null; then
		pttest_pass "one IOMMU group:$_want"
	else
		pttest_fail "not one IOMMU group:$_want"
	fi
}

# pttest_state STATE|OUT SLOT FIELD: print a field of that slot's entry in the
# state report's "devices" ("absent": no entry, "none": no report).
pttest_state() {
	python3 - "$(_pttest_file "$1" state.json)" "$(_pttest_slot "$2")" "$3" << 'PY'
import json, sys
path, slot, field = sys.argv[1:]
try:
    doc = json.load(open(path))
except FileNotFoundError:
    print("none")
    sys.exit(0)
for dev in doc.get("devices") or []:
    if dev.get("slot") == slot:
        v = dev.get(field)
        print("null" if v is None else v)
        break
else:
    print("absent")
PY
}

# expect_state_result STATE|OUT SLOT RESULT (bound, failed, refused, ...;
# "absent" when the report must not list the slot)
expect_state_result() {
	_got=$(pttest_state "$1" "$2" result)
	if [ "$_got" = "$3" ]; then
		pttest_pass "state $(_pttest_slot "$2") $3"
	else
		pttest_fail "state $(_pttest_slot "$2"): want $3, got $_got"
	fi
}

# expect_state_key STATE|OUT KEY VALUE: a top-level key of the state report,
# compared as JSON text (true, null, 1, "loaded")
expect_state_key() {
	_got=$(python3 -c 'import json, sys
try:
    print(json.dumps(json.load(open(sys.argv[1])).get(sys.argv[2])))
except FileNotFoundError:
    print("none")' "$(_pttest_file "$1" state.json)" "$2")
	if [ "$_got" = "$3" ]; then
		pttest_pass "state $2 = $3"
	else
		pttest_fail "state $2: want $3, got $_got"
	fi
}

# expect_check OUT NAME: the guest's extra.sh logged "check NAME ok ..."
expect_check() {
	_got=$(awk -v n="$2" '$1 == n { print $2 }' "$(_pttest_file "$1" checks.txt)" 2> /dev/null)
	if [ "$_got" = ok ]; then
		pttest_pass "guest check $2"
	else
		pttest_fail "guest check $2: ${_got:-missing}"
	fi
}

# expect_disk_marker IMAGE MARKER [OFFSET]: MARKER at byte OFFSET (default 0)
expect_disk_marker() {
	_got=$(dd if="$1" bs=1 skip="${3:-0}" count=${#2} 2> /dev/null)
	if [ "$_got" = "$2" ]; then
		pttest_pass "${1##*/} has $2 at ${3:-0}"
	else
		pttest_fail "${1##*/} at ${3:-0}: want $2, got '$_got'"
	fi
}

# expect_same_file EXPECTED ACTUAL: golden-file comparison, diff on failure
expect_same_file() {
	if diff -u "$1" "$2" > "$2.diff" 2>&1; then
		rm -f "$2.diff"
		pttest_pass "${2##*/} matches ${1##*/}"
	else
		pttest_fail "${2##*/} differs from $1:"
		sed 's/^/	/' "$2.diff"
	fi
}

# expect_before_untouched OUT: no host driver had probed a function pt-early selected
# (action "bind" in the state report) before pt-early ran (OUT/before.txt, written by
# the test image just before pt-early). Prints which functions each driver had.
expect_before_untouched() {
	_b=$(_pttest_file "$1" before.txt)
	if [ ! -s "$_b" ]; then
		pttest_fail "no before.txt: nothing said what was bound before pt-early"
		return
	fi
	awk '$2 != "-" { d[$2] = d[$2] " " $1 } END { for (k in d) print "before pt-early: " k ":" d[k] }' "$_b" | sort
	_sel=$(python3 -c 'import json, sys
try:
    doc = json.load(open(sys.argv[1]))
except FileNotFoundError:
    sys.exit(0)
print(" ".join(d["slot"] for d in doc.get("devices") or [] if d.get("action") == "bind"))' \
		"$(_pttest_file "$1" state.json)")
	_bad=
	for _s in $_sel; do
		_d=$(awk -v s="$_s" '$1 == s { print $2 }' "$_b")
		[ "$_d" = - ] || _bad="$_bad $_s=${_d:-missing}"
	done
	if [ -z "$_bad" ]; then
		pttest_pass "no host driver probed a selected function before pt-early (${_sel:-none selected})"
	else
		pttest_fail "probed before pt-early:$_bad"
	fi
}

# pttest_summary: print the counts; returns 1 if anything failed
pttest_summary() {
	echo "$PTTEST_PASS passed, $PTTEST_FAIL failed"
	[ "$PTTEST_FAIL" -eq 0 ]
}
