#!/usr/bin/env bash
# gdb-multiarch, in batch mode, against hvsim's gdb stub (tests/gdb/gdb.scn):
#   1. connect; info threads lists both vCPUs; break at a guest address; continue;
#      read a register; write a register and memory; step; detach: the guest finishes
#      normally and passes, which it does only with the values gdb wrote;
#   2. interrupt the guest spinning on a load (SIGINT to gdb, as Ctrl-C), read the PC,
#      list the vCPUs (monitor vcpus), kill: the VM stops and hvsim ends;
#   3. a client that sends garbage and a register read, then vanishes: the VM, held
#      for the first client (--gdb-wait), runs on and its (other) scenario passes.
#   tests/gdb/hvsim_gdb.sh HVSIM GDB SCENARIO_DIR
set -uo pipefail
hvsim=$1
gdb=$2
dir=$3
scn=$dir/gdb.scn
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; for f in "$tmp"/*.log; do echo "--- $f"; cat "$f"; done; exit 1; }

# Start hvsim with the stub on a free port; wait for the port line.
start() { # LOG ARGS...
	local log=$1
	shift
	"$hvsim" "$@" --gdb 0 > "$tmp/$log" 2>&1 &
	hv=$!
	for _ in $(seq 100); do
		port=$(sed -n 's/^hvsim: gdb: vm .* on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$tmp/$log")
		[ -n "$port" ] && return 0
		sleep 0.1
	done
	fail "hvsim printed no gdb port"
}

run_gdb() { # LOG COMMANDS...
	local log=$1
	shift
	local args=(-nx -batch -ex 'set pagination off' -ex 'set confirm off'
		    -ex 'set architecture aarch64' -ex "target remote 127.0.0.1:$port")
	for c in "$@"; do args+=(-ex "$c"); done
	timeout 60 "$gdb" "${args[@]}" > "$tmp/$log" 2>&1
}

expect_in() { # LOG PATTERN
	grep -qE -- "$2" "$tmp/$1" || fail "$1: no line matching: $2"
}

# --- 1. Breakpoints, registers, memory, a step, detach -------------------------------
start hv1.log "$scn" --gdb-wait --timeout 60
run_gdb gdb1.log 'info threads' 'break *0x40000004' 'continue' 'stepi' 'p/x $pc' 'p/x $x0' \
	'info threads' 'delete' 'break *0x4000000c' 'continue' 'p/x $pc' 'p/x $x5' \
	'set var $x10 = 0xa' 'p/x $x10' 'set var *(unsigned long *)0x40008008 = 0x77' \
	'set var *(unsigned long *)0x40008020 = 1' \
	'x/2gx 0x40008000' 'stepi' 'p/x $pc' 'p/x $x6' 'info threads' 'delete' 'detach'
wait $hv
rc=$?
expect_in gdb1.log 'Thread 1 \(vCPU 0, on\)'
expect_in gdb1.log 'Thread 2 \(vCPU 1, off\)'
expect_in gdb1.log 'Breakpoint 1, 0x0000000040000004'
# A step over the HVC (PSCI CPU_ON, emulated by Tandem) stops right after it, the
# call done: X0 0 (success) and vCPU 1 on.
expect_in gdb1.log '^\$1 = 0x40000008$'
expect_in gdb1.log '^\$2 = 0x0$'
expect_in gdb1.log 'Breakpoint 2, 0x000000004000000c'
expect_in gdb1.log '^\$3 = 0x4000000c$'
expect_in gdb1.log '^\$4 = 0x1111$'
expect_in gdb1.log '^\$5 = 0xa$'
expect_in gdb1.log '0x40008000:[[:space:]]+0x000000000000abcd[[:space:]]+0x0000000000000077'
expect_in gdb1.log '^\$6 = 0x40000010$'
expect_in gdb1.log '^\$7 = 0x2222$'
expect_in gdb1.log 'Thread 2 \(vCPU 1, on\)'
expect_in gdb1.log 'detached'
[ $rc = 0 ] || fail "hvsim exited $rc after the detach (the guest should pass)"
expect_in hv1.log '^\[dbg\] vcpu 0 done$'
expect_in hv1.log '^hvsim: passed'
echo "ok: break, registers, memory, step, detach; the guest passed"

# --- 2. Interrupt a spinning guest, kill --------------------------------------------
start hv2.log "$scn" --gdb-wait --timeout 60
# gdb itself in the background (no timeout(1) in between, which would pass the SIGINT
# on a second time), a watchdog of our own instead.
"$gdb" -nx -batch -ex 'set pagination off' -ex 'set confirm off' \
	-ex 'set architecture aarch64' -ex "target remote 127.0.0.1:$port" -ex 'continue' \
	-ex 'p/x $pc' -ex 'info threads' -ex 'monitor vcpus' -ex 'kill' > "$tmp/gdb2.log" 2>&1 &
gdbpid=$!
(sleep 60; kill -9 $gdbpid 2>/dev/null) &
watchdog=$!
for _ in $(seq 100); do grep -q "Continuing" "$tmp/gdb2.log" 2>/dev/null && break; sleep 0.1; done
sleep 0.5
kill -INT $gdbpid || fail "no gdb to interrupt"
wait $gdbpid
kill $watchdog 2>/dev/null
wait $hv
expect_in gdb2.log 'received signal SIGINT'
expect_in gdb2.log '^\$1 = 0x40000010$'
expect_in gdb2.log 'thread 1: vCPU 0 stopped, on no pCPU'
expect_in gdb2.log 'thread 2: vCPU 1 (stopped|blocked|off), on no pCPU'
expect_in hv2.log '^hvsim: '
grep -q '^\[dbg\] vcpu 0 done$' "$tmp/hv2.log" && fail "the killed guest ran to its end"
echo "ok: interrupt, monitor vcpus, kill"

# --- 3. A client that talks nonsense and goes --------------------------------------
start hv3.log "$dir/../scenarios/wait64.scn" --gdb-wait --timeout 60
for _ in $(seq 20); do exec 3<>"/dev/tcp/127.0.0.1/$port" 2>/dev/null && break; sleep 0.2; done
{ true >&3; } 2>/dev/null || fail "cannot connect"
printf '$nonsense#00garbage\x03$g#67$?#3f$g#67$m0,ffffffff#00$Z0,0,4#ae' >&3
sleep 0.3
exec 3>&-
wait $hv
rc=$?
[ $rc = 0 ] || fail "hvsim exited $rc after a client came and went"
echo "ok: a hostile client came and went; the guest passed"
