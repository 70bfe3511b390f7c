#!/usr/bin/env bash
# Run a scenario in hvsim and count its VM's reboots: hvsim passes (every expectation
# held on every boot), the VM was reset exactly RESETS times, and, if given, MARKER (a
# line of the VM's console) came out exactly MARKS times.
#   tests/scenario_resets.sh HVSIM SCENARIO VM RESETS [MARKER MARKS]
# boot.scn: booted twice (one SYSTEM_RESET rebooted it, the next stopped it: reboots 1),
# the second time on memory the reset zeroed and loaded again. reset-race.scn: twenty
# resets however two vCPUs' requests interleave.
set -uo pipefail
out=$("$1" "$2" --timeout 60 2>&1)
rc=$?
echo "$out"
resets=$(grep -c "): reset\$" <<<"$out")
[ $rc = 0 ] || { echo "FAIL: hvsim exited $rc"; exit 1; }
[ "$resets" = "$4" ] || { echo "FAIL: $resets resets, not $4"; exit 1; }
if [ $# -ge 6 ]; then
	marks=$(grep -cxF "[$3] $5" <<<"$out")
	[ "$marks" = "$6" ] || { echo "FAIL: \"$5\" $marks times, not $6"; exit 1; }
fi
echo "ok: vm $3 reset $4 times${5:+, \"$5\" $6 times}; $(grep -c 'system reset' <<<"$out") SYSTEM_RESET requests"
