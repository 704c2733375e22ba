"""Lua 5.4 pattern matching over bytes: lstrlib.c's match machine, translated.

The reference matcher (`_SlowMatcher`) is lstrlib.c's recursive `match`
rewritten as an explicit backtracking loop: every place where C recurses and
does something when the nested call fails (undo a capture, try one repetition
less or more, skip an optional item) pushes a choice point on a list instead.
A nested call that succeeds makes the whole match succeed in C, so reaching the
end of the pattern anywhere is the overall result. The list's length is C's
nesting depth, which gives Lua's "pattern too complex" limit (MAXCCALLS) without
ever touching Python's own recursion limit.

Errors happen lazily, exactly where C raises them: a malformed piece of a
pattern is only reported if matching reaches it.

Fast path: a pattern whose every element maps one to one onto Python's `re`
(single-character classes with `* + - ?`, captures, position captures,
back-references to closed captures, frontiers, a final `$`) and that cannot raise any
Lua error is compiled to an equivalent regular expression. Both engines are
leftmost-first backtrackers exploring alternatives in the same order, and each
Lua class is rendered as the explicit set of bytes it matches, so the first
match found at a given position and its captures are identical. Patterns under
MAXCCALLS bytes cannot reach the depth limit (each nesting level advances in
the pattern), so that error cannot be missed either.
"""

from __future__ import annotations

import re
from typing import Any

from ..runtime import state
from ..runtime.limits import POP, charge, refill
from ..runtime.values import rt_error

MAXCCALLS = 200
MAXCAPTURES = 32
CAP_UNFINISHED = -1
CAP_POSITION = -2
L_ESC = 0x25  # '%'
SPECIALS = b"^$*+?.([%-"

# ------------------------------------------------------------ C-locale classes


def _ctype_tables() -> dict[int, bytes]:
    """Membership tables of the C-locale ctype predicates, keyed by class letter."""
    def table(pred: Any) -> bytes:
        return bytes(1 if pred(c) else 0 for c in range(256))

    def isalpha(c: int) -> bool:
        return 65 <= c <= 90 or 97 <= c <= 122

    def isdigit(c: int) -> bool:
        return 48 <= c <= 57

    def isgraph(c: int) -> bool:
        return 33 <= c <= 126

    return {
        ord("a"): table(isalpha),
        ord("c"): table(lambda c: c < 32 or c == 127),
        ord("d"): table(isdigit),
        ord("g"): table(isgraph),
        ord("l"): table(lambda c: 97 <= c <= 122),
        ord("p"): table(lambda c: isgraph(c) and not isalpha(c) and not isdigit(c)),
        ord("s"): table(lambda c: 9 <= c <= 13 or c == 32),
        ord("u"): table(lambda c: 65 <= c <= 90),
        ord("w"): table(lambda c: isalpha(c) or isdigit(c)),
        ord("x"): table(lambda c: isdigit(c) or 65 <= c <= 70 or 97 <= c <= 102),
        ord("z"): table(lambda c: c == 0),  # deprecated, still accepted by 5.4
    }


def _class_tables() -> tuple[bytes, ...]:
    """For every byte `cl`, the bytes that `%cl` matches (lstrlib's match_class)."""
    base = _ctype_tables()
    out = []
    for cl in range(256):
        low = cl + 32 if 65 <= cl <= 90 else cl
        if low in base:
            t = base[low]
            out.append(t if cl == low else bytes(1 - b for b in t))
        else:
            out.append(bytes(cl) + b"\x01" + bytes(255 - cl))  # just cl itself
    return tuple(out)


CLASS = _class_tables()
ISDIGIT = CLASS[ord("d")]


def match_class(c: int, cl: int) -> bool:
    return CLASS[cl][c] == 1


def matchbracketclass(c: int, pat: bytes, p: int, ec: int) -> bool:
    """Does byte c belong to the set pat[p..ec] ('[' at p, ']' at ec)?"""
    sig = True
    if pat[p + 1] == 0x5E:  # '^'
        sig = False
        p += 1
    p += 1
    while p < ec:
        ch = pat[p]
        if ch == L_ESC:
            p += 1
            if CLASS[pat[p]][c]:
                return sig
        elif pat[p + 1] == 0x2D and p + 2 < ec:  # range a-z
            if ch <= c <= pat[p + 2]:
                return sig
            p += 2
        elif ch == c:
            return sig
        p += 1
    return not sig


_ITEMS: dict[bytes, bytes] = {}


def item_table(item: bytes) -> bytes:
    """The 256-entry membership table of one single-character pattern item."""
    t = _ITEMS.get(item)
    if t is None:
        first = item[0]
        if first == 0x2E:  # '.'
            t = b"\x01" * 256
        elif first == L_ESC:
            t = CLASS[item[1]]
        elif first == 0x5B:  # '['
            padded = item + b"\0"
            ec = len(item) - 1
            t = bytes(1 if matchbracketclass(c, padded, 0, ec) else 0 for c in range(256))
        else:
            t = CLASS[first] if not (65 <= first <= 90 or 97 <= first <= 122) else bytes(
                1 if c == first else 0 for c in range(256))
        if len(_ITEMS) > 4096:
            _ITEMS.clear()
        _ITEMS[item] = t
    return t


def classend(pat: bytes, p: int, p_end: int) -> int:
    """Index just after the single-character class starting at p (lstrlib's classend)."""
    c = pat[p]
    p += 1
    if c == L_ESC:
        if p == p_end:
            raise rt_error("malformed pattern (ends with '%')")
        return p + 1
    if c == 0x5B:  # '['
        if pat[p] == 0x5E:
            p += 1
        while True:  # look for a ']'
            if p == p_end:
                raise rt_error("malformed pattern (missing ']')")
            ch = pat[p]
            p += 1
            if ch == L_ESC and p < p_end:
                p += 1  # skip escapes (e.g. '%]')
            if pat[p] == 0x5D:
                return p + 1
    return p


def nospecials(p: bytes) -> bool:
    """True when the pattern has none of the magic characters (plain search)."""
    for c in SPECIALS:
        if c in p:
            return False
    return True


# ------------------------------------------------------------ the slow matcher

_ITEM_POS: dict[bytes, dict[int, tuple[int, bytes]]] = {}

# choice-point kinds
_UNDO_START = 0
_UNDO_END = 1
_OPT = 2
_MAX = 3
_MIN = 4


class _SlowMatcher:
    """lstrlib.c's MatchState plus its `match`, for one subject and one pattern."""

    __slots__ = ("cinit", "clen", "items", "level", "p_end", "pat", "src", "src_end")

    def __init__(self, src: bytes, pat: bytes) -> None:
        self.src = src
        self.src_end = len(src)
        self.pat = pat + b"\0"  # C reads the terminating NUL in a few places
        self.p_end = len(pat)
        self.level = 0
        self.cinit = [0] * MAXCAPTURES
        self.clen = [0] * MAXCAPTURES
        items = _ITEM_POS.get(pat)
        if items is None:
            if len(_ITEM_POS) > 1024:
                _ITEM_POS.clear()
            items = _ITEM_POS[pat] = {}
        self.items = items  # pattern position -> (classend, membership table)

    def match(self, s: int) -> int | None:
        """End of the match starting exactly at s, or None."""
        if s > self.src_end:
            return None
        self.level = 0
        return self._run(s)

    def search(self, s: int) -> tuple[int, int] | None:
        """First (start, end) of a match starting at s or later."""
        end = self.src_end
        while s <= end:
            if not POP():  # matching counts as steps: a limited runtime stops a runaway pattern
                refill()
            e = self.match(s)
            if e is not None:
                return s, e
            s += 1
        return None

    def _singlematch(self, s: int, p: int, ep: int) -> bool:
        if s >= self.src_end:
            return False
        return self.items[p][1][self.src[s]] == 1

    def _balance(self, s: int, p: int) -> int | None:
        if p >= self.p_end - 1:
            raise rt_error("malformed pattern (missing arguments to '%b')")
        src = self.src
        end = self.src_end
        if s >= end or src[s] != self.pat[p]:
            return None
        b = self.pat[p]
        e = self.pat[p + 1]
        cont = 1
        s += 1
        if end - s >= 256:
            charge((end - s) >> 4)
        while s < end:
            c = src[s]
            if c == e:
                cont -= 1
                if cont == 0:
                    return s + 1
            elif c == b:
                cont += 1
            s += 1
        return None

    def _run(self, s: int) -> int | None:
        pat = self.pat
        p_end = self.p_end
        src = self.src
        src_end = self.src_end
        cinit = self.cinit
        clen = self.clen
        items = self.items
        stack: list[tuple] = []
        p = 0
        while True:
            if not POP():
                refill()
            ok = True
            # ---- forward: lstrlib's `match` body with its gotos as a loop
            while True:
                if p == p_end:
                    return s
                c = pat[p]
                if c == 0x28:  # '(' start capture
                    level = self.level
                    if level >= MAXCAPTURES:
                        raise rt_error("too many captures")
                    cinit[level] = s
                    if pat[p + 1] == 0x29:
                        clen[level] = CAP_POSITION
                        p += 2
                    else:
                        clen[level] = CAP_UNFINISHED
                        p += 1
                    self.level = level + 1
                    if len(stack) >= MAXCCALLS - 1:
                        raise rt_error("pattern too complex")
                    stack.append((_UNDO_START,))
                    continue
                if c == 0x29:  # ')' end capture
                    lv = self.level - 1
                    while lv >= 0 and clen[lv] != CAP_UNFINISHED:
                        lv -= 1
                    if lv < 0:
                        raise rt_error("invalid pattern capture")
                    clen[lv] = s - cinit[lv]
                    if len(stack) >= MAXCCALLS - 1:
                        raise rt_error("pattern too complex")
                    stack.append((_UNDO_END, lv))
                    p += 1
                    continue
                if c == 0x24 and p + 1 == p_end:  # final '$'
                    if s == src_end:
                        return s
                    ok = False
                    break
                if c == L_ESC:
                    d = pat[p + 1]
                    if d == 0x62:  # %b
                        r = self._balance(s, p + 2)
                        if r is None:
                            ok = False
                            break
                        s = r
                        p += 4
                        continue
                    if d == 0x66:  # %f
                        p += 2
                        if pat[p] != 0x5B:
                            raise rt_error("missing '[' after '%f' in pattern")
                        ep = classend(pat, p, p_end)
                        prev = src[s - 1] if s > 0 else 0
                        cur = src[s] if s < src_end else 0
                        if not matchbracketclass(prev, pat, p, ep - 1) and matchbracketclass(
                            cur, pat, p, ep - 1
                        ):
                            p = ep
                            continue
                        ok = False
                        break
                    if ISDIGIT[d]:  # back-reference %0-%9
                        lv = d - 0x31
                        if lv < 0 or lv >= self.level or clen[lv] == CAP_UNFINISHED:
                            raise rt_error(f"invalid capture index %{lv + 1}")
                        ln = clen[lv]
                        if ln >= 0 and src_end - s >= ln and src[cinit[lv]:cinit[lv] + ln] == src[s:s + ln]:
                            s += ln
                            p += 2
                            continue
                        ok = False
                        break
                # default: a single-character class plus optional suffix
                it = items.get(p)
                if it is None:
                    ep = classend(pat, p, p_end)
                    it = items[p] = (ep, item_table(pat[p:ep]))
                ep, tab = it
                suf = pat[ep]
                if s >= src_end or not tab[src[s]]:
                    if suf == 0x2A or suf == 0x3F or suf == 0x2D:  # '*' '?' '-' accept empty
                        p = ep + 1
                        continue
                    ok = False
                    break
                if suf == 0x3F:  # '?'
                    if len(stack) >= MAXCCALLS - 1:
                        raise rt_error("pattern too complex")
                    stack.append((_OPT, s, ep))
                    s += 1
                    p = ep + 1
                    continue
                if suf == 0x2B or suf == 0x2A:  # '+' / '*': max_expand
                    if suf == 0x2B:
                        s += 1
                    i = 0
                    while s + i < src_end and tab[src[s + i]]:
                        i += 1
                    if i >= 256:
                        charge(i >> 4)
                    if len(stack) >= MAXCCALLS - 1:
                        raise rt_error("pattern too complex")
                    stack.append((_MAX, s, i, p, ep))
                    s += i
                    p = ep + 1
                    continue
                if suf == 0x2D:  # '-': min_expand
                    if len(stack) >= MAXCCALLS - 1:
                        raise rt_error("pattern too complex")
                    stack.append((_MIN, s, p, ep))
                    p = ep + 1
                    continue
                s += 1
                p = ep
            # ---- failure: unwind to the newest choice point that has an alternative
            assert not ok
            while stack:
                fr = stack.pop()
                kind = fr[0]
                if kind == _UNDO_START:
                    self.level -= 1
                elif kind == _UNDO_END:
                    clen[fr[1]] = CAP_UNFINISHED
                elif kind == _OPT:
                    s = fr[1]
                    p = fr[2] + 1
                    break
                elif kind == _MAX:
                    i = fr[2] - 1
                    if i >= 0:
                        stack.append((_MAX, fr[1], i, fr[3], fr[4]))
                        s = fr[1] + i
                        p = fr[4] + 1
                        break
                else:  # _MIN
                    s0 = fr[1]
                    if self._singlematch(s0, fr[2], fr[3]):
                        stack.append((_MIN, s0 + 1, fr[2], fr[3]))
                        s = s0 + 1
                        p = fr[3] + 1
                        break
            else:
                return None

    # captures -----------------------------------------------------------

    def get_capture(self, i: int, s: int, e: int) -> bytes | int:
        """lstrlib's get_onecapture: capture i (0-based) as a Lua value."""
        if i >= self.level:
            if i != 0:
                raise rt_error(f"invalid capture index %{i + 1}")
            return self.src[s:e]
        ln = self.clen[i]
        init = self.cinit[i]
        if ln == CAP_UNFINISHED:
            raise rt_error("unfinished capture")
        if ln == CAP_POSITION:
            return init + 1
        return self.src[init:init + ln]

    def captures(self, s: int, e: int, whole: bool) -> tuple:
        """lstrlib's push_captures; `whole` gives the whole match when there are no captures."""
        n = 1 if (self.level == 0 and whole) else self.level
        return tuple(self.get_capture(i, s, e) for i in range(n))


# ------------------------------------------------------------ the re fast path


def _render(t: bytes) -> bytes:
    """A regular-expression atom matching exactly the bytes marked in table t."""
    members = [c for c in range(256) if t[c]]
    if not members:
        return rb"[^\x00-\xff]"
    if len(members) == 1:
        c = members[0]
        return bytes([c]) if (48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122) else b"\\x%02x" % c
    parts = []
    i = 0
    while i < len(members):
        j = i
        while j + 1 < len(members) and members[j + 1] == members[j] + 1:
            j += 1
        if j == i:
            parts.append(b"\\x%02x" % members[i])
        else:
            parts.append(b"\\x%02x-\\x%02x" % (members[i], members[j]))
        i = j + 1
    return b"[" + b"".join(parts) + b"]"


def _safe_classend(p: bytes, i: int) -> int | None:
    """classend that reports malformation by returning None instead of raising."""
    n = len(p)
    c = p[i]
    i += 1
    if c == L_ESC:
        return None if i >= n else i + 1
    if c == 0x5B:
        if i < n and p[i] == 0x5E:
            i += 1
        while True:
            if i >= n:
                return None
            ch = p[i]
            i += 1
            if ch == L_ESC and i < n:
                i += 1
            if i >= n:
                return None
            if p[i] == 0x5D:
                return i + 1
    return i


def _compile_re(p: bytes) -> tuple[re.Pattern, int, frozenset] | None:
    """Translate an error-free pattern to (regex, capture count, position captures)."""
    n = len(p)
    if n >= MAXCCALLS - 1:
        return None
    out: list[bytes] = []
    ncap = 0
    opened: list[int] = []
    closed: set[int] = set()
    poscaps: set[int] = set()
    i = 0
    while i < n:
        c = p[i]
        if c == 0x28:
            if ncap >= MAXCAPTURES:
                return None
            ncap += 1
            if i + 1 < n and p[i + 1] == 0x29:
                poscaps.add(ncap)
                out.append(b"()")
                i += 2
            else:
                opened.append(ncap)
                out.append(b"(")
                i += 1
            continue
        if c == 0x29:
            if not opened:
                return None
            closed.add(opened.pop())
            out.append(b")")
            i += 1
            continue
        if c == 0x24 and i == n - 1:
            out.append(rb"\Z")
            i += 1
            continue
        if c == L_ESC:
            if i + 1 >= n:
                return None
            d = p[i + 1]
            if d == 0x62:  # %b: left to the reference matcher
                return None
            if d == 0x66:  # %f[set]: lookarounds, where both string ends read as '\0'
                if i + 2 >= n or p[i + 2] != 0x5B:
                    return None
                ep = _safe_classend(p, i + 2)
                if ep is None:
                    return None
                tab = item_table(p[i + 2:ep])
                atom = _render(tab)
                if tab[0]:
                    out.append(b"(?<=" + _render(bytes(1 - b for b in tab)) + b")")
                    out.append(b"(?=" + atom + rb"|\Z)")
                else:
                    out.append(b"(?<!" + atom + b")(?=" + atom + b")")
                i = ep
                continue
            if ISDIGIT[d]:
                k = d - 0x30
                if k not in closed:
                    return None
                out.append(b"(?:\\%d)" % k)
                i += 2
                continue
        ep = _safe_classend(p, i)
        if ep is None:
            return None
        atom = _render(item_table(p[i:ep]))
        suf = p[ep] if ep < n else 0
        if suf in (0x2A, 0x2B, 0x3F):
            out.append(atom + bytes([suf]))
            i = ep + 1
        elif suf == 0x2D:
            out.append(atom + b"*?")
            i = ep + 1
        else:
            out.append(atom)
            i = ep
    if opened:
        return None
    try:
        rx = re.compile(b"".join(out))
    except (re.error, RecursionError, OverflowError):
        return None
    return rx, ncap, frozenset(poscaps)


_COMPILED: dict[bytes, tuple[re.Pattern, int, frozenset] | None] = {}


def compiled(p: bytes) -> tuple[re.Pattern, int, frozenset] | None:
    try:
        return _COMPILED[p]
    except KeyError:
        pass
    r = _compile_re(p)
    if len(_COMPILED) > 2048:
        _COMPILED.clear()
    _COMPILED[p] = r
    return r


class _ReMatcher:
    """Same interface as _SlowMatcher, backed by an equivalent compiled regex."""

    __slots__ = ("level", "m", "poscaps", "rx", "src", "src_end")

    def __init__(self, src: bytes, rx: re.Pattern, ncap: int, poscaps: frozenset) -> None:
        self.src = src
        self.src_end = len(src)
        self.rx = rx
        self.level = ncap
        self.poscaps = poscaps
        self.m: re.Match | None = None

    def __reduce__(self) -> tuple:
        """Picklable (a state snapshot may hold a gmatch iterator): drop the last match."""
        return (_ReMatcher, (self.src, self.rx, self.level, self.poscaps))

    def match(self, s: int) -> int | None:
        if s > self.src_end:
            return None
        m = self.rx.match(self.src, s)
        if m is None:
            return None
        self.m = m
        return m.end()

    def search(self, s: int) -> tuple[int, int] | None:
        if s > self.src_end:
            return None
        m = self.rx.search(self.src, s)
        if m is None:
            if self.src_end - s >= 4096:
                charge((self.src_end - s) >> 8)  # a long scan counts as steps
            return None
        self.m = m
        if m.end() - s >= 4096:
            charge((m.end() - s) >> 8)
        return m.span()

    def get_capture(self, i: int, s: int, e: int) -> bytes | int:
        if i >= self.level:
            if i != 0:
                raise rt_error(f"invalid capture index %{i + 1}")
            return self.src[s:e]
        m = self.m
        assert m is not None
        if i + 1 in self.poscaps:
            return m.start(i + 1) + 1
        return m.group(i + 1)

    def captures(self, s: int, e: int, whole: bool) -> tuple:
        if self.level == 0:
            return (self.src[s:e],) if whole else ()
        m = self.m
        assert m is not None
        if not self.poscaps:
            return m.groups()
        return tuple(self.get_capture(i, s, e) for i in range(self.level))


Matcher = _SlowMatcher | _ReMatcher
ReMatcher = _ReMatcher


USE_RE = True  # tests turn the fast path off to exercise the reference matcher alone


def matcher(src: bytes, pat: bytes, fast: bool = True) -> Matcher:
    """A matcher of `pat` (anchor already removed) over `src`.

    Python's `re` cannot be interrupted, and a backtracking pattern can take
    time polynomial in the subject's length (lua5.4's own matcher too): for a
    runtime with limits, `re` is used only where the worst case is small; the
    reference matcher counts its work as steps."""
    if fast and USE_RE:
        c = compiled(pat)
        if c is not None and (state.current.limits is None
                              or _bounded(pat, src)):
            return _ReMatcher(src, c[0], c[1], c[2])
    return _SlowMatcher(src, pat)


RE_WORK = 10_000_000  # the most backtracking (estimated) one `re` search may do under limits: ~0.1-0.2 s


def _bounded(pat: bytes, src: bytes) -> bool:
    """Whether one search of pat in src is cheap in the worst case (the scan
    itself is linear and charged as steps). A repetition (`*`, `+`, `-`)
    makes a backtracker retry only when something after it can fail: with one
    such repetition, the retries stay within the runs of its class in src (at
    most the sum of the squares of the runs' lengths); with several, each can
    multiply the work by len(src); each `?` item can double it."""
    k, atom, nopt = _risk(pat)
    if k == 0:
        return nopt <= 16
    if k == 1:
        return _run_cost(atom, src) << min(nopt, 40) <= RE_WORK
    work = 1 << min(nopt, 40)
    for _ in range(k + 1):
        work *= len(src) + 1
        if work > RE_WORK:
            return False
    return True


_RISK: dict[bytes, tuple[int, bytes, int]] = {}


def _risk(p: bytes) -> tuple[int, bytes, int]:
    """(repetitions that can backtrack, the regex atom of the last of them,
    optional items) for a pattern _compile_re accepted."""
    r = _RISK.get(p)
    if r is not None:
        return r
    items: list[tuple[bool, bool, bytes]] = []  # (repeats, can fail, atom)
    nopt = 0
    n = len(p)
    i = 0
    while i < n:
        c = p[i]
        if c == 0x28 or c == 0x29:
            i += 1
            continue
        if c == 0x24 and i == n - 1:
            items.append((False, True, b""))
            i += 1
            continue
        if c == L_ESC and i + 1 < n and (p[i + 1] == 0x66 or ISDIGIT[p[i + 1]]):
            ep = _safe_classend(p, i + 2) if p[i + 1] == 0x66 else i + 2
            items.append((False, True, b""))
            i = ep if ep is not None else n
            continue
        ep = _safe_classend(p, i)
        if ep is None:
            break
        suf = p[ep] if ep < n else 0
        atom = _render(item_table(p[i:ep]))
        if suf in (0x2A, 0x2B, 0x2D):
            items.append((True, suf == 0x2B, atom))
            i = ep + 1
        elif suf == 0x3F:
            nopt += 1
            i = ep + 1
        else:
            items.append((False, True, atom))
            i = ep
    k = 0
    last = b""
    for j, (rep, _f, atom) in enumerate(items):
        if rep and any(f for _r, f, _a in items[j + 1:]):
            k += 1
            last = atom
    r = _RISK[p] = (k, last, nopt)
    if len(_RISK) > 2048:
        _RISK.clear()
    return r


_RUNS: list[Any] = [None, b"", b"", 0]  # the last (src, atom) whose runs were measured, and the cost


def _run_cost(atom: bytes, src: bytes) -> int:
    """The sum of the squares of the lengths of the runs of atom's class in src."""
    last = _RUNS
    if last[1] is src and last[2] == atom:
        return last[3]
    cost = 0
    for m in re.finditer(atom + b"+", src):
        ln = m.end() - m.start()
        cost += ln * ln
    last[0], last[1], last[2], last[3] = None, src, atom, cost
    return cost


def next_match(m: Matcher, src: int, lastmatch: int) -> tuple[int, int] | None:
    """Next match at or after src whose end differs from lastmatch (gmatch/gsub rule)."""
    while True:
        r = m.search(src)
        if r is None:
            return None
        if r[1] != lastmatch:
            return r
        src = r[0] + 1
