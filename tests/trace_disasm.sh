#!/usr/bin/env bash
# Traces a person reads, as TAP: hvsim --trace shows each trapped instruction's word and
# its disassembly (tests/scenarios/trace.scn: an MMIO load, an HVC, a trapped MSR);
# tools/trace-disasm annotates a fixed trace as tests/data/trace-disasm.out says; and
# hvsim's trace with its disassembly cut off, through trace-disasm, is hvsim's trace
# again: the bare-metal trace, annotated, reads like hvsim's.
#   tests/trace_disasm.sh HVSIM TRACE_DISASM SOURCE_DIR
set -uo pipefail
hvsim=$1
tool=$2
src=$3
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

n=0
check() {
	n=$((n + 1))
	if "${@:2}" >/dev/null 2>&1; then echo "ok $n - $1"; else echo "not ok $n - $1"; fi
}
has() { grep -qE -- "$1" "$out/hvsim.log"; }

"$hvsim" "$src/tests/scenarios/trace.scn" --trace >"$out/hvsim.log" 2>&1
check "hvsim runs the scenario" grep -q "^hvsim: passed" "$out/hvsim.log"
sed 's/^/# /' "$out/hvsim.log" | grep ' insn='
check "an MMIO load shows its LDR" \
	has ' mmio-read addr=0x9000018 width=4 .* insn=0xb9400381 \(ldr w1, \[x28\]\)$'
check "an HVC shows itself, the word before the PC" \
	has ' nothing .* -> resume insn=0xd4000002 \(hvc #0\)$'
check "a trapped MSR shows its MSR" \
	has ' sysreg-write addr=0x320400 .* -> undef insn=0xd5181029 \(msr actlr_el1, x9\)$'
check "an interrupt exit shows no instruction" \
	bash -c "grep -q ' irq ' '$out/hvsim.log' && ! grep -q ' irq .*insn=' '$out/hvsim.log'"

"$tool" <"$src/tests/data/trace-disasm.in" >"$out/fixed.out"
check "trace-disasm on a fixed trace" cmp "$out/fixed.out" "$src/tests/data/trace-disasm.out"

grep ' insn=' "$out/hvsim.log" >"$out/decorated"
sed 's/\( insn=0x[0-9a-f]\{8\}\) (.*)$/\1/' "$out/decorated" >"$out/bare"
"$tool" <"$out/bare" >"$out/annotated"
check "trace-disasm adds to a bare trace what hvsim shows" cmp "$out/annotated" "$out/decorated"
check "... after a bare word, not after a decorated one" \
	bash -c "! cmp -s '$out/bare' '$out/decorated'"
echo "1..$n"
