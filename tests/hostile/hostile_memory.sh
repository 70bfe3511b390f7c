#!/bin/sh
# The hostile-memory-*.scn configurations through the tool each names: hvsim or scn2c.
# A file's header says what must happen:
#   # tool: hvsim | scn2c        (qemu: booted by the bare-metal suite, skipped here)
#   # args: ARGS...              (after the scenario; @DATA@ is tests/data)
#   # status: N                  (the exit status)
#   # stderr: TEXT               (the first line of stderr, exactly; @SCN@ is the file)
#   # stderr-re: REGEX           (the first line of stderr matches this ERE)
#   # stdout-re: REGEX           (some line of stdout matches this ERE; any number)
# usage: hostile_memory.sh HVSIM SCN2C DATA_DIR
set -u
hvsim=$1 scn2c=$2 data=$3
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0 n=0

header() { # header FILE KEY: every value of "# KEY: value", one a line
	sed -n "s/^# $2: //p" "$1"
}

for scn in "$here"/hostile-memory-*.scn; do
	name=$(basename "$scn" .scn)
	tool=$(header "$scn" tool)
	case $tool in
	hvsim) cmd=$hvsim ;;
	scn2c) cmd=$scn2c ;;
	*) continue ;;
	esac
	n=$((n + 1))
	args=$(header "$scn" args | sed "s|@DATA@|$data|g")
	want=$(header "$scn" status)
	status=0
	if [ "$tool" = scn2c ]; then
		# shellcheck disable=SC2086
		"$cmd" "$scn" "$tmp/out.c" $args >"$tmp/stdout" 2>"$tmp/stderr" || status=$?
	else
		# shellcheck disable=SC2086
		"$cmd" "$scn" $args >"$tmp/stdout" 2>"$tmp/stderr" </dev/null || status=$?
	fi
	why=""
	[ "$status" = "$want" ] || why="status $status, not $want"
	first=$(head -1 "$tmp/stderr")
	header "$scn" stderr | sed "s|@SCN@|$scn|g" >"$tmp/want-stderr"
	if [ -s "$tmp/want-stderr" ] && [ "$first" != "$(cat "$tmp/want-stderr")" ]; then
		why="$why; stderr is not: $(cat "$tmp/want-stderr")"
	fi
	header "$scn" stderr-re | sed "s|@SCN@|$scn|g" >"$tmp/want-stderr-re"
	if [ -s "$tmp/want-stderr-re" ] && ! printf '%s\n' "$first" | grep -Eq -f "$tmp/want-stderr-re"; then
		why="$why; stderr does not match: $(cat "$tmp/want-stderr-re")"
	fi
	header "$scn" stdout-re >"$tmp/want-stdout"
	while IFS= read -r re; do
		grep -Eq -- "$re" "$tmp/stdout" || why="$why; no stdout line matches: $re"
	done <"$tmp/want-stdout"
	if [ -n "$why" ]; then
		echo "not ok $n - $name: ${why#; }"
		sed 's/^/#   stderr: /' "$tmp/stderr" | head -5
		grep -v '^\[cpu' "$tmp/stdout" | sed 's/^/#   stdout: /' | head -20
		failed=1
	else
		echo "ok $n - $name"
	fi
done
echo "1..$n"
exit $failed
