#!/bin/sh
# Run one libFuzzer target on its committed corpus for a bounded time, writing what it
# finds to a scratch directory so the source tree is never modified. A finding is exit
# status 1: libFuzzer's own codes for a crash and a timeout (77 and 70) would read as
# "skipped" and as an odd failure to meson.
# usage: smoke.sh TARGET CORPUS_DIR SECONDS
set -eu
target=$1 corpus=$2 seconds=$3
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	-error_exitcode=1 -timeout_exitcode=1 \
	-print_final_stats=1 "$scratch" "$corpus"
