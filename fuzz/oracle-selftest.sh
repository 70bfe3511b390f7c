#!/bin/bash
# Prove the exit oracle of fuzz_aarch64_exit and fuzz_guest_program: their variants with
# a bug planted in the exit path (fuzz/planted.c) must stop with an oracle finding on
# the committed corpus within LIMIT seconds for each bug (the PC stepped by 8, a wrong
# register written), and run clean with no bug planted. Speaks TAP.
# usage: oracle-selftest.sh AARCH64_EXIT_PLANTED GUEST_PROGRAM_PLANTED CORPUS_DIR [LIMIT]
set -u
exits=$1 programs=$2 corpus=$3 limit=${4:-30}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
echo "1..6"
n=0
for pair in "aarch64_exit:$exits" "guest_program:$programs"; do
	name=${pair%%:*} exe=${pair#*:}
	for bug in pc8 reg; do
		n=$((n + 1))
		mkdir -p "$scratch/$name-$bug"
		start=$(date +%s%N)
		PLANTED_BUG=$bug timeout $((limit + 30)) "$exe" -max_total_time="$limit" -timeout=10 \
			-rss_limit_mb=2048 -artifact_prefix="$scratch/" "$scratch/$name-$bug" \
			"$corpus/$name" >"$scratch/$name-$bug.log" 2>&1
		status=$?
		ms=$((($(date +%s%N) - start) / 1000000))
		took=$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))
		if [ $status -ne 0 ] && grep -q "$name: oracle:" "$scratch/$name-$bug.log"; then
			echo "ok $n - $name with bug $bug planted: oracle finding after ${took} s"
			grep -m1 "$name: oracle:" "$scratch/$name-$bug.log" | sed 's/^/# /'
		else
			echo "not ok $n - $name with bug $bug planted: exit $status after ${took} s, no oracle finding"
			tail -5 "$scratch/$name-$bug.log" | sed 's/^/# /'
		fi
	done
	n=$((n + 1))
	mkdir -p "$scratch/$name-none"
	timeout 60 "$exe" -max_total_time=5 -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$scratch/" \
		"$scratch/$name-none" "$corpus/$name" >"$scratch/$name-none.log" 2>&1
	status=$?
	[ $status -eq 0 ] && echo "ok $n - $name with no bug planted: no finding in 5 s" ||
		{ echo "not ok $n - $name with no bug planted exited $status"; tail -5 "$scratch/$name-none.log" | sed 's/^/# /'; }
done
