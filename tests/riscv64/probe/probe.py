#!/usr/bin/env python3
"""The trap-CSR oracle of the riscv guest engine: build probe.elf (start.S, probe.c)
with the riscv64 cross compiler, run it on QEMU's virt board (its H extension), run
probe.scn in hvsim --trace (the engine), and compare each case's scause, stval, htval,
htinst, instruction word and trapping pc. Differences must be exactly those listed in
deviations.txt; a listed one that no longer happens fails too, so the list stays true.
Exit 77 (skipped) without riscv64-linux-gnu-gcc or qemu-system-riscv64.

usage: probe.py HVSIM [--keep DIR]"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FIELDS = ["scause", "stval", "htval", "htinst", "insn", "pc"]


def die(msg):
    print(f"probe: {msg}")
    sys.exit(1)


def qemu_cases(workdir):
    elf = os.path.join(workdir, "probe.elf")
    subprocess.run(["riscv64-linux-gnu-gcc", "-march=rv64gc", "-mabi=lp64d", "-mcmodel=medany",
                    "-ffreestanding", "-nostdlib", "-static", "-fno-pic", "-no-pie", "-O2",
                    "-Wall", "-Wextra", "-Werror", "-Wl,--build-id=none",
                    "-T", os.path.join(HERE, "probe.ld"), "-o", elf,
                    os.path.join(HERE, "start.S"), os.path.join(HERE, "probe.c")], check=True)
    r = subprocess.run(["timeout", "60", "qemu-system-riscv64", "-M", "virt", "-bios", "none",
                        "-nographic", "-smp", "1", "-m", "256M", "-kernel", elf],
                       capture_output=True, text=True, stdin=subprocess.DEVNULL)
    print(r.stdout, end="")
    if r.returncode != 0 or "probe: done" not in r.stdout:
        die(f"QEMU exited {r.returncode} without finishing the probe")
    cases = []
    for line in r.stdout.splitlines():
        m = re.match(r"case (\S+) (.*)$", line)
        if m:
            kv = dict(f.split("=", 1) for f in m.group(2).split())
            kv["pc"] = kv["pc"].lstrip("+")
            case = {k: int(kv[k], 16) for k in FIELDS}
            if case["insn"] & 3 != 3:  # a 16-bit instruction: the trace shows its parcel
                case["insn"] &= 0xFFFF
            cases.append((m.group(1), case))
    return cases


def engine_exits(hvsim):
    r = subprocess.run([hvsim, os.path.join(HERE, "probe.scn"), "--trace", "--timeout", "60"],
                       capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if r.returncode != 0:
        print(r.stdout + r.stderr)
        die(f"hvsim exited {r.returncode}")
    exits = []
    for line in r.stdout.splitlines():
        m = re.search(r"scause=(\S+) stval=(\S+) htval=(\S+) htinst=(\S+) (\S+) .* insn=(\S+)",
                      line)
        if not m:
            continue
        scause = int(m.group(1), 16)
        if scause >> 63 or m.group(5) == "system-off":
            continue  # a host interrupt, or the scenario's closing SBI call
        exits.append({"scause": scause, "stval": int(m.group(2), 16),
                      "htval": int(m.group(3), 16), "htinst": int(m.group(4), 16),
                      "insn": int(m.group(6), 16), "pc": 0})
    return exits


def deviations():
    table = {}
    for line in open(os.path.join(HERE, "deviations.txt"), encoding="utf-8"):
        if not line.strip() or line.startswith("#"):
            continue
        case, field, qemu, engine, _reason = line.split(None, 4)
        table[(case, field)] = (int(qemu, 16), int(engine, 16))
    return table


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    if not shutil.which("riscv64-linux-gnu-gcc") or not shutil.which("qemu-system-riscv64"):
        print("probe: skipped (no riscv64-linux-gnu-gcc or qemu-system-riscv64)")
        return 77
    if len(sys.argv) > 3 and sys.argv[2] == "--keep":
        qemu = qemu_cases(sys.argv[3])
    else:
        with tempfile.TemporaryDirectory(prefix="tandem-probe-") as workdir:
            qemu = qemu_cases(workdir)
    engine = engine_exits(sys.argv[1])
    if len(qemu) != len(engine):
        die(f"{len(qemu)} cases on QEMU, {len(engine)} exits in hvsim")
    table = deviations()
    used, bad = set(), 0
    for (name, q), e in zip(qemu, engine):
        for f in FIELDS:
            if q[f] == e[f]:
                continue
            want = table.get((name, f))
            if want == (q[f], e[f]):
                used.add((name, f))
                continue
            bad += 1
            print(f"probe: {name} {f}: QEMU 0x{q[f]:x}, engine 0x{e[f]:x}"
                  + (f" (deviations.txt expects QEMU 0x{want[0]:x}, engine 0x{want[1]:x})"
                     if want else " (not a listed deviation)"))
    for key in sorted(set(table) - used):
        bad += 1
        print(f"probe: listed deviation {key[0]} {key[1]} did not happen")
    print(f"probe: {len(qemu)} cases, {len(used)} listed deviations seen, {bad} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
