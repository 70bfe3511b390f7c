#!/usr/bin/env bash
# The address kinds of hal/addr.h are kept apart by the compiler: every case of
# tests/addr_types/mix.c that mixes two of them (or an address and an integer or a
# pointer) must fail to compile, and the compiler's diagnostic must name the types it
# mixed; the control case must compile with -Werror. Prints one line per case and fails
# if any case compiles, or fails without naming its types.
# Usage: tests/addr_types.sh SOURCE_ROOT CC [FLAG ...]
set -uo pipefail
root=$1
shift
cc=("$@")
src=$root/tests/addr_types/mix.c
export LC_ALL=C # ASCII quotes in gcc's messages
compile() {
	"${cc[@]}" -std=c11 -Wall -Wextra -Werror -fsyntax-only -I"$root" -D"CASE_$1" "$src" 2>&1
}

bad=0
if out=$(compile control); then
	echo "ok: control compiles"
else
	echo "FAIL: the control case does not compile:"
	echo "$out"
	bad=1
fi

# case | the type names its diagnostic must contain
cases=(
	"pa_for_gpa|paddr_t gpa_t"
	"gpa_for_pa|gpa_t paddr_t"
	"swapped_map|paddr_t gpa_t"
	"gva_for_gpa|gva_t gpa_t"
	"gpa_for_gva|gpa_t gva_t"
	"pa_for_gva|paddr_t gva_t"
	"gva_for_pa|gva_t paddr_t"
	"gpa_out_for_pa_out|gpa_t paddr_t"
	"hva_for_pa|void paddr_t"
	"pa_for_hva|paddr_t void"
	"gpa_for_hva|gpa_t void"
	"integer_for_gpa|int gpa_t"
	"gpa_for_integer|gpa_t uint64_t"
	"pa_compared_with_gpa|paddr_t gpa_t"
	"pa_arithmetic|paddr_t"
	"leaf_fn_of_integers|pt_leaf_fn gpa_t paddr_t uint64_t"
	"integer_initializer|"
)
for c in "${cases[@]}"; do
	name=${c%%|*}
	types=${c#*|}
	if out=$(compile "$name"); then
		echo "FAIL: $name compiles"
		bad=1
		continue
	fi
	missing=""
	for t in $types; do
		grep -qw -- "$t" <<<"$out" || missing="$missing $t"
	done
	if [ -n "$missing" ]; then
		echo "FAIL: $name is refused, but the diagnostic does not name:$missing"
		echo "$out" | head -20
		bad=1
	else
		echo "ok: $name refused${types:+, naming $types}: $(grep -m1 -E 'error' <<<"$out" | sed -E 's/^[^ ]+ //')"
	fi
done
exit $bad
