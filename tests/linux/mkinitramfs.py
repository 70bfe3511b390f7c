#!/usr/bin/env python3
"""The linux suite's initramfs: a cpio archive in the "newc" format the kernel unpacks
(Documentation/driver-api/early-userspace/buffer-format.rst), holding /dev/console,
/proc, /sys and the init program three times, as /init, /init-reboot and /init-gdb.

Usage: mkinitramfs.py OUT INIT"""
import sys

def entry(name, mode, data=b"", rdev=(0, 0), ino=[0]):
    ino[0] += 1
    fields = [ino[0], mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1],
              len(name) + 1, 0]
    head = b"070701" + b"".join(b"%08X" % f for f in fields)
    out = head + name.encode() + b"\0"
    out += b"\0" * (-len(out) % 4)
    out += data + b"\0" * (-len(data) % 4)
    return out

def main():
    out, init = sys.argv[1], sys.argv[2]
    with open(init, "rb") as f:
        prog = f.read()
    body = b"".join([
        entry("dev", 0o040755),
        entry("dev/console", 0o020600, rdev=(5, 1)),
        entry("proc", 0o040755),
        entry("sys", 0o040755),
        entry("init", 0o100755, prog),
        entry("init-reboot", 0o100755, prog),
        entry("init-gdb", 0o100755, prog),
        entry("TRAILER!!!", 0),
    ])
    body += b"\0" * (-len(body) % 512)
    with open(out, "wb") as f:
        f.write(body)

main()
