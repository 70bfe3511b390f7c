#!/bin/sh
# Static partitioning runs one vCPU per pCPU (issue 12): a static configuration that
# puts two vCPUs on one pCPU, or has more vCPUs than pCPUs, is refused with the line
# to fix, by hvsim (exit status 2, "file:line: message" on stderr, nothing run) and by
# scn2c at build time (exit status 1, the same message, no output) wherever the
# scenario says enough to know; placements that exist are found and accepted.
# usage: static_refusals.sh HVSIM SCN2C IMAGE   (IMAGE: any small guest image)
set -eu
abs() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
hvsim=$(abs "$1") scn2c=$(abs "$2") image=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
failed=0
cp "$image" "$dir/guest.bin"

# scn NAME LINE...: $dir/NAME.scn, one statement a line.
scn() {
	name=$1
	shift
	printf '%s\n' "$@" >"$dir/$name.scn"
}

# refused NAME MESSAGE [HVSIM-ARGS...]: hvsim exits 2 with MESSAGE (after "FILE:").
refused() {
	name=$1 message=$2
	shift 2
	status=0
	"$hvsim" "$dir/$name.scn" --timeout 5 "$@" >"$dir/stdout" 2>"$dir/stderr" || status=$?
	if [ "$status" -ne 2 ] || [ "$(cat "$dir/stderr")" != "$dir/$name.scn:$message" ] ||
	   [ -s "$dir/stdout" ]; then
		echo "FAIL hvsim-$name: status $status, stdout and stderr:"
		cat "$dir/stdout" "$dir/stderr"
		echo "expected: $dir/$name.scn:$message"
		failed=1
	else
		echo "ok hvsim-$name"
	fi
}

# scn2c_refuses NAME MESSAGE: scn2c exits 1 with MESSAGE and writes nothing.
scn2c_refuses() {
	name=$1 message=$2
	rm -f "$dir/out.c" "$dir/out.c.tmp"
	status=0
	"$scn2c" "$dir/$name.scn" "$dir/out.c" 2>"$dir/stderr" || status=$?
	if [ "$status" -ne 1 ] || [ "$(cat "$dir/stderr")" != "$dir/$name.scn:$message" ] ||
	   [ -e "$dir/out.c" ] || [ -e "$dir/out.c.tmp" ]; then
		echo "FAIL scn2c-$name: status $status, stderr:"
		cat "$dir/stderr"
		echo "expected: $dir/$name.scn:$message"
		failed=1
	else
		echo "ok scn2c-$name"
	fi
}

# accepted NAME: hvsim runs it (exit 0) and scn2c compiles it.
accepted() {
	name=$1
	rm -f "$dir/out.c"
	if "$hvsim" "$dir/$name.scn" --timeout 20 >"$dir/stdout" 2>&1 &&
	   "$scn2c" "$dir/$name.scn" "$dir/out.c" 2>"$dir/stderr" && [ -s "$dir/out.c" ]; then
		echo "ok accepted-$name"
	else
		echo "FAIL accepted-$name:"
		cat "$dir/stdout" "$dir/stderr"
		failed=1
	fi
}

mem='    memory 0x40000000 4K rwx eager'
img='    image guest.bin'

scn too-many 'mode static' 'pcpus 2' 'vm a {' '    vcpus 3' "$mem" "$img" '}'
msg='4: vm a vcpu 2: static mode runs one vCPU per pCPU, and 3 vCPUs do not fit in 2 pCPUs'
refused too-many "$msg"
scn2c_refuses too-many "$msg"

scn same-pcpu 'mode static' 'pcpus 4' 'vm a {' '    vcpus 3' '    affinity 1 2' \
	'    affinity 2 2' "$mem" "$img" '}'
msg="6: vm a vcpu 2: pCPU 2 is already vm a vcpu 1's: static mode runs one vCPU per pCPU"
refused same-pcpu "$msg"
scn2c_refuses same-pcpu "$msg"

# Two VMs: the second one's vCPU is named, at its affinity line.
scn two-vms-one-pcpu 'mode static' 'vm a {' '    affinity 0 1' "$mem" "$img" '}' \
	'vm b {' "$mem" '    affinity 0 1' "$img" '}'
msg="9: vm b vcpu 0: pCPU 1 is already vm a vcpu 0's: static mode runs one vCPU per pCPU"
refused two-vms-one-pcpu "$msg"
scn2c_refuses two-vms-one-pcpu "$msg"

scn affinity-full 'mode static' 'pcpus 3' 'vm a {' '    vcpus 3' '    affinity 0 0 1' \
	'    affinity 1 0 1' '    affinity 2 1 0' "$mem" "$img" '}'
msg='7: vm a vcpu 2: every pCPU its affinity allows is taken: static mode runs one vCPU per pCPU'
refused affinity-full "$msg"
scn2c_refuses affinity-full "$msg"

# Default affinities: the vm statement is the line, or its vcpus statement.
scn default-overcommit 'mode static' 'pcpus 1' 'vm a {' "$mem" '}' 'vm b {' "$mem" '}'
refused default-overcommit \
	'6: vm b vcpu 0: static mode runs one vCPU per pCPU, and 2 vCPUs do not fit in 1 pCPU'

# --pcpus decides for hvsim: fewer pCPUs than the scenario was written for.
scn spread 'mode static' 'pcpus 3' 'vm a {' '    vcpus 2' "$mem" "$img" '}' 'vm b {' "$mem" \
	"$img" '}'
refused spread \
	'4: vm a vcpu 1: static mode runs one vCPU per pCPU, and 3 vCPUs do not fit in 1 pCPU' --pcpus 1
scn outside 'mode static' 'vm a {' '    affinity 0 3' "$mem" "$img" '}'
refused outside '3: vm a vcpu 0: its affinity names none of the 2 pCPUs' --pcpus 2

# Accepted: a placement exists only if vCPU 0 (any pCPU) leaves pCPUs 0 and 1 to the
# two that may use nothing else; a scenario without pcpus for scn2c (the image decides
# on the machine it boots on); and time-shared scenarios, which may share pCPUs.
scn needs-matching 'mode static' 'pcpus 3' 'vm a {' '    vcpus 3' '    affinity 1 0 1' \
	'    affinity 2 0 1' "$mem" "$img" '}'
accepted needs-matching
scn shared 'mode timeshared' 'pcpus 1' 'vm a {' '    vcpus 3' "$mem" "$img" '}' 'vm b {' "$mem" \
	"$img" '}'
accepted shared
scn no-pcpus 'mode static' 'vm a {' '    vcpus 3' "$mem" "$img" '}'
rm -f "$dir/out.c"
if "$scn2c" "$dir/no-pcpus.scn" "$dir/out.c" && [ -s "$dir/out.c" ]; then
	echo "ok scn2c-accepts-static-without-pcpus"
else
	echo "FAIL scn2c-accepts-static-without-pcpus"
	failed=1
fi
exit $failed
