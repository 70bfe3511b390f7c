#!/bin/bash
# The RV64 decoders and encoders (arch/riscv64/rvinsn.c) against the cross binutils, an
# independent reading of the ISA: every form the decoders read, with several registers
# and offsets, is assembled by riscv64-linux-gnu-as -march=rv64gc_h and read back by
# objdump -M no-aliases,numeric; then
#   - the encoder's word for each line (tests/rvinsn_dump enc) is the assembler's;
#   - for those words and for random words in the same opcode spaces (rvinsn_dump rand,
#     placed with .insn), the decoders' reading (rvinsn_dump dec) is objdump's text,
#     field for field; and a word the decoders refuse is one objdump does not read as a
#     load, store, AMO, LR/SC, CSR access, WFI, SRET, fence, HLV or HSV.
# objdump names the CSRs it knows; each name is mapped back to its number by assembling
# it. Skipped (exit 77) without the cross binutils (Debian: binutils-riscv64-linux-gnu).
# usage: rvinsn_oracle.sh RVINSN_DUMP [RANDOM_WORDS]
set -u
dump=$1 nrand=${2:-20000}
as=riscv64-linux-gnu-as objdump=riscv64-linux-gnu-objdump
if ! command -v $as >/dev/null || ! command -v $objdump >/dev/null; then
	echo "rvinsn-oracle: $as or $objdump missing: skipped"
	exit 77
fi
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT

# ---- Every form, several registers and offsets, in objdump's own syntax -------------
{
	for m in lb lh lw ld lbu lhu lwu sb sh sw sd; do
		for rbi in "0 0 0" "10 2 -4" "31 31 -2048" "5 17 2047" "1 8 100" "15 9 -1"; do
			set -- $rbi
			echo "$m x$1,$3(x$2)"
		done
	done
	for m in flw fld fsw fsd; do
		for rbi in "0 0 0" "10 2 -8" "31 31 2047" "7 12 -2048"; do
			set -- $rbi
			echo "$m f$1,$3(x$2)"
		done
	done
	for m in c.lw c.sw; do
		for rbi in "8 8 0" "9 15 4" "15 10 124" "12 13 64"; do
			set -- $rbi
			echo "$m x$1,$3(x$2)"
		done
	done
	for m in c.ld c.sd c.fld c.fsd; do
		r=x
		case $m in c.f*) r=f ;; esac
		for rbi in "8 8 0" "9 15 8" "15 10 248" "12 13 128"; do
			set -- $rbi
			echo "$m $r$1,$3(x$2)"
		done
	done
	for rbi in "1 0" "10 8" "31 252" "2 128"; do
		set -- $rbi
		echo "c.lwsp x$1,$2(x2)"
	done
	for rbi in "0 0" "10 8" "31 252" "2 4"; do
		set -- $rbi
		echo "c.swsp x$1,$2(x2)"
	done
	for rbi in "1 0" "10 8" "31 504" "2 256"; do
		set -- $rbi
		echo "c.ldsp x$1,$2(x2)"
	done
	for rbi in "0 0" "10 8" "31 504" "2 256"; do
		set -- $rbi
		echo "c.sdsp x$1,$2(x2)"
		echo "c.fldsp f$1,$2(x2)"
		echo "c.fsdsp f$1,$2(x2)"
	done
	for m in amoadd amoswap amoxor amoor amoand amomin amomax amominu amomaxu sc; do
		for s in w d; do
			for o in "" .aq .rl .aqrl; do
				echo "$m.$s$o x10,x11,(x12)"
			done
			echo "$m.$s x0,x31,(x1)"
		done
	done
	for s in w d; do
		for o in "" .aq .rl .aqrl; do
			echo "lr.$s$o x10,(x11)"
		done
		echo "lr.$s x31,(x0)"
	done
	for m in csrrw csrrs csrrc; do
		for rcs in "0 0x100 5" "10 0x100 0" "1 0x14d 31" "31 0x7c0 7" "6 0xfff 0" "7 0xc01 9"; do
			set -- $rcs
			echo "$m x$1,$2,x$3"
		done
		for rcu in "0 0x100 31" "5 0x7c0 0" "31 0x600 1" "3 0x000 16"; do
			set -- $rcu
			echo "${m}i x$1,$2,$3"
		done
	done
	echo "wfi"
	echo "sret"
	for m in sfence.vma hfence.vvma hfence.gvma; do
		for rr in "0 0" "5 6" "31 0" "0 31"; do
			set -- $rr
			echo "$m x$1,x$2"
		done
	done
	for m in hlv.b hlv.bu hlv.h hlv.hu hlv.w hlv.wu hlv.d hlvx.hu hlvx.wu hsv.b hsv.h hsv.w hsv.d; do
		echo "$m x10,(x11)"
		echo "$m x0,(x31)"
	done
	echo "ecall"
	echo "ebreak"
	echo "c.nop"
	echo "c.ebreak"
	echo "nop"
} >"$w/forms.txt"

# One instruction per line, compressed only where the line says so.
awk '{ print ($1 ~ /^c\./ ? ".option rvc" : ".option norvc"); print }' "$w/forms.txt" >"$w/forms.s"
"$dump" rand 0x5eed "$nrand" | sed 's/^/.insn 0x/' >"$w/rand.s"

# objdump -> "hex<TAB>text": mnemonic and operands separated by one space, no comment.
disasm() {
	$as -march=rv64gc_h "$1" -o "$1.o" || return 1
	$objdump -d -M no-aliases,numeric "$1.o" |
		awk -F'\t' '/^ *[0-9a-f]+:\t/ { t = $3; if (NF > 3) t = t " " $4; sub(/ *#.*/, "", t);
			gsub(/ +$/, "", t); print $2 "\t" t }' | sed 's/ *\t/\t/'
}
for f in forms rand; do
	if ! disasm "$w/$f.s" >"$w/$f.dis"; then
		echo "rvinsn-oracle: $f.s does not assemble"
		exit 1
	fi
done
nforms=$(wc -l <"$w/forms.txt")
if [ "$(wc -l <"$w/forms.dis")" -ne "$nforms" ]; then
	echo "rvinsn-oracle: $nforms lines gave $(wc -l <"$w/forms.dis") instructions"
	exit 1
fi

# The CSR names objdump printed, each assembled to learn its number.
cat "$w/forms.dis" "$w/rand.dis" |
	awk -F'\t' '$2 ~ /^csrr/ { split($2, a, ","); if (a[2] !~ /^0x/) print a[2] }' |
	sort -u >"$w/csrnames"
sed 's/.*/csrrs x0,&,x0/' "$w/csrnames" >"$w/csr.s"
if [ -s "$w/csrnames" ]; then
	disasm "$w/csr.s" >"$w/csr.dis" || { echo "rvinsn-oracle: CSR names do not assemble"; exit 1; }
	paste "$w/csrnames" "$w/csr.dis" | while IFS=$'\t' read -r name hex _; do
		printf '%s\t0x%x\n' "$name" $((0x$hex >> 20))
	done >"$w/csrmap"
else
	: >"$w/csrmap"
fi

# ---- The encoder against the assembler -------------------------------------------
"$dump" enc <"$w/forms.txt" >"$w/enc.txt"
enc_bad=$(paste "$w/forms.txt" "$w/enc.txt" "$w/forms.dis" |
	awk -F'\t' '$2 != $3 { n++; if (n <= 20) print "  " $1 ": encoder " $2 ", assembler " $3 }
		END { exit n > 0 }')
enc_status=$?

# ---- The decoders against objdump ------------------------------------------------
cat "$w/forms.dis" "$w/rand.dis" >"$w/all.dis"
cut -f1 "$w/all.dis" | "$dump" dec >"$w/dec.txt"
family='^((c\.)?f?[ls][bhwd]u?(sp)?|(amo[a-z]+|lr|sc)\.[wd](\.aq|\.rl|\.aqrl)?|csrr[wsc]i?'
family+='|wfi|sret|sfence\.vma|hfence\.[vg]vma|hlvx?\.[bhwd]u?|hsv\.[bhwd])$'
dec_bad=$(paste "$w/all.dis" "$w/dec.txt" | awk -F'\t' -v family="$family" -v mapfile="$w/csrmap" '
	BEGIN { while ((getline l < mapfile) > 0) { split(l, m, "\t"); csr[m[1]] = m[2] } }
	{
		text = $2; mn = text; sub(/ .*/, "", mn)
		if (mn ~ /^csrr/) {
			ops = substr(text, length(mn) + 2); split(ops, a, ",")
			if (a[2] in csr) text = mn " " a[1] "," csr[a[2]] "," a[3]
		}
		if ($3 == "-") {
			if (mn ~ family) { n++; if (n <= 20) print "  " $1 ": objdump " text ", decoders refuse it" }
			refused++
		} else if ($3 != text) {
			n++; if (n <= 20) print "  " $1 ": objdump " text ", decoders " $3
		} else
			agreed++
	}
	END { printf "%d %d\n", agreed, refused > "/dev/stderr"; exit n > 0 }' 2>"$w/counts")
dec_status=$?
read -r agreed refused <"$w/counts"

failed=0
if [ $enc_status -ne 0 ]; then
	echo "rvinsn-oracle: the encoder disagrees with the assembler:"
	echo "$enc_bad"
	failed=$((failed + 1))
fi
if [ $dec_status -ne 0 ]; then
	echo "rvinsn-oracle: the decoders disagree with objdump:"
	echo "$dec_bad"
	failed=$((failed + 1))
fi
echo "# $nforms forms encoded as the assembler does; $(wc -l <"$w/all.dis") words read: $agreed" \
	"decoded as objdump reads them, $refused refused and not a decoded form to objdump;" \
	"$(wc -l <"$w/csrmap") CSR names mapped"
echo "$((2 - failed)) passed, $failed failed"
[ $failed -eq 0 ]
