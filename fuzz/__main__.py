"""python -m fuzz TARGET --count N --seed S [--time-budget SECONDS]

Targets: differential, parser, snapshot, runtime, workflows (see fuzz/README.md).
`python -m fuzz repro fuzz/findings/<file>` re-checks one finding.
Prints a one-line summary at the end; exits 1 if anything was found.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

TARGETS = ["differential", "parser", "snapshot", "runtime", "workflows"]


def target_module(name: str):  # noqa: ANN201
    return importlib.import_module(f"fuzz.targets.{name}")


def _log(msg: str) -> None:
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m fuzz", description=__doc__.split("\n\n")[0])
    ap.add_argument("target", choices=TARGETS + ["repro"])
    ap.add_argument("path", nargs="?", help="for repro: the finding file")
    ap.add_argument("--count", type=int, default=1000, help="inputs to check (default 1000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--time-budget", type=float, default=None, help="stop after this many seconds")
    ap.add_argument("--findings", type=Path, default=None, help="directory for findings (default fuzz/findings)")
    ap.add_argument("--chunk", type=int, default=200, help="inputs per hypothesis run (default 200)")
    ap.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    args = ap.parse_args(argv)

    from .common import FINDINGS, no_disk_cache, run_on_big_stack

    if args.target == "repro":
        if not args.path:
            ap.error("repro needs the path of a finding")
        path = Path(args.path)
        name = path.name.split("-", 1)[0]
        if name not in TARGETS:
            ap.error(f"cannot tell the target from {path.name!r} (expected <target>-<hash>.*)")
        mod = target_module(name)
        with no_disk_cache():
            f = run_on_big_stack(lambda: mod.repro(path))
        if f is None:
            print(f"{path}: no longer fails")
            return 0
        print(f"{path}: {f.kind}\n{f.detail}")
        return 1

    mod = target_module(args.target)
    t0 = time.monotonic()
    log = None if args.quiet else _log
    stats = run_on_big_stack(lambda: mod.run(args.count, args.seed, args.time_budget,
                                              findings_dir=args.findings or FINDINGS, log=log,
                                              chunk=args.chunk))
    for f, _, path in stats.findings:
        print(f"finding: {f.kind}: {path}")
    print(f"{mod.summary(stats)}  [seed {args.seed}, {time.monotonic() - t0:.0f} s]")
    return 1 if stats.findings else 0


if __name__ == "__main__":
    sys.exit(main())
