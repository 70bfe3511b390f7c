#!/bin/bash
# Prove the oracle of fuzz_a64_decode: its variant with a bug planted (fuzz/a64_planted.c)
# in the engine's syndrome (a halfword reported as a word) or in the exit path's decoder
# (a sign-extending load reported as not) must stop with an oracle finding on the
# committed corpus within LIMIT seconds, and run clean with no bug planted. Speaks TAP.
# usage: a64-selftest.sh A64_DECODE_PLANTED CORPUS_DIR [LIMIT]
set -u
exe=$1 corpus=$2 limit=${3:-30}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
echo "1..3"
n=0
for bug in engine decoder; do
	n=$((n + 1))
	mkdir -p "$scratch/$bug"
	start=$(date +%s%N)
	PLANTED_BUG=$bug timeout $((limit + 30)) "$exe" -max_total_time="$limit" -timeout=10 \
		-rss_limit_mb=2048 -artifact_prefix="$scratch/" "$scratch/$bug" "$corpus" \
		>"$scratch/$bug.log" 2>&1
	status=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	took=$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))
	if [ $status -ne 0 ] && grep -q "a64_decode: oracle:" "$scratch/$bug.log"; then
		echo "ok $n - a64_decode with bug $bug planted: oracle finding after ${took} s"
		grep -m1 "a64_decode: oracle:" "$scratch/$bug.log" | sed 's/^/# /'
	else
		echo "not ok $n - a64_decode with bug $bug planted: exit $status after ${took} s," \
			"no oracle finding"
		tail -5 "$scratch/$bug.log" | sed 's/^/# /'
	fi
done
n=$((n + 1))
mkdir -p "$scratch/none"
timeout 60 "$exe" -max_total_time=5 -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$scratch/" \
	"$scratch/none" "$corpus" >"$scratch/none.log" 2>&1
status=$?
[ $status -eq 0 ] && echo "ok $n - a64_decode with no bug planted: no finding in 5 s" ||
	{
		echo "not ok $n - a64_decode with no bug planted exited $status"
		tail -5 "$scratch/none.log" | sed 's/^/# /'
	}
