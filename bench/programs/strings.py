"""Strings: building text with %-formatting and str.join, then regular-expression
work on it: finditer, sub (function and template replacements), str.find,
slicing/upper/lower/ord/repetition. The same patterns as the Lua version."""

import re

SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "xe", "zu"]
M = 1000000007

WORD_RE = re.compile(r"[A-Za-z]+")
NUM_RE = re.compile(r"[0-9]+")
KV_RE = re.compile(r"([A-Za-z]+)=([0-9]+)")
UPPER_SEMI_RE = re.compile(r"([A-Z]+);")
TAG_RE = re.compile(r"<[A-Z]+>")
LINE_RE = re.compile(r"[^\n]+")


def bench(n):
    seed = 42

    def rnd(m):
        nonlocal seed
        seed = (seed * 1103515245 + 12345) % 2147483648
        return seed % m

    # build the text
    lines = []
    nsyl = len(SYLLABLES)
    for i in range(1, n + 1):
        word = "".join([SYLLABLES[rnd(nsyl)] for _ in range(rnd(3) + 2)])
        lines.append("%05d:%s=%d,%s;" % (i, word, rnd(1000), word.upper()))
    text = "\n".join(lines)

    # words (runs of letters)
    nwords = wlen = 0
    for m in WORD_RE.finditer(text):
        nwords += 1
        wlen += len(m.group())

    # numbers replaced through a function
    replaced, nrep = NUM_RE.subn(lambda m: str(int(m.group()) * 2 + 1), text)

    # captures
    vsum = 0
    for k, v in KV_RE.findall(text):
        vsum += len(k) * int(v)

    # plain find
    found = 0
    pos = 0
    while True:
        s = text.find("kalo", pos)
        if s < 0:
            break
        found += 1
        pos = s + 4

    # template replacement, then count the results
    tagged = UPPER_SEMI_RE.sub(r"<\1>", replaced)
    ntags = 0
    for _ in TAG_RE.finditer(tagged):
        ntags += 1

    # split into lines, slice, case-map, rejoin
    parts = []
    for m in LINE_RE.finditer(tagged):
        line = m.group()
        parts.append(line[:8].lower() + line[-4:] + "-" * (len(line) % 3))
    joined = "|".join(parts)

    # hash of every 7th byte
    h = 0
    for c in joined[::7]:
        h = (h * 31 + ord(c)) % M

    return "%d %d %d %d %d %d %d %d %d %d" % (
        len(text), nwords, wlen, nrep, len(replaced), vsum, found, ntags, len(joined), h)
