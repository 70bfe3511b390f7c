#!/bin/bash
# Prove scripts/fuzz --coverage on the committed corpora of the three targets that reach
# the dispatch tables: the report must have its per-directory lines, its HTML, and a
# census that names what the seeds are known to reach (fuzz/corpus/vgic_mmio reads and
# writes GICD_CTLR, fuzz/corpus/aarch64_exit traps system-register accesses,
# fuzz/corpus/guest_program makes PSCI calls over HVC). Speaks TAP.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
echo "1..4"
"$top/scripts/fuzz" --coverage vgic_mmio aarch64_exit guest_program --workdir "$scratch" >"$scratch/out.log" 2>&1
status=$?
report=$scratch/coverage/report.txt
[ $status -eq 0 ] && [ -s "$report" ] && [ -s "$scratch/coverage/html/index.html" ] &&
	echo "ok 1 - a report and its HTML" ||
	{ echo "not ok 1 - scripts/fuzz --coverage exited $status"; sed 's/^/# /' "$scratch/out.log" | tail -20; }
grep -Eq '^core/ +[0-9,]+/[0-9,]+ +[0-9.]+% +[0-9,]+/[0-9,]+ +[0-9.]+%' "$report" &&
	grep -Eq '^arch/aarch64/ +[0-9,]+/[0-9,]+' "$report" &&
	echo "ok 2 - one line per directory with lines and regions covered" ||
	echo "not ok 2 - no per-directory lines"
grep -Eq 'GICD_CTLR +reads +[1-9][0-9,]* +writes +[1-9]' "$report" &&
	grep -Eq 'EC_HVC64 +ec_hvc +[1-9]' "$report" && grep -Eq 'EC_SYS64 +ec_sys64 +[1-9]' "$report" &&
	echo "ok 3 - the census counts the table entries the seeds reach" ||
	echo "not ok 3 - census: $(grep -E 'GICD_CTLR|EC_HVC64|EC_SYS64' "$report" | tr -s ' ')"
grep -q '^Unreached ([0-9]*):' "$report" && grep -q 'GICR_SETLPIR' "$report" &&
	echo "ok 4 - the unreached entries are listed" || echo "not ok 4 - no list of unreached entries"
