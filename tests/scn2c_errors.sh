#!/bin/sh
# tools/scn2c's command line: where image paths are resolved from, and every error it
# reports (exit status 1, the exact message on stderr, no OUT and no OUT.tmp left).
# usage: scn2c_errors.sh SCN2C IMAGE KERNEL   (IMAGE: any small guest image, e.g. 40
# bytes; KERNEL: tests/data/boot/Image)
set -eu
scn2c=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") image=$2 kernel=$(cd "$(dirname "$3")" && pwd)/$(basename "$3")
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
failed=0

# A VM of 4 KiB at 0x40000000 whose image statement is $1.
vm() {
	printf 'vm a {\n    memory 0x40000000 4K rwx eager\n    %s\n}\n' "$1"
}

# expect_error NAME MESSAGE SCN2C-ARGS...: exit status 1, MESSAGE on stderr, no output.
expect_error() {
	name=$1 message=$2
	shift 2
	rm -f "$dir/out.c" "$dir/out.c.tmp"
	status=0
	"$scn2c" "$@" 2>"$dir/stderr" || status=$?
	if [ "$status" -ne 1 ] || [ "$(cat "$dir/stderr")" != "$message" ] ||
	   [ -e "$dir/out.c" ] || [ -e "$dir/out.c.tmp" ]; then
		echo "FAIL $name: status $status, stderr:"
		cat "$dir/stderr"
		echo "expected: $message"
		failed=1
	else
		echo "ok $name"
	fi
}

# expect_ok NAME SCN2C-ARGS...: exit status 0 and an output that holds the image.
expect_ok() {
	name=$1
	shift
	rm -f "$dir/out.c" "$dir/out.c.tmp"
	if "$scn2c" "$@" && grep -q '^const struct vm_plan tandem_plan = ' "$dir/out.c" &&
	   grep -q '^extern const uint8_t blob_0_image\[\]; /\* [0-9]* bytes \*/$' "$dir/out.c" &&
	   grep -q '^	".incbin \\"/' "$dir/out.c" && [ ! -e "$dir/out.c.tmp" ]; then
		echo "ok $name"
	else
		echo "FAIL $name"
		failed=1
	fi
}

mkdir "$dir/scn" "$dir/images"
cp "$image" "$dir/scn/guest.bin"
cp "$image" "$dir/images/guest.bin"

printf 'vm alpha {\n    memory 0x40000000 4K rwx eager\n}\n' >"$dir/scn/noimage.scn"
expect_error no-image 'scn2c: vm alpha: no image: the bare-metal host runs guest images (add `image PATH [ADDR]` or `kernel PATH`)' \
	"$dir/scn/noimage.scn" "$dir/out.c"

printf 'vm a {\n    memory 0x40000000 4K rwx eager\n    bogus\n}\n' >"$dir/scn/bad.scn"
expect_error parse-error "$dir/scn/bad.scn:3: unknown VM statement \"bogus\"" "$dir/scn/bad.scn" "$dir/out.c"

expect_error no-scenario "$dir/none.scn: No such file or directory" "$dir/none.scn" "$dir/out.c"

vm 'image missing.bin' >"$dir/scn/missing.scn"
expect_error missing-image "scn2c: vm a: cannot read image $dir/scn/missing.bin: No such file or directory" \
	"$dir/scn/missing.scn" "$dir/out.c"

vm 'image .' >"$dir/scn/directory.scn"
expect_error image-is-a-directory "scn2c: vm a: cannot read image $dir/scn/.: Is a directory" \
	"$dir/scn/directory.scn" "$dir/out.c"

: >"$dir/scn/empty.bin"
vm 'image empty.bin' >"$dir/scn/empty.scn"
expect_error empty-image "scn2c: vm a: image $dir/scn/empty.bin is empty" "$dir/scn/empty.scn" "$dir/out.c"

truncate -s 536870913 "$dir/scn/huge.bin"
vm 'image huge.bin' >"$dir/scn/huge.scn"
expect_error image-over-512-MiB "scn2c: vm a: image $dir/scn/huge.bin is larger than 512 MiB" \
	"$dir/scn/huge.scn" "$dir/out.c"

size=$(wc -c <"$image" | tr -d ' ')
vm 'image guest.bin 0x40000fe0' >"$dir/scn/nofit.scn"
expect_error image-does-not-fit \
	"scn2c: vm a: image $dir/scn/guest.bin ($size bytes at 0x40000fe0) does not fit the memory region 0x40000000-0x40000fff" \
	"$dir/scn/nofit.scn" "$dir/out.c"

expect_error usage 'usage: scn2c SCENARIO OUT.c [--image-dir DIR]' "$dir/scn/nofit.scn"

# A failed run leaves an existing OUT as it was.
echo previous >"$dir/keep.c"
"$scn2c" "$dir/scn/noimage.scn" "$dir/keep.c" 2>/dev/null || true
if [ "$(cat "$dir/keep.c")" = previous ] && [ ! -e "$dir/keep.c.tmp" ]; then
	echo "ok failure-keeps-out"
else
	echo "FAIL failure-keeps-out"
	failed=1
fi

# Paths: relative to the scenario's directory, to --image-dir, or absolute.
vm 'image guest.bin' >"$dir/scn/ok.scn"
expect_ok relative-to-scenario "$dir/scn/ok.scn" "$dir/out.c"
(cd "$dir/scn" && "$scn2c" ok.scn ../out.c) && echo "ok scenario-in-working-directory" ||
	{ echo "FAIL scenario-in-working-directory"; failed=1; }
rm "$dir/scn/guest.bin"
expect_ok relative-to-image-dir "$dir/scn/ok.scn" "$dir/out.c" --image-dir "$dir/images"
vm "image $dir/images/guest.bin" >"$dir/scn/abs.scn"
expect_ok absolute "$dir/scn/abs.scn" "$dir/out.c" --image-dir /nonexistent

# A scenario path that would end (or nest) the generated file's first comment.
mkdir "$dir/a*" "$dir/a*/*b"
vm "image $dir/images/guest.bin" >"$dir/a*/*b/c.scn"
expect_ok comment-safe-path "$dir/a*/*b/c.scn" "$dir/out.c"
if ! head -1 "$dir/out.c" | grep -q "a\* / \*b/c.scn: do not edit. \*/\$"; then
	echo "FAIL comment-safe-path: $(head -1 "$dir/out.c")"
	failed=1
fi
# The assembler gets the image's absolute path in a string: a path that would end it
# early is refused.
mkdir "$dir/q\"uote"
cp "$image" "$dir/q\"uote/guest.bin"
vm "image $dir/q\"uote/guest.bin" >"$dir/scn/quote.scn"
expect_error assembler-unsafe-path "scn2c: $dir/q\"uote/guest.bin: a path the assembler cannot be given (quote, backslash or control character)" \
	"$dir/scn/quote.scn" "$dir/out.c"

# A kernel: in the plan by .incbin, refused with Tandem's own words if the VM's RAM
# cannot hold what its Image header declares.
printf 'vm k {\n    memory 0x40000000 1M rwx eager\n    kernel %s\n}\n' "$kernel" >"$dir/scn/kernel.scn"
expect_error kernel-too-big "scn2c: vm k: has RAM too small for its kernel: it needs up to 0x40380000, RAM ends at 0x40100000" \
	"$dir/scn/kernel.scn" "$dir/out.c"
printf 'vm k {\n    memory 0x40000000 8M rwx eager\n    kernel %s\n    bootargs "a b"\n}\n' "$kernel" >"$dir/scn/kernel.scn"
rm -f "$dir/out.c"
if "$scn2c" "$dir/scn/kernel.scn" "$dir/out.c" && grep -q 'blob_0_kernel, .kernel_size = 1024u, .bootargs = "a b"' "$dir/out.c"; then
	echo "ok kernel-in-plan"
else
	echo "FAIL kernel-in-plan"; failed=1
fi
exit $failed
