#!/usr/bin/env bash
# The layers include downwards only (DESIGN, "Layers"): the HALs (hal-sim/,
# hal-baremetal/) may include hal/ and the data-only headers of arch/<isa>/ (register
# layouts and encodings), never core/; hal/ includes only hal/. Prints each offending
# #include and fails if there is one. Usage: tests/layering.sh [SOURCE_ROOT]
set -uo pipefail
root=${1:-$(dirname "$0")/..}
cd "$root" || exit 2
bad=0
# ISA data headers of arch/: register layouts, encodings, descriptor formats and the
# pure functions over them (DESIGN rule 3), nothing with state.
arch_data='arch/aarch64/(gicv3|sysreg|ctx|a64|s1walk|stage2)\.h|arch/riscv64/(csr|ctx|gstage|rvinsn)\.h|arch/(exit|pt_format|tandem_isa)\.h'
while IFS= read -r hit; do
	file=${hit%%:*}
	inc=$(sed -E 's/.*#include "([^"]+)".*/\1/' <<<"$hit")
	case $file in
	hal/*) [[ $inc == hal/* ]] && continue ;;
	hal-sim/* | hal-baremetal/*)
		[[ $inc == hal/* || $inc == hal-sim/* || $inc == hal-baremetal/* ]] && continue
		[[ $inc =~ ^($arch_data)$ ]] && continue ;;
	esac
	echo "layering: $file includes $inc"
	bad=1
done < <(grep -rHE '^[[:space:]]*#[[:space:]]*include[[:space:]]+"' hal hal-sim hal-baremetal \
	--include='*.c' --include='*.h' --include='*.inc' --include="*.S" 2>/dev/null)
if [ $bad = 0 ]; then
	echo "layering: the HALs include hal/, their own and arch/ data headers only"
fi
exit $bad
