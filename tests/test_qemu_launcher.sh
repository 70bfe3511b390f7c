#!/bin/sh
# One way to start QEMU (issue 13, item 4): scripts/qemu --print gives, for a few
# option sets, exactly the command lines its callers used to spell out themselves, and
# no file of the checkout but the launcher, README.md, docs/ and this test names
# QEMU's binary, so every boot goes through the launcher. Prints TAP.
# usage: test_qemu_launcher.sh CHECKOUT
set -u
top=$1
qemu=$top/scripts/qemu
n=0
failed=0
# expect NAME EXPECTED-LINE LAUNCHER-ARGS...: --print with those arguments gives the line.
expect() {
	name=$1 want=$2
	shift 2
	n=$((n + 1))
	got=$("$qemu" --print "$@" 2>&1)
	if [ "$got" = "$want" ]; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		echo "#  want: $want"
		echo "#  got:  $got"
		failed=1
	fi
}
base="qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu cortex-a72"
batch="-m 512M -nic none -display none -monitor none -serial stdio -no-reboot"

expect "defaults: 2 pCPUs, batch console, the image as -kernel" \
	"$base -smp 2 $batch -kernel tandem.bin" tandem.bin
expect "scripts/run --trace --smp 4: timeout, pCPUs and boot arguments" \
	"timeout 300 $base -smp 4 $batch -kernel tandem.bin -append trace" \
	--timeout 300 --smp 4 --append trace tandem.bin
expect "scripts/debug: interactive, halted, gdb server on the port" \
	"$base -smp 2 -m 512M -nic none -nographic -S -gdb tcp::1234 -kernel tandem.bin" \
	--interactive --gdb 1234 tandem.bin
expect "vtimer benchmark: -icount shift=0,sleep=off on one pCPU" \
	"timeout 300 $base -smp 1 $batch -icount shift=0,sleep=off -kernel v.bin" \
	--timeout 300 --smp 1 --icount v.bin
expect "qemu-boot --el1: without virtualization=on" \
	"timeout 10 qemu-system-aarch64 -M virt,gic-version=3 -cpu cortex-a72 -smp 1 $batch -kernel t.bin" \
	--timeout 10 --el1 --smp 1 t.bin
expect "--dtb, --dumpdtb, and arguments after -- passed through at the end" \
	"qemu-system-aarch64 -M virt,virtualization=on,gic-version=3,dumpdtb=out.dtb -cpu cortex-a72 -smp 2 $batch -dtb in.dtb -d int,guest_errors" \
	--dtb in.dtb --dumpdtb out.dtb -- -d "int,guest_errors"
expect "--isa riscv64: QEMU's riscv64 virt board under OpenSBI, 256 MiB" \
	"timeout 60 qemu-system-riscv64 -M virt -smp 4 -m 256M -bios default ${batch#-m 512M } -kernel t.bin -append selftest" \
	--isa riscv64 --timeout 60 --smp 4 --append selftest t.bin
expect "an argument with a space is quoted once" \
	"$base -smp 2 $batch -kernel 'my image.bin' -append 'trace selftest'" \
	--append "trace selftest" "my image.bin"

n=$((n + 1))
for bad in "--smp" "--bogus tandem.bin" ""; do
	# shellcheck disable=SC2086
	if "$qemu" --print $bad >/dev/null 2>&1; then
		echo "not ok $n - a missing image or value, or an unknown option, is refused: '$bad' accepted"
		failed=1
		bad=accepted
		break
	fi
done
[ "${bad:-}" = accepted ] || echo "ok $n - a missing image or value, or an unknown option, is refused"

n=$((n + 1))
others=$(grep -rIlF --exclude-dir=.git --exclude-dir='build*' qemu-system-aarch64 "$top" |
	sed "s|^$top/||" | grep -v -e '^scripts/qemu$' -e '^README.md$' -e '^docs/' \
		-e '^tests/test_qemu_launcher.sh$')
if [ -z "$others" ]; then
	echo "ok $n - only scripts/qemu spells out QEMU's command line"
else
	echo "not ok $n - only scripts/qemu spells out QEMU's command line; also:"
	echo "$others" | sed 's/^/#  /'
	failed=1
fi
echo "1..$n"
exit $failed
