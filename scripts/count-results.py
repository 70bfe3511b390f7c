#!/usr/bin/env python3
"""Sum test results over meson testlog.json files and print
'N passed, N failed, N skipped'. A TAP test counts each of its test points; a test
that failed without a failing point (a crash, a timeout) counts one failure more.
A build directory whose testlog.json is missing counts as one failure."""
import json
import re
import sys

passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError:
        print(f"count-results: {path} missing: counted as a failure", file=sys.stderr)
        failed += 1
        continue
    for line in lines:
        if not line.strip():
            continue
        t = json.loads(line)
        result = t["result"]
        points = re.findall(r"^(ok|not ok)\b(.*)$", t.get("stdout") or "", re.M)
        if points:
            bad = 0
            for status, rest in points:
                if status == "not ok":
                    bad += 1
                elif "# SKIP" in rest.upper():
                    skipped += 1
                else:
                    passed += 1
            failed += bad
            if result not in ("OK", "EXPECTEDFAIL", "SKIP") and bad == 0:
                failed += 1
        elif result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
