"""Inline fast paths for operators.

Each function returns the Python statement(s) computing `t = a OP b` with the
common case (plain integers, floats, strings, array slots) done inline and
everything else (coercions, metamethods, errors) left to the runtime helper.
Statically known operand types (`ty`: 'int' or 'float') drop the checks.

Helper calls stay on one line: that line is the operation's resume point.
Walrus temporaries (_c, _r, _a, _v) live only within their line.
"""

from __future__ import annotations

MAX = "0x7FFFFFFFFFFFFFFF"
MIN = "-0x8000000000000000"

HELPER = {
    "+": "_add", "-": "_sub", "*": "_mul", "/": "_div", "%": "_mod", "//": "_idiv",
    "^": "_pow", "&": "_band", "|": "_bor", "~": "_bxor", "<<": "_shl", ">>": "_shr",
}
PYOP = {"+": "+", "-": "-", "*": "*", "&": "&", "|": "|", "~": "^"}


# the Python class a value of each static type has (a speculation's test)
TYPE_CLASS = {"int": "_int", "float": "_float", "table": "_LT"}


def _is_num(ty: str | None) -> bool:
    return ty in ("int", "float")


def _positive_int_const(text: str) -> bool:
    c = _int_const(text)
    return c is not None and c > 0


def _int_const(text: str) -> int | None:
    t = text[1:-1] if text[:1] == "(" and text[-1:] == ")" else text
    if t.lstrip("-").isdigit():
        return int(t)
    return None


def _range_check(op: str, r: str, a: str, b: str) -> str:
    """The test that an integer result r = a op b fits in 64 bits. Adding or
    subtracting a constant can only overflow one way: a single comparison (the
    chained one costs about twice as much)."""
    c = _int_const(b) if op in ("+", "-") else None
    if c is None and op == "+":
        c = _int_const(a)
    if c is not None and c != 0:
        up = (c > 0) == (op == "+")
        return f"{r} <= {MAX}" if up else f"{r} >= {MIN}"
    return f"{MIN} <= {r} <= {MAX}"


def arith(op: str, t: str, a: str, ta: str | None, b: str, tb: str | None,
          float_first: bool = False) -> tuple[list[str], bool, str | None]:
    """(lines, last line calls a helper, result type). `float_first`: two untyped
    operands are tested for floats before integers (~10 ns less per float
    operation, ~5 ns more per integer one), for code that works on floats."""
    h = HELPER[op]
    call = f"{h}({a}, {b})"
    if op == "-" and b in ("0", "(0)"):
        # Lua codes `x - 0` as x + 0 (OP_ADDI with -0): -0.0 - 0 is 0.0 there;
        # anything but a number still goes to __sub
        if _is_num(ta):
            return [f"{t} = {a} + 0"], False, ta
        return [f"{t} = {a} + 0 if {a}.__class__ is _float or {a}.__class__ is _int else {call}"], True, None
    if op in ("+", "-", "*"):
        o = PYOP[op]
        if ta == "int" and tb == "int":
            return [f"{t} = {a} {o} {b}", f"if not {_range_check(op, t, a, b)}: {t} = _wrap({t})"], False, "int"
        if _is_num(ta) and _is_num(tb):
            return [f"{t} = {a} {o} {b}"], False, "float"
        if ta == "float" or tb == "float":
            x = a if ta != "float" else b
            return [f"{t} = {a} {o} {b} if {x}.__class__ is _float or {x}.__class__ is _int else {call}"], True, None
        if ta == "int" or tb == "int":
            x = a if ta != "int" else b
            return [f"{t} = _r if {x}.__class__ is _int and {_range_check(op, f'(_r := {a} {o} {b})', a, b)} "
                    f"else {a} {o} {b} if {x}.__class__ is _float else {call}"], True, None
        # two floats as the branch of a conditional expression, not inside an `and`/`or`
        # chain (which needed `(_r := a + b) is _r` to stay true for 0.0): ~15 ns less
        is_int = f"(_c := {a}.__class__) is {b}.__class__ and _c is _int and {MIN} <= (_r := {a} {o} {b}) <= {MAX}"
        if float_first:
            return [f"{t} = {a} {o} {b} if {a}.__class__ is _float is {b}.__class__ else _r if {is_int} "
                    f"else {call}"], True, None
        return [f"{t} = _r if {is_int} else {a} {o} {b} if _c is _float is {b}.__class__ else {call}"], True, None
    if op in ("&", "|", "~"):
        o = PYOP[op]
        if ta == "int" and tb == "int":
            return [f"{t} = {a} {o} {b}"], False, "int"
        return [f"{t} = {a} {o} {b} if {a}.__class__ is {b}.__class__ is _int else {call}"], True, None
    if op == "%":
        if ta == "int" and _positive_int_const(b):
            return [f"{t} = {a} % {b}"], False, "int"
        if ta == "int" and tb == "int":  # x % 0 raises in the helper
            return [f"{t} = {a} % {b} if {b} else {call}"], True, "int"
        return [f"{t} = {a} % {b} if {a}.__class__ is {b}.__class__ is _int and {b} else {call}"], True, None
    if op == "//":
        if ta == "int" and _positive_int_const(b):
            return [f"{t} = {a} // {b}"], False, "int"
        if ta == "int" and tb == "int":  # // 0 raises in the helper, mininteger // -1 wraps there
            return [f"{t} = {a} // {b} if {b} > 0 else {call}"], True, "int"
        return [f"{t} = {a} // {b} if {a}.__class__ is {b}.__class__ is _int and {b} > 0 else {call}"], True, None
    if op == "/":
        if ta == "float" and tb == "float":
            return [f"{t} = {a} / {b} if {b} else {call}"], True, "float"
        if ta == "float":
            return [f"{t} = {a} / {b} if {b}.__class__ is _float and {b} else {call}"], True, None
        if tb == "float":
            return [f"{t} = {a} / {b} if {a}.__class__ is _float and {b} else {call}"], True, None
        return [f"{t} = {a} / {b} if {a}.__class__ is {b}.__class__ is _float and {b} else {call}"], True, None
    if op in ("<<", ">>") and (c := _int_const(b)) is not None and 0 < c < 64:
        return _shift(op, t, a, ta, c, call)
    return [f"{t} = {call}"], True, "float" if op == "^" and _is_num(ta) and _is_num(tb) else None


def _shift(op: str, t: str, a: str, ta: str | None, c: int, call: str) -> tuple[list[str], bool, str | None]:
    """a << c, a >> c for a constant 1 <= c <= 63: Lua's shifts are logical, on 64 bits."""
    if op == ">>":  # the result fits: 64 - c bits, non-negative
        e = f"({a} & 0xFFFFFFFFFFFFFFFF) >> {c}"
        if ta == "int":
            return [f"{t} = {e}"], False, "int"
        return [f"{t} = {e} if {a}.__class__ is _int else {call}"], True, None
    if ta == "int":
        return [f"{t} = {a} << {c}", f"if not {MIN} <= {t} <= {MAX}: {t} = _wrap({t})"], False, "int"
    return [f"{t} = (_r if {MIN} <= (_r := {a} << {c}) <= {MAX} else _wrap(_r)) if {a}.__class__ is _int "
            f"else {call}"], True, None


def compare(fn: str, t: str, a: str, ta: str | None, b: str, tb: str | None) -> tuple[str, bool]:
    """`t = a < b` (fn '_lt') or `t = a <= b` (fn '_le'): (line, calls a helper)."""
    o = "<" if fn == "_lt" else "<="
    if _is_num(ta) and _is_num(tb):
        return f"{t} = {a} {o} {b}", False
    if _is_num(ta) or _is_num(tb):
        x = a if not _is_num(ta) else b
        return (f"{t} = {a} {o} {b} if {x}.__class__ is _int or {x}.__class__ is _float "
                f"else {fn}({a}, {b})"), True
    return (f"{t} = {a} {o} {b} if (_c := {a}.__class__) is {b}.__class__ and "
            f"(_c is _int or _c is _float or _c is _bytes) else {fn}({a}, {b})"), True


def equal(t: str, a: str, b: str, negate: bool) -> str:
    o = "!=" if negate else "=="
    call = f"not _eq({a}, {b})" if negate else f"_eq({a}, {b})"
    return (f"{t} = {a} {o} {b} if (_c := {a}.__class__) is {b}.__class__ and "
            f"(_c is _int or _c is _bytes or _c is _float) else {call}")


def concat(t: str, a: str, b: str, counting: bool = False, ta: str | None = None, tb: str | None = None) -> str:
    """t = a .. b: strings, and a string with an integer (its decimal digits), inline."""
    if counting:  # code for a limited runtime: long results go through the helper, which checks them
        return (f"{t} = {a} + {b} if {a}.__class__ is {b}.__class__ is _bytes and "
                f"_plen({a}) + _plen({b}) < 1024 else _concat({a}, {b})")
    if tb == "int":  # "w" .. i
        return f"{t} = {a} + b'%d' % {b} if {a}.__class__ is _bytes else _concat({a}, {b})"
    if ta == "int":
        return f"{t} = b'%d' % {a} + {b} if {b}.__class__ is _bytes else _concat({a}, {b})"
    return (f"{t} = {a} + {b} if {a}.__class__ is {b}.__class__ is _bytes else {a} + b'%d' % {b} "
            f"if {a}.__class__ is _bytes and {b}.__class__ is _int else _concat({a}, {b})")


def unm(t: str, a: str, ta: str | None) -> tuple[str, bool, str | None]:
    if ta == "float":
        return f"{t} = -{a}", False, "float"
    return (f"{t} = -{a} if {a}.__class__ is _float or {a}.__class__ is _int and {a} != {MIN} "
            f"else _unm({a})"), True, ta if ta == "int" else None


def is_table(o: str, to: str | None) -> str:
    """The test that o is a table, followed by `and`: nothing when its static type says so."""
    return "" if to == "table" else f"{o}.__class__ is _LT and "


def length(t: str, a: str, ta: str | None = None) -> str:
    return f"{t} = _plen(_a) if {is_table(a, ta)}{a}.meta is None and (_a := {a}.arr) else _len({a})"


def _in_range(k: str, n: str) -> str:
    """1 <= k <= n. Two comparisons: a chained one costs a stack shuffle more."""
    return f"{k} > 0 and {k} <= {n}"


def index(t: str, o: str, k: str, tk: str | None, to: str | None = None) -> str:
    """t = o[k] for a key that is not a constant string: array slots and string
    keys of plain hash parts inline."""
    lit = k[1:-1] if k[:1] == "(" else k
    lt = is_table(o, to)
    pos = tk == "pos"  # an integer known to be >= 1 (a loop index): no sign test
    if pos:
        tk = "int"
    # A miss on a plain table (`tree[1] == nil` on a leaf) reads the hash part inline:
    # a key outside the array part can only be there (LuaTable's invariants)
    miss = f"{o}.hash.get({k}) if {lt}{o}.meta is None else _index({o}, {k})"
    if tk == "int" and _positive_int_const(lit):  # t[1]: the range test and index fold
        return (f"{t} = _v if {lt}_plen(_a := {o}.arr) >= {lit} and "
                f"(_v := _a[{int(lit) - 1}]) is not None else {miss}")
    if tk == "int":
        # A computed integer key (a loop index, mostly inside the array part): its
        # end found by IndexError rather than a len() call. A try costs nothing until
        # raised; a miss costs ~0.1 µs more than the test would have. Constant keys
        # (above) keep the test: `t[2] == nil` on tuple-like tables is a usual miss
        r = "_v" if t in (o, k) else t  # `pc = jump[pc]`: the key is read after the first store
        test = (f"{o}.__class__ is _LT" if lt else "") if pos else f"{lt}{k} > 0"
        arr = f"{o}.arr[{k} - 1] if {test} else None" if test else f"{o}.arr[{k} - 1]"
        return (f"try: {r} = {arr}\n"
                f"except _IndexError: {r} = None\n"
                f"if {r} is None: {r} = {miss}" + (f"\n{t} = {r}" if r != t else ""))
    return (f"{t} = _v if {lt}({k}.__class__ is _int and {_in_range(k, f'_plen(_a := {o}.arr)')} "
            f"and (_v := _a[{k} - 1]) is not None or {k}.__class__ is _bytes and "
            f"(_v := {o}.hash.get({k})) is not None) else _index({o}, {k})")


def setindex(o: str, k: str, tk: str | None, v: str, v_literal: bool = False,
             to: str | None = None) -> list[tuple[str, str]]:
    """o[k] = v: [(condition, statement)...] tried in order (array slot, append),
    then the helper (the resume point) when none holds. `v_literal`: v cannot be
    nil, a constant or a number (no `is not None` test: Python warns about `is`
    with a literal)."""
    pos = tk == "pos"  # an integer known to be >= 1 (a loop index): no sign test
    if pos:
        tk = "int"
    kint = "" if tk == "int" else f"{k}.__class__ is _int and "
    nn = "" if v_literal else f" and {v} is not None"
    lt = is_table(o, to)
    # a key the hash part holds (an integer outside the array part, a string) is
    # overwritten in place whatever the metatable: __newindex is only for absent
    # keys. Not for other key types: True == 1 in Python; nil values go to the
    # helper, which counts dead entries
    kh = "" if tk == "int" else f"({k}.__class__ is _int or {k}.__class__ is _bytes) and "
    hv = "" if v_literal else f"{v} is not None and "
    # an empty array part may be the shared NO_ARRAY: the first element gets a list
    # (the array part's length is taken once: `_n` is set whenever the second test
    # gets as far as reading it)
    return [(f"{lt}{o}.meta is None and {kint}(_n := _plen(_a := {o}.arr)) >= {k}{'' if pos else f' and {k} > 0'}"
             f"{nn}", f"_a[{k} - 1] = {v}"),
            (f"{lt}{o}.meta is None and {kint}{k} == _n + 1 "
             f"and _a and not {o}.hash{nn}", f"_a.append({v})"),
            (f"{lt}{kh}{hv}(_h := {o}.hash).get({k}) is not None", f"_h[{k}] = {v}"),
            (f"{lt}{o}.meta is None and {k} == 1 and not {o}.arr "
             f"and not {o}.hash{nn}", f"{o}.arr = [{v}]")] + (
            # a new key of a plain table's hash part: a string (`obj[k] = v` building a
            # record) or an integer away from the array part's end (sparse keys); not
            # in a table with dead entries (aux): the helper compacts those
            [(f"{lt}{o}.meta is None and {o}.aux is None and "
              + (f"{k} > _plen({o}.arr) + 1{nn}" if pos else f"({k} < 1 or {k} > _plen({o}.arr) + 1){nn}" if tk == "int" else
                 f"({k}.__class__ is _bytes or {k}.__class__ is _int and ({k} < 1 or {k} > _plen({o}.arr) + 1)){nn}"),
              f"(_h if (_h := {o}.hash) is not _EH else {o}.own_hash())[{k}] = {v}")])
