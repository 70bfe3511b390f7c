#!/usr/bin/env bash
# The guest device tree as dtc reads it: tests/guest_dtb_dump writes one, dtc decompiles
# it without a warning, and the source holds what the description said, in the syntax
# the bindings give. Usage: tests/guest_dtb_dts.sh DUMP_PROGRAM
set -uo pipefail
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$1" "$dir/vm.dtb" || { echo "the dump program failed"; exit 1; }
if ! dtc -I dtb -O dts -o "$dir/vm.dts" "$dir/vm.dtb" 2>"$dir/err"; then
	echo "dtc refused the tree:"; cat "$dir/err"; exit 1
fi
if [ -s "$dir/err" ]; then
	echo "dtc warned:"; cat "$dir/err"; exit 1
fi
bad=0
expect() {
	if grep -qF -- "$1" "$dir/vm.dts"; then
		echo "ok: $1"
	else
		echo "MISSING: $1"; bad=1
	fi
}
expect 'memory@40000000 {'
expect 'reg = <0x00 0x40000000 0x00 0x8000000>;'
expect 'reg = <0x02 0x00 0x00 0x200000>;'
expect 'cpu@101 {'
expect 'reg = <0x00 0x101>;'
expect 'enable-method = "psci";'
expect 'compatible = "arm,psci-1.0\0arm,psci-0.2";'
expect 'method = "smc";'
expect 'compatible = "arm,gic-v3";'
expect 'reg = <0x00 0x8000000 0x00 0x10000 0x00 0x80a0000 0x00 0x80000>;'
expect '#interrupt-cells = <0x03>;'
expect 'interrupts = <0x01 0x0d 0x04 0x01 0x0e 0x04 0x01 0x0b 0x04 0x01 0x0a 0x04>;'
expect 'compatible = "arm,pl011\0arm,primecell";'
expect 'interrupts = <0x00 0x01 0x04>;'
expect 'bootargs = "console=ttyAMA0 earlycon rdinit=/init";'
expect 'stdout-path = "/pl011@9000000";'
expect 'linux,initrd-start = <0x00 0x48000000>;'
expect 'linux,initrd-end = <0x00 0x48123456>;'
expect 'tandem,boot-count = <0x02>;'
if grep -q 'kaslr-seed\|rng-seed' "$dir/vm.dts"; then
	echo "UNEXPECTED: a seed nobody asked for"; bad=1
fi
[ $bad = 0 ] || { echo "--- the tree:"; cat "$dir/vm.dts"; }
exit $bad
