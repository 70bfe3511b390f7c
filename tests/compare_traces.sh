#!/usr/bin/env bash
# tests/guests/compare-traces on small riscv64 traces written here: identical exits pass;
# interrupts, WFI, turned-away writes and a 16550 LSR that found THRE clear are left out;
# an scause difference that tests/riscv64/probe/deviations.txt lists (QEMU, hvsim) is
# named and passes with --deviations, and fails without it; the reverse pair, or any
# other field's difference, fails. TAP.
#   tests/compare_traces.sh SOURCE_ROOT
set -uo pipefail
top=$1
cmp="$top/tests/guests/compare-traces"
dev="$top/tests/riscv64/probe/deviations.txt"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; }

line() { # vm vcpu scause stval kind addr width value outcome
	echo "[cpu0] vm $1 vcpu $2 scause=$3 stval=$4 htval=0x4000000 htinst=0x0 $5 addr=$6 width=$7 value=$8 -> $9 insn=?"
}
base() {
	line 0 0 0x15 0x10000005 mmio-read 0x10000005 1 0x60 resume
	line 0 0 0x17 0x10000000 mmio-write 0x10000000 1 0x41 resume
}
base >"$dir/a"
{
	line 0 0 0x8000000000000005 0x0 irq 0x0 0 0x0 retry
	line 0 0 0x15 0x10000005 mmio-read 0x10000005 1 0x01 resume
	line 0 0 0x16 0x10500073 halt 0x0 0 0x0 resume
	line 0 0 0x15 0x10000005 mmio-read 0x10000005 1 0x21 resume
	line 0 0 0x17 0x10000000 mmio-write 0x10000000 1 0x41 retry
	line 0 0 0x17 0x10000000 mmio-write 0x10000000 1 0x41 resume
} >"$dir/b"
if "$cmp" "$dir/a" "$dir/b" --uart-lsr 0x10000005 >"$dir/out" 2>&1; then
	ok "interrupts, WFI, a turned-away write and LSR's THRE-clear reads and other bits left out"
else
	not_ok "interrupts, WFI, turned-away writes and LSR timing left out"; sed 's/^/# /' "$dir/out"
fi
if ! "$cmp" "$dir/a" "$dir/b" >"$dir/out" 2>&1; then
	ok "without --uart-lsr the LSR reads are compared, and differ"
else
	not_ok "without --uart-lsr the LSR reads are compared, and differ"
fi

{ base; line 0 0 0x15 0x10000000 stage2-fault 0x10000000 0 0x0 abort; } >"$dir/qemu"
{ base; line 0 0 0x17 0x10000000 stage2-fault 0x10000000 0 0x0 abort; } >"$dir/hvsim"
if "$cmp" "$dir/qemu" "$dir/hvsim" --deviations "$dev" >"$dir/out" 2>&1 &&
	grep -q "exit 2: a listed QEMU deviation (amoadd.w-hole): scause=0x15 on QEMU, scause=0x17 in hvsim" "$dir/out"; then
	ok "an AMO's fault QEMU reports as a load's: named from deviations.txt, and passes"
else
	not_ok "an AMO's fault QEMU reports as a load's: named, and passes"; sed 's/^/# /' "$dir/out"
fi
if ! "$cmp" "$dir/qemu" "$dir/hvsim" >"$dir/out" 2>&1; then
	ok "without --deviations the same difference fails"
else
	not_ok "without --deviations the same difference fails"
fi
if ! "$cmp" "$dir/hvsim" "$dir/qemu" --deviations "$dev" >"$dir/out" 2>&1; then
	ok "the reverse pair (hvsim's value on QEMU's side) is no listed deviation"
else
	not_ok "the reverse pair is no listed deviation"
fi
{ base; line 0 0 0x15 0x10000000 stage2-fault 0x10000008 0 0x0 abort; } >"$dir/qemu2"
if ! "$cmp" "$dir/qemu2" "$dir/hvsim" --deviations "$dev" >"$dir/out" 2>&1; then
	ok "a listed scause pair with another difference beside it fails"
else
	not_ok "a listed scause pair with another difference beside it fails"
fi
{ base; base; } >"$dir/longer"
if ! "$cmp" "$dir/a" "$dir/longer" >"$dir/out" 2>&1 && grep -q "differs at exit 2 (2 vs 4 exits)" "$dir/out"; then
	ok "a vCPU with more exits on one side fails, at the first missing one"
else
	not_ok "a vCPU with more exits fails"; sed 's/^/# /' "$dir/out"
fi
echo "1..$n"
