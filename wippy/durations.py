"""Go-style durations: the one spelling of time spans in a Wippy app.

A duration is a signed count of **nanoseconds** held in a Python ``int`` (Go's
``time.Duration``). It is written as Go writes it: a sequence of decimal numbers,
each with an optional fraction and a unit suffix — ``300ms``, ``1.5s``, ``2h45m``,
``-1s``, ``10ns``, ``1us`` / ``1µs``. Valid units are ``ns``, ``us`` (``µs``,
``μs``), ``ms``, ``s``, ``m``, ``h``; there is no ``d`` (write ``24h``). A bare
``"0"`` is allowed; any other number needs a unit.

- ``parse_duration(x)`` accepts such a string, or a number that is already a count
  of nanoseconds (the time module's convention; ``number_unit`` changes that, e.g.
  ``number_unit=MILLISECOND`` for activity options given in milliseconds). It
  raises ``ValueError`` with a message naming the bad text and the accepted form.
- ``format_duration(ns)`` is Go's ``Duration.String()``: ``1h0m0s``, ``1.5s``,
  ``300ms``, ``1.5µs``, ``0s``.

Invariants: parsing is exact (integer arithmetic, no float rounding for strings:
``0.1s`` is exactly 100000000); results fit Go's int64 (|d| < 2**63, and
``-2**63`` itself), else ``ValueError``; ``parse_duration(format_duration(d)) == d``
for every int64 ``d``. Cost: linear in the length of the string, no allocation
beyond a regex match per component.
"""

from __future__ import annotations

import math
import re

__all__ = [
    "NANOSECOND",
    "MICROSECOND",
    "MILLISECOND",
    "SECOND",
    "MINUTE",
    "HOUR",
    "DURATION_HINT",
    "parse_duration",
    "format_duration",
]

NANOSECOND = 1
MICROSECOND = 1000 * NANOSECOND
MILLISECOND = 1000 * MICROSECOND
SECOND = 1000 * MILLISECOND
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE

DURATION_HINT = "use Go-style durations like 300ms, 1.5s, 2h45m"

_MAX = (1 << 63) - 1
_MIN = -(1 << 63)

_UNITS: dict[str, int] = {
    "ns": NANOSECOND,
    "us": MICROSECOND,
    "µs": MICROSECOND,  # U+00B5 MICRO SIGN
    "μs": MICROSECOND,  # U+03BC GREEK SMALL LETTER MU
    "ms": MILLISECOND,
    "s": SECOND,
    "m": MINUTE,
    "h": HOUR,
}

# One component: digits, optional fraction, then the unit (anything up to the next
# digit or dot, as in Go, so that an unknown unit is reported by name).
_COMPONENT = re.compile(r"(\d*)(?:\.(\d*))?([^\d.]*)")


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _bad(orig: str, why: str) -> ValueError:
    return ValueError(f"invalid duration {_quote(orig)}: {why} ({DURATION_HINT})")


def parse_duration(s: str | int | float, number_unit: int = NANOSECOND) -> int:
    """Return the duration ``s`` in nanoseconds.

    ``s`` is a Go-style string (``"1.5s"``) or a number of ``number_unit``s
    (nanoseconds by default). Raises ``ValueError`` for anything else, with a
    message that quotes the input.
    """
    if isinstance(s, bool):
        raise ValueError(f"invalid duration {s!r}: a boolean is not a duration ({DURATION_HINT})")
    if isinstance(s, int):
        return _check_range(s * number_unit, repr(s))
    if isinstance(s, float):
        if not math.isfinite(s):
            raise ValueError(f"invalid duration {s!r}: not a finite number ({DURATION_HINT})")
        return _check_range(int(s * number_unit), repr(s))
    if not isinstance(s, str):
        raise ValueError(
            f"invalid duration {s!r}: expected a string or a number, got {type(s).__name__} ({DURATION_HINT})"
        )
    orig = s
    s = s.strip()
    neg = False
    if s[:1] in ("-", "+"):
        neg = s[0] == "-"
        s = s[1:]
    if s == "0":
        return 0
    if not s:
        raise _bad(orig, "empty")
    total = 0
    pos = 0
    n = len(s)
    while pos < n:
        m = _COMPONENT.match(s, pos)
        assert m is not None  # the pattern matches the empty string
        whole, frac, unit = m.group(1), m.group(2), m.group(3)
        if not whole and not frac:
            if m.end() == pos or not unit:
                raise _bad(orig, "expected a number")
            raise _bad(orig, f"expected a number before {_quote(unit)}")
        if not unit:
            raise _bad(orig, "missing unit")
        scale = _UNITS.get(unit)
        if scale is None:
            hint = "; days are not a unit, write 24h" if unit == "d" else ""
            raise _bad(orig, f"unknown unit {_quote(unit)}{hint}")
        value = int(whole or "0") * scale
        if frac:
            value += int(frac) * scale // (10 ** len(frac))
        total += value
        if total > _MAX + 1:  # stop early on absurd inputs
            raise _bad(orig, "out of range")
        pos = m.end()
    if neg:
        total = -total
    if total > _MAX or total < _MIN:
        raise _bad(orig, "out of range")
    return total


def _check_range(ns: int, shown: str) -> int:
    if ns > _MAX or ns < _MIN:
        raise ValueError(f"invalid duration {shown}: out of range")
    return ns


def _frac(u: int, prec: int) -> tuple[str, int]:
    """Go's fmtFrac: the fraction of u / 10**prec without trailing zeros."""
    div = 10**prec
    digits = f"{u % div:0{prec}d}".rstrip("0")
    return ("." + digits if digits else ""), u // div


def format_duration(ns: int) -> str:
    """Format a nanosecond count as Go's ``Duration.String()`` does."""
    if isinstance(ns, bool) or not isinstance(ns, int):
        raise ValueError(f"format_duration: expected an int of nanoseconds, got {ns!r}")
    neg = ns < 0
    u = -ns if neg else ns
    if u < SECOND:
        if u == 0:
            return "0s"
        if u < MICROSECOND:
            text = f"{u}ns"
        elif u < MILLISECOND:
            frac, whole = _frac(u, 3)
            text = f"{whole}{frac}µs"
        else:
            frac, whole = _frac(u, 6)
            text = f"{whole}{frac}ms"
    else:
        frac, secs = _frac(u, 9)
        text = f"{secs % 60}{frac}s"
        mins = secs // 60
        if mins:
            text = f"{mins % 60}m{text}"
            hours = mins // 60
            if hours:
                text = f"{hours}h{text}"
    return "-" + text if neg else text
