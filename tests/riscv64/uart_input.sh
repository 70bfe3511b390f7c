#!/usr/bin/env bash
# hvsim feeds its standard input to the first VM's NS16550A: pipe "ok!" into the
# uart-input scenario (which reads it through RBR, the legacy SBI getchar and DBCN) and
# check the verdict and the guest's console lines. The UART has no FIFO enabled (one
# holding register), so the three bytes arrive only because hvsim reads its input
# while the receiver has room: without that, two of them would be overrun.
# usage: uart_input.sh HVSIM SCENARIO
set -u
hvsim=$1 scn=$2
out=$(printf 'ok!' | "$hvsim" "$scn" --timeout 60 2>&1)
rc=$?
echo "$out"
[ $rc -eq 0 ] || { echo "uart_input: hvsim exited $rc"; exit 1; }
for line in '[u] u: waiting for input' '[u] u: got ok!' 'hvsim: passed (0 failures)'; do
	grep -qxF "$line" <<<"$out" || { echo "uart_input: no line \"$line\""; exit 1; }
done
# Without input the guest waits in WFI for ever: a timeout, not a pass.
if "$hvsim" "$scn" --timeout 2 </dev/null >/dev/null 2>&1; then
	echo "uart_input: passed without input"
	exit 1
fi
echo "uart_input: ok"
