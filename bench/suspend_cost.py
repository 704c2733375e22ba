"""What the suspension machinery costs code that never suspends.

    python -m bench.suspend_cost [--runs N] [--only fib,richards]

Every compiled Lua function is wrapped in `try: ... except _Suspend: ...
except <Python errors>: ...`: the handlers that record a frame when the host
suspends (and turn Python errors into Lua ones). This compiles each program a
second time without them (a variant that must not suspend or fail) and times
both in the same process, alternating, CPU time, best of N. CPython 3.11's
exceptions are zero-cost until raised, so the difference should be noise.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

PROGRAMS = {"fib": 27, "richards": 6, "closures": 40000, "binary_trees": 13, "sorting": 40000}
_TRY = ('        out.add("        try:", _entry(p))\n        render_stmts(p.body, 3, out)\n'
        '        for h in HANDLERS:\n            out.add("        " + h.format(self="None"), OpInfo(p.end_line, "handler"))')
_NO_TRY = '        out.add("        if True:", _entry(p))\n        render_stmts(p.body, 3, out)'


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.suspend_cost", description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--only", help=f"comma-separated programs (default: {','.join(PROGRAMS)})")
    args = ap.parse_args(argv)
    os.environ["LUAVM_NO_CACHE"] = "1"
    sys.setrecursionlimit(100000)
    import luavm
    import luavm.compiler.render as render
    import luavm.runtime.loader as loader

    plain_render = render.render_module
    code = Path(render.__file__).read_text()
    assert _TRY in code, "render_module changed: update bench/suspend_cost.py"
    bare: dict = dict(render.__dict__)
    exec(compile(code.replace(_TRY, _NO_TRY), render.__file__, "exec"), bare)
    names = args.only.split(",") if args.only else list(PROGRAMS)
    for name in names:
        src = (Path(__file__).parent / "programs" / f"{name}.lua").read_text()
        fns = []
        for tag, rm in (("with", plain_render), ("without", bare["render_module"])):
            loader.render_module = rm
            rt = luavm.LuaRuntime(host_access=True)
            rt.call(rt.load(src + f"\n-- {tag}", f"@{name}.lua"))
            fns.append((rt, rt.globals()["bench"]))
        loader.render_module = plain_render
        best = [float("inf"), float("inf")]
        for _ in range(args.runs):
            for i, (rt, fn) in enumerate(fns):
                t0 = time.process_time()
                rt.call(fn, PROGRAMS[name])
                best[i] = min(best[i], time.process_time() - t0)
        print(f"{name:14s} with handlers {best[0]:.3f} s   without {best[1]:.3f} s   "
              f"difference {100 * (best[0] / best[1] - 1):+.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
