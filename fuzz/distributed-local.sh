#!/bin/bash
# Run the distributed-fuzzing build (.clusterfuzzlite/build.sh) here, as OSS-Fuzz's and
# ClusterFuzzLite's builder would (clang, AddressSanitizer, libFuzzer), then run every
# target it produced once over its zipped seed corpus. Speaks TAP: one point for the
# build, one per target. usage: distributed-local.sh [SCRATCH_DIR]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
scratch=${1:-}
if [ -z "$scratch" ]; then
	scratch=$(mktemp -d)
	trap 'rm -rf "$scratch"' EXIT
fi
export SRC=$top WORK=$scratch/work OUT=$scratch/out
export CC=clang CXX=clang++
export CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION -fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link"
export CXXFLAGS=$CFLAGS
export LIB_FUZZING_ENGINE=-fsanitize=fuzzer
mkdir -p "$WORK" "$OUT"

targets=$(sed -n '/^fuzz_targets *=/,/]/p' "$top/fuzz/meson.build" | grep -o "'[a-z0-9_]*'" | tr -d "'")
echo "1..$((1 + $(echo "$targets" | wc -w)))"
if "$top/.clusterfuzzlite/build.sh" >"$scratch/build.log" 2>&1; then
	echo "ok 1 - build.sh built $(ls "$OUT" | grep -c '^fuzz_[a-z0-9_]*$') targets into \$OUT"
else
	echo "not ok 1 - build.sh failed"
	sed 's/^/# /' "$scratch/build.log" | tail -30
fi
n=1
for t in $targets; do
	n=$((n + 1))
	bin=$OUT/fuzz_$t zip=$OUT/fuzz_${t}_seed_corpus.zip seeds=$scratch/seeds/$t
	if [ ! -x "$bin" ] || [ ! -f "$zip" ]; then
		echo "not ok $n - fuzz_$t: binary or seed corpus missing from \$OUT"
		continue
	fi
	mkdir -p "$seeds"
	python3 -m zipfile -e "$zip" "$seeds"
	count=$(ls "$seeds" | wc -l)
	want=$(ls "$top/fuzz/corpus/$t" | wc -l)
	if [ "$count" -ne "$want" ] || [ "$count" -eq 0 ]; then
		echo "not ok $n - fuzz_$t: seed zip holds $count inputs, fuzz/corpus/$t has $want"
		continue
	fi
	if "$bin" -runs=0 -timeout=10 "$seeds" >"$scratch/run-$t.log" 2>&1 &&
		grep -q "Done $count runs\|INFO: seed corpus: files: $count" "$scratch/run-$t.log"; then
		echo "ok $n - fuzz_$t ran its $count seeds"
	else
		echo "not ok $n - fuzz_$t over its $count seeds"
		sed 's/^/# /' "$scratch/run-$t.log" | tail -30
	fi
done
