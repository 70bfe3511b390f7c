#!/usr/bin/env bash
# tests/scenarios/boot.scn in hvsim: the program's expectations hold on both boots (the
# second on memory the reset zeroed and loaded again), and the VM booted exactly twice:
# one SYSTEM_RESET rebooted it, the next stopped it (reboots 1).
# Usage: tests/boot_reset.sh HVSIM SCENARIO
set -uo pipefail
out=$("$1" "$2" --timeout 60 2>&1)
rc=$?
echo "$out"
boots=$(grep -c '^\[boot\] booted$' <<<"$out")
resets=$(grep -c 'vm 0 (boot): reset$' <<<"$out")
[ $rc = 0 ] || { echo "FAIL: hvsim exited $rc"; exit 1; }
[ "$boots" = 2 ] || { echo "FAIL: booted $boots times, not 2"; exit 1; }
[ "$resets" = 1 ] || { echo "FAIL: $resets resets, not 1"; exit 1; }
echo "ok: booted twice, reset once, the second boot on reloaded memory"
