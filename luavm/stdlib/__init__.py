"""Lua 5.4 standard libraries.

Conventions every library follows (the runtime relies on them):

- A builtin is a plain Python function taking Lua values positionally. It must
  accept extra arguments (end the signature with `*_`). Required parameters
  default to `args.NOVALUE` (so "got no value" differs from "got nil"), optional
  ones to None; the `args.check_*` / `opt_*` helpers raise Lua's exact
  "bad argument #n to 'name' (...)" errors.
- It returns one Lua value as itself, or several (or none) as a tuple (`values.Ret`);
  `values.NORET` is "no results".
- Values: nil=None, booleans=bool, integers=int in signed 64-bit (`values.wrap`),
  floats=float, strings=bytes, tables=`values.LuaTable` (`.get/.set/.length/.next`,
  `.arr`/`.hash`, `.meta`).
- Errors: raise `values.rt_error("message")` (the position of the calling Lua
  line is added) or the `args` helpers. Never let a Python exception escape.
- Calling a Lua value from a builtin: `ops.call(f, *args)` (raw result),
  `ops.call1` (first result), `ops.results(r)` (tuple); a builtin that cannot be
  resumed after a yield inside the callee uses `ops.call_noyield`.
- Each library module has `open(st: LuaState) -> LuaTable` building its table;
  per-state data (random state, open files) lives on the LuaState, not in
  module globals, because the state is snapshotted.
"""
