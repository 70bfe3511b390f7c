#!/bin/bash
# Prove scripts/fuzz on a target with planted bugs: a crash (3-byte inputs starting 'C')
# and a leak (2-byte inputs starting 'L'), built into a scratch "build" directory. The
# campaign must exit 1, keep crashes and leaks apart, and write commands that reproduce
# them; with the bugs switched off (PLANTED=off) it must exit 0 with no finding.
# Speaks TAP. usage: campaign-selftest.sh [SECONDS]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-15}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/build/fuzz"
cat >"$scratch/planted.c" <<'C'
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static int off = -1;
	if (off < 0)
		off = getenv("PLANTED") && !strcmp(getenv("PLANTED"), "off");
	if (off)
		return 0;
	if (n == 3 && d[0] == 'C')
		__builtin_trap();
	if (n == 2 && d[0] == 'L') {
		char *volatile p = malloc(16);
		p[0] = 1;
	}
	return 0;
}
C
echo "1..6"
if ! clang -g -fsanitize=fuzzer,address "$scratch/planted.c" -o "$scratch/build/fuzz/fuzz_fmt" \
	>"$scratch/cc.log" 2>&1; then
	echo "Bail out! cannot build the planted target: $(head -3 "$scratch/cc.log")"
	exit 1
fi

run() { # run WORKDIR [ENV=VALUE]: a campaign on the planted binary; prints its status
	env "${@:2}" "$top/scripts/fuzz" fmt --build "$scratch/build" --time "$seconds" --jobs 2 \
		--progress 5 --workdir "$1" >"$1.log" 2>&1
	echo $?
}

w=$scratch/found
status=$(run "$w")
[ "$status" = 1 ] && echo "ok 1 - a campaign with findings exits 1" ||
	{ echo "not ok 1 - a campaign with findings exited $status"; sed 's/^/# /' "$w.log" | tail -20; }
crashes=$(ls "$w/fmt/crashes" 2>/dev/null | grep -c '^crash-')
leaks=$(ls "$w/fmt/leaks" 2>/dev/null | grep -c '^leak-')
[ "$crashes" -ge 1 ] && [ "$leaks" -ge 1 ] &&
	echo "ok 2 - crashes ($crashes) and leaks ($leaks) are kept apart" ||
	echo "not ok 2 - crashes $crashes, leaks $leaks"
crash_cmd=$(grep -m1 '/crashes/crash-' "$w/fmt/REPRODUCE")
leak_cmd=$(grep -m1 '/leaks/leak-' "$w/fmt/REPRODUCE")
(cd "$top" && $crash_cmd >"$scratch/repro-crash.log" 2>&1)
crash_status=$?
(cd "$top" && $leak_cmd >"$scratch/repro-leak.log" 2>&1)
leak_status=$?
[ -n "$crash_cmd" ] && [ $crash_status -ne 0 ] && [ -n "$leak_cmd" ] && [ $leak_status -ne 0 ] &&
	grep -q LeakSanitizer "$scratch/repro-leak.log" &&
	echo "ok 3 - REPRODUCE's commands reproduce the crash and the leak" ||
	echo "not ok 3 - reproduce: crash '$crash_cmd' -> $crash_status, leak '$leak_cmd' -> $leak_status"
grep -q "^fuzz: fmt .* execs .* cov .* corpus .* crashes" "$w.log" &&
	grep -q "^fmt " "$w/summary.txt" && grep -q '"crashes"' "$w/summary.json" &&
	echo "ok 4 - progress lines while it runs, a summary table and JSON at the end" ||
	echo "not ok 4 - progress or summary missing"

w=$scratch/clean
status=$(run "$w" PLANTED=off)
[ "$status" = 0 ] && echo "ok 5 - a campaign without findings exits 0" ||
	{ echo "not ok 5 - a clean campaign exited $status"; sed 's/^/# /' "$w.log" | tail -20; }
[ -d "$w/fmt/corpus" ] && [ -f "$w/fmt/REPRODUCE" ] && [ ! -s "$w/fmt/REPRODUCE" ] &&
	[ "$(find "$w/fmt/crashes" "$w/fmt/leaks" "$w/fmt/timeouts" "$w/fmt/ooms" -type f | wc -l)" = 0 ] &&
	echo "ok 6 - the working corpus lives in the work directory; nothing found, nothing to reproduce" ||
	echo "not ok 6 - working corpus, findings or REPRODUCE wrong"
