#!/usr/bin/env python3
"""Where Debian's kernel keeps linux_banner and jiffies, as kernel VAs (hex), for the
gdb test (qemu-linux-gdb). Debian ships no System.map (the real one is in an 800 MB
package) and its kallsyms lists text symbols only, so:
  linux_banner: the banner the kernel printed, found in its Image, at its offset from
    _text, which is _stext less the 64 KiB head (arm64's vmlinux.lds);
  jiffies: where jiffies_read() ("return jiffies;") loads it from: its ADRP and the
    LDR (unsigned offset) from the same register, decoded (Arm ARM C6.2: ADRP, LDR).
Symbols kallsyms does list (a kernel with KALLSYMS_ALL) are taken as they are.

Usage: kernel-vars.py IMAGE "tandem-init: kallsyms NAME VA ..." "Linux version ..."
Prints: BANNER_VA JIFFIES_VA (0 for one not found)."""
import re
import struct
import sys


def adrp_ldr(img, text, at):
    words = struct.unpack_from("<16I", img, at - text)
    for i, w in enumerate(words):
        if w & 0x9F000000 != 0x90000000:  # ADRP
            continue
        imm = ((w >> 5) & 0x7FFFF) << 2 | (w >> 29) & 3
        imm -= (imm & (1 << 20)) << 1  # 21 bits, signed
        page = ((at + 4 * i) & ~0xFFF) + (imm << 12)
        for w2 in words[i + 1:]:
            if w2 & 0xFFC00000 == 0xF9400000 and (w2 >> 5) & 31 == w & 31:  # LDR X, [Xn]
                return page + ((w2 >> 10) & 0xFFF) * 8
        return 0
    return 0


def main():
    image, line, printed = sys.argv[1], sys.argv[2], sys.argv[3]
    sym = {k: int(v, 16) for k, v in re.findall(r"(\w+) ([0-9a-f]{16})", line)}
    banner, jiffies = sym.get("linux_banner", 0), sym.get("jiffies", 0)
    img = open(image, "rb").read() if image else b""
    text = sym.get("_stext", 0) - 0x10000
    if not banner and printed and img and sym.get("_stext"):
        at = img.find(printed.encode() + b"\n")
        banner = text + at if at >= 0 else 0
    if not jiffies and sym.get("jiffies_read") and img and sym.get("_stext"):
        jiffies = adrp_ldr(img, text, sym["jiffies_read"])
    print("%016x %016x" % (banner % (1 << 64), jiffies % (1 << 64)))


main()
