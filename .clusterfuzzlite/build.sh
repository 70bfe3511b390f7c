#!/bin/bash -eu
# Build every Tandem fuzz target as OSS-Fuzz and ClusterFuzzLite build projects: each
# source compiled with $CC $CFLAGS, each target linked with $CXX $CXXFLAGS
# $LIB_FUZZING_ENGINE into $OUT, and each target's committed corpus zipped into
# $OUT/<target>_seed_corpus.zip (a dictionary, where one exists, as $OUT/<target>.dict).
# The source lists and the target list are read from the meson.build files, so this
# script and the meson build cannot drift apart. fuzz/distributed-local.sh runs it on
# this machine, as scripts/test does.
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
objs=${WORK:-$(mktemp -d)}/tandem-objs
rm -rf "$objs"
mkdir -p "$objs/gen/arch" "$OUT"

# The quoted '*.c' files of a meson.build, with its directory in front.
sources_of() {
	local dir
	dir=$(dirname "$1")
	grep -o "'[A-Za-z0-9_/]*\.c'" "$1" | tr -d "'" | sed "s|^|$dir/|"
}

# The ISA whose vCPUs run: aarch64, meson's default (arch/isa.h.in names its header).
sed 's/@ISA@/aarch64/' arch/isa.h.in >"$objs/gen/arch/tandem_isa.h"
includes=(-I"$top" -I"$objs/gen")

compile() { # compile OBJ_DIR EXTRA_FLAGS... -- SOURCES...
	local out=$1
	shift
	local flags=()
	while [ "$1" != "--" ]; do
		flags+=("$1")
		shift
	done
	shift
	mkdir -p "$objs/$out"
	for src in "$@"; do
		# shellcheck disable=SC2086
		$CC $CFLAGS -std=c11 -D_FILE_OFFSET_BITS=64 "${includes[@]}" "${flags[@]}" \
			-c "$src" -o "$objs/$out/$(basename "$src" .c).o"
	done
}

# core/ and arch/ are freestanding (DESIGN rule 1), the rest is hosted.
compile core -ffreestanding -nostdlibinc -- $(sources_of core/meson.build)
compile arch -ffreestanding -nostdlibinc -- $(sources_of arch/meson.build) \
	$(sources_of arch/aarch64/meson.build)
compile hal-sim -pthread -- $(sources_of hal-sim/meson.build)
compile scenario -D_GNU_SOURCE -- $(sources_of tools/scenario/meson.build)
${AR:-ar} rcs "$objs/libtandem.a" "$objs"/core/*.o "$objs"/arch/*.o "$objs"/hal-sim/*.o \
	"$objs"/scenario/*.o

targets=$(sed -n '/^fuzz_targets *=/,/]/p' fuzz/meson.build | grep -o "'[a-z0-9_]*'" | tr -d "'")
[ -n "$targets" ] || { echo "build.sh: no fuzz_targets in fuzz/meson.build" >&2; exit 1; }
for t in $targets; do
	compile fuzz -D_GNU_SOURCE -- "fuzz/$t.c"
	# A target with capstone as its oracle (fuzz/meson.build's fuzz_deps) links it.
	libs=()
	if grep -q '^#include <capstone/capstone.h>' "fuzz/$t.c"; then
		libs=(-lcapstone)
	fi
	# shellcheck disable=SC2086
	$CXX $CXXFLAGS "$objs/fuzz/$t.o" "$objs/libtandem.a" "${libs[@]}" $LIB_FUZZING_ENGINE \
		-pthread -o "$OUT/fuzz_$t"
	rm -f "$OUT/fuzz_${t}_seed_corpus.zip"
	(cd "fuzz/corpus/$t" && python3 -m zipfile -c "$OUT/fuzz_${t}_seed_corpus.zip" ./*)
	if [ -f "fuzz/$t.dict" ]; then
		cp "fuzz/$t.dict" "$OUT/fuzz_$t.dict"
	fi
done
