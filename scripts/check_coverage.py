"""Fail unless every module is covered enough (the config flow completely)."""

from __future__ import annotations

import json
from pathlib import Path
import sys

MINIMUM = 95.0
COMPLETE = ("custom_components/volcengine_slow_live/config_flow.py",)


def main(report: str) -> int:
    """Check each file in a coverage.py JSON report; print the ones that fall short."""
    files = json.loads(Path(report).read_text(encoding="utf-8"))["files"]
    failures = []
    for name, data in sorted(files.items()):
        percent = data["summary"]["percent_covered"]
        need = 100.0 if name in COMPLETE else MINIMUM
        if percent < need:
            failures.append(f"  {name}: {percent:.1f} % (needs {need:.0f} %)")
    total = json.loads(Path(report).read_text(encoding="utf-8"))["totals"]
    print(f"coverage: {total['percent_covered']:.1f} % over {len(files)} modules")
    if failures:
        print("modules below their coverage minimum:", *failures, sep="\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
