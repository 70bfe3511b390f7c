#!/bin/sh
# scripts/bench's reports on the fixed runs of tests/data/bench (a.json, and b.json:
# the same with four figures moved and frame gone), through scripts/bench as a person
# calls it. Prints TAP.
#   plots:   --plots-only draws every picture (PNG) beside the JSON and a page that
#            shows each one, the tables' numbers and the run's commit, date and machine;
#            fails, saying so, without matplotlib (scripts/setup installs it);
#   compare: --compare prints old, new and the change of each figure, flags exactly
#            the three beyond 5 %, and exits 0;
#   stamp:   scripts/bench-report stamp adds the commit, the UTC date and this machine
#            (hostname, CPU model, cores and, with --qemu, QEMU's version) to a
#            benchmark's JSON and keeps its figures; combine makes one run of the files.
# usage: bench_report.sh CHECKOUT plots|compare|stamp SCRATCH-DIR
set -u
top=$1 what=$2 out=$3
data=$top/tests/data/bench
n=0
failed=0
rm -rf "$out" && mkdir -p "$out"
# check NAME COMMAND...: one TAP line, ok if COMMAND succeeds.
check() {
	name=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		failed=1
	fi
}
has() { grep -qF -- "$2" "$1" || { echo "#  $1 lacks: $2"; return 1; }; }
lacks() { ! grep -qF -- "$2" "$1" || { echo "#  $1 has: $2"; return 1; }; }
is_png() { [ "$(head -c 8 "$1" | od -An -c | tr -d ' ')" = '211PNG\r\n032\n' ] ||
	{ echo "#  $1: no PNG"; return 1; }; }
py() { /usr/bin/python3 -c "$@"; }

case $what in
plots)
	cp "$data/a.json" "$out/run.json"
	"$top/scripts/bench" --plots-only "$out/run.json" >"$out/log" 2>&1
	rc=$?
	sed 's/^/#  /' "$out/log"
	check "scripts/bench --plots-only exits 0" [ $rc -eq 0 ]
	for p in exits-qemu exits stage2 irq linux-boot; do
		check "$p.png drawn beside the JSON" is_png "$out/$p.png"
		check "index.html shows $p.png" has "$out/index.html" "<img src=\"$p.png\""
	done
	page=$out/index.html
	check "the page names the commit" has "$page" 5189b1f0c0ffee00000000000000000000000000
	check "the page gives the date" has "$page" 2026-12-01T10:00:00Z
	check "the page names the machine" has "$page" "<td>bench-a</td>"
	check "the page names the CPU" has "$page" "Fixture CPU @ 2.0GHz"
	check "the page names QEMU" has "$page" "7.2.22 (Debian"
	check "exits-qemu's instructions and ratio" has "$page" \
		"<td>sgi_to_handler</td><td>2502.9</td><td>59.59</td>"
	check "the floor" has "$page" "<td>42</td>"
	check "stage2's map and memset per page" has "$page" \
		"<td>3.8147</td><td>262144000</td><td>2097152</td><td>300000</td><td>1.14441</td><td>3.3</td>"
	check "irq's percentiles" has "$page" "<td>wfi</td><td>9000</td><td>20000</td><td>30000</td>"
	check "irq's histogram is drawn, not tabled" lacks "$page" "6889, 8192"
	check "linux-boot's ratios" has "$page" "<td>1.074</td><td>1.093</td><td>1.039</td>"
	check "vtimer's round trip" has "$page" "<td>784</td>"
	check "frame's rows" has "$page" "<td>alloc+free</td><td>2</td><td>73.6</td><td>2.98</td>"
	;;
compare)
	"$top/scripts/bench" --compare "$data/a.json" "$data/b.json" >"$out/log" 2>&1
	rc=$?
	sed 's/^/#  /' "$out/log"
	check "scripts/bench --compare exits 0" [ $rc -eq 0 ]
	row() { grep -E "^ +$1 +$2 +$3 +$4( |\$)" "$out/log" >/dev/null ||
		{ echo "#  no row: $*"; return 1; }; }
	check "the old run's commit and machine" has "$out/log" \
		"5189b1f0c0ffee00000000000000000000000000, 2026-12-01T10:00:00Z, bench-a"
	check "the new run's, dirty" has "$out/log" "-dirty, 2026-12-02T11:00:00Z, bench-b"
	check "HVC ns/exit 5.6 -> 6.2, +10.7 %, flagged" \
		row 'results\[hvc-psci-version\]\.ns_per_exit' 5.6 6.2 '\+10\.7 %  !'
	check "PL011 ns/exit 20.6 -> 20.8, +1.0 %, not flagged" \
		row 'results\[pl011-dr-write\]\.ns_per_exit' 20.6 20.8 '\+1\.0 %$'
	check "QEMU HVC insns 78 -> 70.2, -10.0 %, flagged" \
		row 'ops\.hvc_psci_version\.insns' 78 70.2 '-10\.0 %  !'
	check "irq wfi p99 20000 -> 25000, +25.0 %, flagged" \
		row 'results\[wfi\]\.p99_ns' 20000 25000 '\+25\.0 %  !'
	check "an unchanged figure: +0.0 %" row 'ratio_virtual' 1.039 1.039 '\+0\.0 %$'
	check "a benchmark only in the old run" has "$out/log" "== frame: only in the old run"
	check "three flagged in all" has "$out/log" "3 figure(s) changed beyond +-5 %"
	check "the histogram is no figure" lacks "$out/log" "edges_ns"
	"$top/scripts/bench" --compare --threshold 20 "$data/a.json" "$data/b.json" >"$out/log20" 2>&1
	check "--threshold 20 flags only the +25 %" has "$out/log20" "1 figure(s) changed beyond +-20 %"
	;;
stamp)
	report=$top/scripts/bench-report
	py 'import json, sys; r = json.load(open(sys.argv[1]))["results"]
for k in ("frame", "exits-qemu-icount"):
    d = dict(r[k]); d.pop("meta", None); json.dump(d, open(sys.argv[2] + "/" + k + ".json", "w"))' \
		"$data/a.json" "$out"
	"$report" stamp "$out/frame.json" && "$report" stamp "$out/exits-qemu-icount.json" --qemu
	check "stamp exits 0" [ $? -eq 0 ]
	commit=$(git -C "$top" rev-parse HEAD)
	cores=$(getconf _NPROCESSORS_ONLN)
	cpu=$(grep -m1 '^model name' /proc/cpuinfo | sed 's/^[^:]*: *//')
	qemu=$($("$top/scripts/qemu" --print x.bin | cut -d' ' -f1) --version | head -n1 |
		sed 's/^QEMU emulator version //')
	# field FILE EXPRESSION: the Python EXPRESSION over the file's meta m is true.
	field() { py 'import json, sys, re, datetime
m = json.load(open(sys.argv[1]))["meta"]; a = sys.argv[3:]
sys.exit(0 if eval(sys.argv[2]) else "#  meta: %s" % m)' "$@"; }
	f=$out/frame.json q=$out/exits-qemu-icount.json
	check "commit: HEAD, or HEAD-dirty" field "$f" 'm["commit"] in (a[0], a[0] + "-dirty")' "$commit"
	check "date: UTC ISO 8601, now" field "$f" \
		're.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", m["date"]) and abs((
datetime.datetime.now(datetime.timezone.utc) - datetime.datetime.fromisoformat(
m["date"].replace("Z", "+00:00"))).total_seconds()) < 600'
	check "hostname" field "$f" 'm["machine"]["hostname"] == a[0]' "$(hostname)"
	check "CPU model from /proc/cpuinfo" field "$f" 'm["machine"]["cpu"] == a[0]' "$cpu"
	check "core count" field "$f" 'm["machine"]["cores"] == int(a[0])' "$cores"
	check "no QEMU for the simulation host's figures" field "$f" '"qemu" not in m["machine"]'
	check "QEMU's version for QEMU's figures" field "$q" 'm["machine"]["qemu"] == a[0] != ""' "$qemu"
	check "the figures are kept" py 'import json, sys
d = json.load(open(sys.argv[1])); sys.exit(d["results"][1]["over_alone"] != 2.98)' "$f"
	"$report" combine "$out/all.json" "$f" "$q"
	check "combine: one run, QEMU's version in its meta" py 'import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(sorted(d["results"]) != ["exits-qemu-icount", "frame"] or
         "qemu" not in d["meta"]["machine"])' \
		"$out/all.json"
	;;
*)
	echo "usage: bench_report.sh CHECKOUT plots|compare|stamp SCRATCH-DIR" >&2
	exit 2
	;;
esac
echo "1..$n"
exit $failed
