"""Go's civil time in Python: calendar arithmetic, zones, and the layout language.

The `time` module (wippy/modules/time.py) keeps a Time as Lua data: whole seconds
since the Unix epoch, nanoseconds within the second, and a Location. Everything
that needs a calendar or a zone is done here, on plain ints:

- `Zone` answers "which abbreviation and UTC offset are in force at this instant"
  for UTC, a fixed offset (`time.fixed_zone`), the host's Local zone (``TZ`` or
  ``/etc/localtime``, as Go reads it) or an IANA zone (``zoneinfo``).
- `fields`, `date`, `add_date`, `round_time` follow Go's ``Time`` methods
  (proleptic Gregorian calendar, Go's normalisation of out-of-range fields,
  rounding relative to Go's zero time 0001-01-01 UTC).
- `format` and `parse` implement Go's reference-time layouts (``2006-01-02T15:04:05Z07:00``,
  ``Mon Jan _2``, ``.000``/``.999``, ``PM``, ``MST``, ``-07:00``, ``__2``/``002``, ...) with
  Go's rules, including its lenient parsing (fractional seconds after ``05``, runs
  of spaces, case-insensitive month and day names) and its error messages.

Invariants: all arithmetic is on Python ints (no overflow, no float rounding);
``0 <= nsec < 10**9`` in and out; functions are pure except for zone data, which is
read from the host's tz database once per zone and cached (immutable data, not
program state). Costs: a zone lookup is one ``datetime.astimezone`` (a few µs) for
Local/IANA zones and free for fixed ones; format/parse are linear in the layout.
"""

from __future__ import annotations

import functools
import math
import os
from datetime import UTC as _PY_UTC
from datetime import datetime, timedelta, tzinfo
from typing import NamedTuple
from zoneinfo import ZoneInfo

__all__ = [
    "ZERO_UNIX",
    "Zone",
    "zone",
    "load_zone",
    "fields",
    "date",
    "add_date",
    "round_time",
    "format",
    "parse",
    "ParseResult",
    "TimeParseError",
]

SEC = 1_000_000_000
DAY = 86400
ZERO_UNIX = -62135596800  # Go's zero Time, 0001-01-01 00:00:00 UTC, in Unix seconds

LONG_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
SHORT_DAYS = tuple(d[:3] for d in LONG_DAYS)
LONG_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")
SHORT_MONTHS = tuple(m[:3] for m in LONG_MONTHS)


# --- calendar ----------------------------------------------------------------------

def days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 of the proleptic Gregorian date y-m-d (m in 1..12;
    d may be out of range: it is an offset from the first of the month)."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * ((m + 9) % 12) + 2) // 5 + d - 1
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468


def civil_from_days(z: int) -> tuple[int, int, int]:
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (m <= 2), m, d


def is_leap(y: int) -> bool:
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)


def days_in(m: int, y: int) -> int:
    if m == 2:
        return 29 if is_leap(y) else 28
    return 30 if m in (4, 6, 9, 11) else 31


# --- zones -------------------------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=_PY_UTC)
_MIN_SEC = int((datetime(1, 1, 2, tzinfo=_PY_UTC) - _EPOCH).total_seconds())
_MAX_SEC = int((datetime(9999, 12, 30, tzinfo=_PY_UTC) - _EPOCH).total_seconds())


class Zone:
    """A Location's rules: `lookup(unix_sec) -> (abbreviation, offset_seconds)`."""

    __slots__ = ("name", "fixed", "info")

    def __init__(self, name: str, fixed: int | None, info: tzinfo | None) -> None:
        self.name = name  # Location.String()
        self.fixed = fixed  # a fixed offset (UTC, fixed_zone), else None
        self.info = info  # tz rules (Local, IANA); None with fixed=None means "UTC"

    def lookup(self, sec: int) -> tuple[str, int]:
        if self.fixed is not None:
            return self.name, self.fixed
        if self.info is None:
            return "UTC", 0
        s = min(max(sec, _MIN_SEC), _MAX_SEC)  # datetime's range; the rules outside are extrapolated
        dt = (_EPOCH + timedelta(seconds=s)).astimezone(self.info)
        off = dt.utcoffset()
        return dt.tzname() or "", int(off.total_seconds()) if off is not None else 0

    def lookup_name(self, name: str, sec: int) -> int | None:
        """Go's Location.lookupName: the offset of the zone called `name` (an
        abbreviation) around the instant `sec`, preferring one in effect then."""
        if self.fixed is not None or self.info is None:
            abbr, off = self.lookup(sec)
            return off if abbr == name else None
        # the zone periods near `sec` (a year either way: standard and summer time)
        seen: dict[tuple[str, int], None] = {}
        for k in range(-13, 14):
            seen.setdefault(self.lookup(sec + k * 30 * DAY), None)
        for abbr, off in seen:
            if abbr == name and self.lookup(sec - off)[0] == name:
                return self.lookup(sec - off)[1]
        for abbr, off in seen:
            if abbr == name:
                return off
        return None


UTC = Zone("UTC", 0, None)


@functools.cache
def _local_info() -> tzinfo | None:
    """The host's local zone as Go finds it: $TZ ("" = UTC, ":name" or "name"), else
    /etc/localtime; None (UTC) if neither can be read."""
    tz = os.environ.get("TZ")
    try:
        if tz is None:
            with open("/etc/localtime", "rb") as f:
                return ZoneInfo.from_file(f, key="Local")
        tz = tz.removeprefix(":")
        if tz == "":
            return None
        if os.path.isabs(tz):
            with open(tz, "rb") as f:
                return ZoneInfo.from_file(f, key="Local")
        return ZoneInfo(tz)
    except (OSError, ValueError, KeyError):
        return None


@functools.lru_cache(maxsize=512)
def zone(name: str, offset: int | None = None) -> Zone:
    """The Zone of a Location given as (name, fixed offset or None): a fixed offset,
    "Local", "UTC", or an IANA name. Raises ValueError for an unknown IANA name."""
    if offset is not None:
        return Zone(name, int(offset), None)
    if name == "Local":
        return Zone("Local", None, _local_info())
    if name in ("UTC", ""):
        return UTC
    info = load_zone(name)
    if info is None:
        raise ValueError(f"unknown time zone {name}")
    return Zone(name, None, info)


def load_zone(name: str) -> tzinfo | None:
    """IANA rules for `name`, or None if the tz database has no such zone."""
    if ".." in name or name.startswith(("/", "\\")):
        return None
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return None


# --- Time methods ----------------------------------------------------------------

class Fields(NamedTuple):
    year: int
    month: int
    day: int
    hour: int
    minute: int
    second: int
    weekday: int  # 0 = Sunday
    yday: int  # 1..366
    abbr: str
    offset: int


def fields(sec: int, z: Zone) -> Fields:
    abbr, off = z.lookup(sec)
    days, sod = divmod(sec + off, DAY)
    y, m, d = civil_from_days(days)
    yday = days - days_from_civil(y, 1, 1) + 1
    return Fields(y, m, d, sod // 3600, sod // 60 % 60, sod % 60, (days + 4) % 7, yday, abbr, off)


def date(year: int, month: int, day: int, hour: int, minute: int, second: int, nsec: int,
         z: Zone) -> tuple[int, int]:
    """Go's time.Date: out-of-range fields normalise (month 13 = January next year,
    second -1 = the previous minute's 59); the wall time is read in zone z (in a
    gap or an overlap, Go's choice of offset). Returns (unix_sec, nsec)."""
    m0 = month - 1
    year += m0 // 12
    days = days_from_civil(year, m0 % 12 + 1, 1) + day - 1
    carry, nsec = divmod(nsec, SEC)
    unix = days * DAY + hour * 3600 + minute * 60 + second + carry
    _, off = z.lookup(unix)
    if off != 0:
        _, off2 = z.lookup(unix - off)
        unix -= off2
    return unix, nsec


def add_date(sec: int, nsec: int, years: int, months: int, days: int, z: Zone) -> tuple[int, int]:
    f = fields(sec, z)
    return date(f.year + years, f.month + months, f.day + days, f.hour, f.minute, f.second, nsec, z)


def round_time(sec: int, nsec: int, d: int, up: bool) -> tuple[int, int]:
    """Go's Time.Truncate (up=False) / Time.Round (up=True): multiples of d counted
    from the zero time (0001-01-01 UTC); halfway rounds up; d <= 0 is a no-op."""
    if d <= 0:
        return sec, nsec
    total = (sec - ZERO_UNIX) * SEC + nsec
    r = total % d
    total -= r
    if up and r + r >= d:
        total += d
    s, n = divmod(total, SEC)
    return s + ZERO_UNIX, n


# --- layouts -----------------------------------------------------------------------

class Std(NamedTuple):
    """One layout element: `code` is its reference spelling ("2006", "Jan", "Z07:00",
    ...) or "frac0"/"frac9" for fractional seconds (`digits` wide, `sep` . or ,)."""

    code: str
    digits: int = 0
    sep: str = "."


_DATE = frozenset({"January", "Jan", "1", "01", "Monday", "Mon", "2", "_2", "02", "2006", "06"})
_YDAY = frozenset({"__2", "002"})
_CLOCK = frozenset({"15", "3", "03", "4", "04", "5", "05", "PM", "pm"})
_ISO_TZ = ("Z070000", "Z07:00:00", "Z0700", "Z07:00", "Z07")
_NUM_TZ = ("-070000", "-07:00:00", "-0700", "-07:00", "-07")


def _lower_at(s: str, i: int) -> bool:
    return i < len(s) and "a" <= s[i] <= "z"


def _digit_at(s: str, i: int) -> bool:
    return i < len(s) and "0" <= s[i] <= "9"


def next_std(layout: str) -> tuple[str, Std | None, str]:
    """Go's nextStdChunk: (text before the first element, the element, the rest)."""
    n = len(layout)
    for i, c in enumerate(layout):
        rest = layout[i:]
        if c == "J":
            if rest.startswith("January"):
                return layout[:i], Std("January"), layout[i + 7:]
            if rest.startswith("Jan") and not _lower_at(layout, i + 3):
                return layout[:i], Std("Jan"), layout[i + 3:]
        elif c == "M":
            if rest.startswith("Monday"):
                return layout[:i], Std("Monday"), layout[i + 6:]
            if rest.startswith("Mon") and not _lower_at(layout, i + 3):
                return layout[:i], Std("Mon"), layout[i + 3:]
            if rest.startswith("MST"):
                return layout[:i], Std("MST"), layout[i + 3:]
        elif c == "0":
            if i + 1 < n and "1" <= layout[i + 1] <= "6":
                return layout[:i], Std(layout[i:i + 2]), layout[i + 2:]
            if rest.startswith("002"):
                return layout[:i], Std("002"), layout[i + 3:]
        elif c == "1":
            if rest.startswith("15"):
                return layout[:i], Std("15"), layout[i + 2:]
            return layout[:i], Std("1"), layout[i + 1:]
        elif c == "2":
            if rest.startswith("2006"):
                return layout[:i], Std("2006"), layout[i + 4:]
            return layout[:i], Std("2"), layout[i + 1:]
        elif c == "_":
            if rest.startswith("_2"):
                if rest.startswith("_2006"):  # a literal _ then the year
                    return layout[:i + 1], Std("2006"), layout[i + 5:]
                return layout[:i], Std("_2"), layout[i + 2:]
            if rest.startswith("__2"):
                return layout[:i], Std("__2"), layout[i + 3:]
        elif c in "345":
            return layout[:i], Std(c), layout[i + 1:]
        elif c == "P":
            if rest.startswith("PM"):
                return layout[:i], Std("PM"), layout[i + 2:]
        elif c == "p":
            if rest.startswith("pm"):
                return layout[:i], Std("pm"), layout[i + 2:]
        elif c == "-":
            for code in _NUM_TZ:
                if rest.startswith(code):
                    return layout[:i], Std(code), layout[i + len(code):]
        elif c == "Z":
            for code in _ISO_TZ:
                if rest.startswith(code):
                    return layout[:i], Std(code), layout[i + len(code):]
        elif c in ".,":
            if i + 1 < n and layout[i + 1] in "09":
                ch = layout[i + 1]
                j = i + 1
                while j < n and layout[j] == ch:
                    j += 1
                if not _digit_at(layout, j):  # the run of 0s or 9s must end the number
                    kind = "frac0" if ch == "0" else "frac9"
                    return layout[:i], Std(kind, j - (i + 1), c), layout[j:]
    return layout, None, ""


def _int(x: int, width: int) -> str:
    """Go's appendInt: decimal, zero-padded to `width` digits, sign before."""
    if x < 0:
        return "-" + str(-x).rjust(width, "0")
    return str(x).rjust(width, "0")


def _nano(nsec: int, std: Std) -> str:
    trim = std.code == "frac9"
    if trim and (std.digits == 0 or nsec == 0):
        return ""
    digits = f"{nsec:09d}"[:std.digits]
    if trim:
        digits = digits.rstrip("0")
        if not digits:
            return ""
    return std.sep + digits


def format(sec: int, nsec: int, layout: str, z: Zone) -> str:
    """Go's Time.Format."""
    f = fields(sec, z)
    out: list[str] = []
    while layout:
        prefix, std, layout = next_std(layout)
        out.append(prefix)
        if std is None:
            break
        c = std.code
        if c == "06":
            out.append(_int(abs(f.year) % 100, 2))
        elif c == "2006":
            out.append(_int(f.year, 4))
        elif c == "Jan":
            out.append(SHORT_MONTHS[f.month - 1])
        elif c == "January":
            out.append(LONG_MONTHS[f.month - 1])
        elif c == "1":
            out.append(str(f.month))
        elif c == "01":
            out.append(_int(f.month, 2))
        elif c == "Mon":
            out.append(SHORT_DAYS[f.weekday])
        elif c == "Monday":
            out.append(LONG_DAYS[f.weekday])
        elif c == "2":
            out.append(str(f.day))
        elif c == "_2":
            out.append(str(f.day).rjust(2))
        elif c == "02":
            out.append(_int(f.day, 2))
        elif c == "__2":
            out.append(str(f.yday).rjust(3))
        elif c == "002":
            out.append(_int(f.yday, 3))
        elif c == "15":
            out.append(_int(f.hour, 2))
        elif c in ("3", "03"):
            hr = f.hour % 12 or 12
            out.append(_int(hr, 2 if c == "03" else 0))
        elif c == "4":
            out.append(str(f.minute))
        elif c == "04":
            out.append(_int(f.minute, 2))
        elif c == "5":
            out.append(str(f.second))
        elif c == "05":
            out.append(_int(f.second, 2))
        elif c == "PM":
            out.append("PM" if f.hour >= 12 else "AM")
        elif c == "pm":
            out.append("pm" if f.hour >= 12 else "am")
        elif c in _ISO_TZ or c in _NUM_TZ:
            out.append(_offset_text(f.offset, c))
        elif c == "MST":
            if f.abbr:
                out.append(f.abbr)
            else:  # no abbreviation: Go prints -0700
                out.append(_offset_text(f.offset, "-0700"))
        else:  # frac0 / frac9
            out.append(_nano(nsec, std))
    return "".join(out)


def _offset_text(offset: int, code: str) -> str:
    """A zone offset as the layout element `code` (Go's arithmetic: truncating
    division, so an offset under a minute west prints +00 with a signed second)."""
    if offset == 0 and code[0] == "Z":
        return "Z"
    zone_min = int(offset / 60)
    absoff = offset
    sign = "+"
    if zone_min < 0:
        sign = "-"
        zone_min = -zone_min
        absoff = -absoff
    text = sign + _int(zone_min // 60, 2)
    colon = ":" in code
    if colon:
        text += ":"
    if code not in ("-07", "Z07"):
        text += _int(zone_min % 60, 2)
    if code in ("-070000", "Z070000", "-07:00:00", "Z07:00:00"):
        if colon:
            text += ":"
        text += _int(int(math.fmod(absoff, 60)), 2)
    return text


# --- parsing -----------------------------------------------------------------------

class TimeParseError(ValueError):
    """A value that does not match its layout; the message is Go's."""


def _quote(s: str) -> str:
    out = ['"']
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch < " " or ch >= "\x7f":
            out.extend(f"\\x{b:02x}" for b in ch.encode("utf-8", "surrogateescape"))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _perr(layout: str, value: str, elem: str, velem: str, msg: str = "") -> TimeParseError:
    if msg:
        return TimeParseError(f"parsing time {_quote(value)}{msg}")
    return TimeParseError(f"parsing time {_quote(value)} as {_quote(layout)}: cannot parse "
                          f"{_quote(velem)} as {_quote(elem)}")


class _Bad(Exception):
    """A field did not parse (Go's errBad)."""


def _getnum(s: str, fixed: bool) -> tuple[int, str]:
    if not _digit_at(s, 0):
        raise _Bad
    if not _digit_at(s, 1):
        if fixed:
            raise _Bad
        return int(s[0]), s[1:]
    return int(s[:2]), s[2:]


def _getnum3(s: str, fixed: bool) -> tuple[int, str]:
    i = 0
    while i < 3 and _digit_at(s, i):
        i += 1
    if i == 0 or (fixed and i != 3):
        raise _Bad
    return int(s[:i]), s[i:]


def _atoi(s: str) -> int:
    neg = s[:1] == "-"
    if s[:1] in ("-", "+"):
        s = s[1:]
    if not s or not all("0" <= c <= "9" for c in s):
        raise _Bad
    return -int(s) if neg else int(s)


def _lookup(tab: tuple[str, ...], val: str) -> tuple[int, str]:
    for i, v in enumerate(tab):
        if len(val) >= len(v) and val[:len(v)].lower() == v.lower():
            return i, val[len(v):]
    raise _Bad


def _skip(value: str, prefix: str) -> str:
    """Remove `prefix` from `value`; a run of spaces matches any run of spaces."""
    while prefix:
        if prefix[0] == " ":
            if value and value[0] != " ":
                raise _Bad
            prefix = prefix.lstrip(" ")
            value = value.lstrip(" ")
            continue
        if not value or value[0] != prefix[0]:
            raise _Bad
        prefix, value = prefix[1:], value[1:]
    return value


def _nanos(value: str, nbytes: int) -> int:
    if value[0] not in ".,":
        raise _Bad
    if nbytes > 10:
        value, nbytes = value[:10], 10
    return _atoi(value[1:nbytes]) * 10 ** (10 - nbytes)


def _signed_offset_len(value: str) -> int:
    if not value or value[0] not in "+-":
        return 0
    i = 1
    while _digit_at(value, i):
        i += 1
    if i == 1 or int(value[1:i]) > 23:
        return 0
    return i


def _tz_len(value: str) -> int:
    """Go's parseTimeZone: the length of a zone abbreviation at the start, or 0."""
    if len(value) < 3:
        return 0
    if value[:4] in ("ChST", "MeST"):
        return 4
    if value[:3] == "GMT":
        return 3 + _signed_offset_len(value[3:]) if len(value) > 3 else 3
    if value[0] in "+-":
        return _signed_offset_len(value)
    n = 0
    while n < 6 and n < len(value) and "A" <= value[n] <= "Z":
        n += 1
    if n == 3:
        return 3
    if n == 4 and (value[3] == "T" or value[:4] == "WITA"):
        return 4
    if n == 5 and value[4] == "T":
        return 5
    return 0


class ParseResult(NamedTuple):
    sec: int
    nsec: int
    where: str  # "loc": the location given; "utc"; "fixed": a fabricated zone (name, offset)
    zone_name: str = ""
    zone_offset: int = 0


def parse(layout: str, value: str, z: Zone) -> ParseResult:
    """Go's time.ParseInLocation(layout, value, z). Raises TimeParseError."""
    alayout, avalue = layout, value
    year, month, day, yday = 0, -1, -1, -1
    hour = minute = second = nsec = 0
    am = pm = False
    z_utc = False
    zone_offset: int | None = None
    zone_name = ""
    while True:
        prefix, std, suffix = next_std(layout)
        stdstr = layout[len(prefix):len(layout) - len(suffix)]
        try:
            value = _skip(value, prefix)
        except _Bad:
            raise _perr(alayout, avalue, prefix, value) from None
        if std is None:
            if value:
                raise _perr(alayout, avalue, "", value, ": extra text: " + _quote(value))
            break
        layout = suffix
        hold = value
        range_err = ""
        c = std.code
        try:
            if c == "06":
                if len(value) < 2:
                    raise _Bad
                year = _atoi(value[:2])
                value = value[2:]
                year += 1900 if year >= 69 else 2000
            elif c == "2006":
                if len(value) < 4 or not _digit_at(value, 0):
                    raise _Bad
                year = _atoi(value[:4])
                value = value[4:]
            elif c == "Jan":
                month, value = _lookup(SHORT_MONTHS, value)
                month += 1
            elif c == "January":
                month, value = _lookup(LONG_MONTHS, value)
                month += 1
            elif c in ("1", "01"):
                month, value = _getnum(value, c == "01")
                if not 0 < month <= 12:
                    range_err = "month"
            elif c == "Mon":
                _, value = _lookup(SHORT_DAYS, value)
            elif c == "Monday":
                _, value = _lookup(LONG_DAYS, value)
            elif c in ("2", "_2", "02"):
                if c == "_2" and value[:1] == " ":
                    value = value[1:]
                day, value = _getnum(value, c == "02")
            elif c in ("__2", "002"):
                if c == "__2":
                    for _ in range(2):
                        if value[:1] == " ":
                            value = value[1:]
                yday, value = _getnum3(value, c == "002")
            elif c == "15":
                hour, value = _getnum(value, False)
                if not 0 <= hour < 24:
                    range_err = "hour"
            elif c in ("3", "03"):
                hour, value = _getnum(value, c == "03")
                if not 0 <= hour <= 12:
                    range_err = "hour"
            elif c in ("4", "04"):
                minute, value = _getnum(value, c == "04")
                if not 0 <= minute < 60:
                    range_err = "minute"
            elif c in ("5", "05"):
                second, value = _getnum(value, c == "05")
                if not 0 <= second < 60:
                    range_err = "second"
                elif len(value) >= 2 and value[0] in ".," and _digit_at(value, 1):
                    # a fraction the layout does not ask for is still accepted
                    nxt = next_std(layout)[1]
                    if nxt is None or nxt.code not in ("frac0", "frac9"):
                        n = 2
                        while _digit_at(value, n):
                            n += 1
                        nsec = _nanos(value, n)
                        value = value[n:]
            elif c in ("PM", "pm"):
                if len(value) < 2:
                    raise _Bad
                p, value = value[:2], value[2:]
                if p == ("PM" if c == "PM" else "pm"):
                    pm = True
                elif p == ("AM" if c == "PM" else "am"):
                    am = True
                else:
                    raise _Bad
            elif c in _ISO_TZ or c in _NUM_TZ:
                if c[0] == "Z" and value[:1] == "Z":
                    value = value[1:]
                    z_utc = True
                else:
                    zone_offset, value, range_err = _parse_offset(c, value)
            elif c == "MST":
                if value[:3] == "UTC":
                    z_utc = True
                    value = value[3:]
                else:
                    n = _tz_len(value)
                    if n == 0:
                        raise _Bad
                    zone_name, value = value[:n], value[n:]
            elif c == "frac0":
                ndigit = 1 + std.digits
                if len(value) < ndigit:
                    raise _Bad
                nsec = _nanos(value, ndigit)
                value = value[ndigit:]
            elif c == "frac9":
                if len(value) >= 2 and value[0] in ".," and _digit_at(value, 1):
                    i = 1
                    while _digit_at(value, i + 1):
                        i += 1
                    nsec = _nanos(value, 1 + i)
                    value = value[1 + i:]
        except _Bad:
            raise _perr(alayout, avalue, stdstr, hold) from None
        if range_err:
            raise _perr(alayout, avalue, stdstr, value, f": {range_err} out of range")
    if pm and hour < 12:
        hour += 12
    elif am and hour == 12:
        hour = 0

    if yday >= 0:
        d = m = 0
        if is_leap(year):
            if yday == 31 + 29:
                m, d = 2, 29
            elif yday > 31 + 29:
                yday -= 1
        if yday < 1 or yday > 365:
            raise _perr(alayout, avalue, "", value, ": day-of-year out of range")
        if m == 0:
            m = (yday - 1) // 31 + 1
            if _days_before(m + 1) < yday:
                m += 1
            d = yday - _days_before(m)
        if month >= 0 and month != m:
            raise _perr(alayout, avalue, "", value, ": day-of-year does not match month")
        month = m
        if day >= 0 and day != d:
            raise _perr(alayout, avalue, "", value, ": day-of-year does not match day")
        day = d
    else:
        if month < 0:
            month = 1
        if day < 0:
            day = 1
    if day < 1 or day > days_in(month, year):
        raise _perr(alayout, avalue, "", value, ": day out of range")

    if z_utc:
        s, n = date(year, month, day, hour, minute, second, nsec, UTC)
        return ParseResult(s, n, "utc")
    if zone_offset is not None:
        s, n = date(year, month, day, hour, minute, second, nsec, UTC)
        s -= zone_offset
        abbr, off = z.lookup(s)
        if off == zone_offset and (zone_name == "" or abbr == zone_name):
            return ParseResult(s, n, "loc")
        return ParseResult(s, n, "fixed", zone_name, zone_offset)
    if zone_name:
        s, n = date(year, month, day, hour, minute, second, nsec, UTC)
        found = z.lookup_name(zone_name, s)
        if found is not None:
            return ParseResult(s - found, n, "loc")
        offset = 0
        if len(zone_name) > 3 and zone_name[:3] == "GMT":
            offset = int(zone_name[3:]) * 3600
        return ParseResult(s, n, "fixed", zone_name, offset)
    s, n = date(year, month, day, hour, minute, second, nsec, z)
    return ParseResult(s, n, "loc")


def _days_before(m: int) -> int:
    """Days in the non-leap months before month m (m = 13: the whole year)."""
    return sum(days_in(i, 1) for i in range(1, m))


def _parse_offset(code: str, value: str) -> tuple[int, str, str]:
    """A numeric zone offset per the layout element; (seconds, rest, range error)."""
    body = code[1:]  # 0700, 07:00, 07, 070000, 07:00:00
    if body == "07:00":
        if len(value) < 6 or value[3] != ":":
            raise _Bad
        sign, hh, mm, ss, value = value[0], value[1:3], value[4:6], "00", value[6:]
    elif body == "07":
        if len(value) < 3:
            raise _Bad
        sign, hh, mm, ss, value = value[0], value[1:3], "00", "00", value[3:]
    elif body == "07:00:00":
        if len(value) < 9 or value[3] != ":" or value[6] != ":":
            raise _Bad
        sign, hh, mm, ss, value = value[0], value[1:3], value[4:6], value[7:9], value[9:]
    elif body == "070000":
        if len(value) < 7:
            raise _Bad
        sign, hh, mm, ss, value = value[0], value[1:3], value[3:5], value[5:7], value[7:]
    else:
        if len(value) < 5:
            raise _Bad
        sign, hh, mm, ss, value = value[0], value[1:3], value[3:5], "00", value[5:]
    hr, _ = _getnum(hh, True)
    mi, _ = _getnum(mm, True)
    se, _ = _getnum(ss, True)
    range_err = ""
    if hr > 24:
        range_err = "time zone offset hour"
    if mi > 60:
        range_err = "time zone offset minute"
    if se > 60:
        range_err = "time zone offset second"
    off = (hr * 60 + mi) * 60 + se
    if sign == "-":
        off = -off
    elif sign != "+":
        raise _Bad
    return off, value, range_err
