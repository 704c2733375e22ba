"""JSON: an encoder and a recursive-descent decoder written by hand (not the
json module), run over a generated document (objects, arrays, strings with
escapes, integers, floats, booleans, null). Encode -> decode -> re-encode must
round-trip. The same algorithm as the Lua version."""

import re

ESCAPES = {
    '"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f",
    "\n": "\\n", "\r": "\\r", "\t": "\\t",
}
UNESCAPES = {
    '"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t",
}

ESCAPE_RE = re.compile(r'[\x00-\x1f\x7f"\\]')
NONSPACE_RE = re.compile(r"[^ \t\r\n]")
STRING_STOP_RE = re.compile(r'["\\]')
NUMBER_RE = re.compile(r"-?[0-9]+\.?[0-9]*[eE]?[-+]?[0-9]*")
FLOAT_CHARS_RE = re.compile(r"[.eE]")


def escape_char(m):
    c = m.group()
    return ESCAPES.get(c) or "\\u%04x" % ord(c)


def encode_string(s):
    return '"' + ESCAPE_RE.sub(escape_char, s) + '"'


def encode_value(v, buf):
    if isinstance(v, str):
        buf.append(encode_string(v))
    elif v is True:
        buf.append("true")
    elif v is False:
        buf.append("false")
    elif isinstance(v, int):
        buf.append(str(v))
    elif isinstance(v, float):
        buf.append("%.14g" % v)
    elif v is None:
        buf.append("null")
    elif isinstance(v, list):
        buf.append("[")
        for i, x in enumerate(v):
            if i > 0:
                buf.append(",")
            encode_value(x, buf)
        buf.append("]")
    elif isinstance(v, dict):
        buf.append("{")
        for i, k in enumerate(sorted(v)):
            if i > 0:
                buf.append(",")
            buf.append(encode_string(k))
            buf.append(":")
            encode_value(v[k], buf)
        buf.append("}")
    else:
        raise TypeError("cannot encode a %s" % type(v).__name__)


def encode(v):
    buf = []
    encode_value(v, buf)
    return "".join(buf)


def skip_ws(s, pos):
    m = NONSPACE_RE.search(s, pos)
    return m.start() if m else len(s)


def decode_string(s, pos):
    buf = []
    i = pos + 1
    while True:
        m = STRING_STOP_RE.search(s, i)
        if not m:
            raise ValueError("unterminated string at %d" % pos)
        j = m.start()
        if j > i:
            buf.append(s[i:j])
        if s[j] == '"':
            return "".join(buf), j + 1
        c = s[j + 1]
        if c == "u":
            buf.append(chr(int(s[j + 2:j + 6], 16)))
            i = j + 6
        else:
            try:
                buf.append(UNESCAPES[c])
            except KeyError:
                raise ValueError("bad escape at %d" % j) from None
            i = j + 2


def decode_number(s, pos):
    m = NUMBER_RE.match(s, pos)
    if not m:
        raise ValueError("bad number at %d" % pos)
    text = m.group()
    v = float(text) if FLOAT_CHARS_RE.search(text) else int(text)
    return v, m.end()


def decode_array(s, pos):
    arr = []
    pos = skip_ws(s, pos + 1)
    if s[pos] == "]":
        return arr, pos + 1
    while True:
        v, pos = decode_value(s, pos)
        arr.append(v)
        pos = skip_ws(s, pos)
        c = s[pos]
        if c == "]":
            return arr, pos + 1
        if c != ",":
            raise ValueError("expected ',' or ']' at %d" % pos)
        pos = skip_ws(s, pos + 1)


def decode_object(s, pos):
    obj = {}
    pos = skip_ws(s, pos + 1)
    if s[pos] == "}":
        return obj, pos + 1
    while True:
        if s[pos] != '"':
            raise ValueError("expected a key at %d" % pos)
        k, pos = decode_string(s, pos)
        pos = skip_ws(s, pos)
        if s[pos] != ":":
            raise ValueError("expected ':' at %d" % pos)
        pos = skip_ws(s, pos + 1)
        v, pos = decode_value(s, pos)
        obj[k] = v
        pos = skip_ws(s, pos)
        c = s[pos]
        if c == "}":
            return obj, pos + 1
        if c != ",":
            raise ValueError("expected ',' or '}' at %d" % pos)
        pos = skip_ws(s, pos + 1)


def decode_value(s, pos):
    c = s[pos]
    if c == "{":
        return decode_object(s, pos)
    if c == "[":
        return decode_array(s, pos)
    if c == '"':
        return decode_string(s, pos)
    if c == "t" and s.startswith("true", pos):
        return True, pos + 4
    if c == "f" and s.startswith("false", pos):
        return False, pos + 5
    if c == "n" and s.startswith("null", pos):
        return None, pos + 4
    return decode_number(s, pos)


def decode(s):
    v, pos = decode_value(s, skip_ws(s, 0))
    pos = skip_ws(s, pos)
    if pos < len(s):
        raise ValueError("trailing garbage at %d" % pos)
    return v


def make_doc(n):
    seed = 12345

    def rnd(m):
        nonlocal seed
        seed = (seed * 1103515245 + 12345) % 2147483648
        return (seed >> 4) % m

    items = []
    for i in range(1, n + 1):
        suffix = ""
        if rnd(4) == 0:
            suffix = ' "quoted"\n\ttab\\' + chr(1 + rnd(30))
        price = rnd(100000) / 100
        tag1, tag2 = "t%d" % rnd(10), "t%d" % rnd(10)
        active = rnd(2) == 1
        ratio = (rnd(1000) + 1) / 7
        level = rnd(5)
        v1, v2, v3 = rnd(10), rnd(1000) - 500, rnd(10) * 1e6
        items.append({
            "id": i,
            "name": "item%d%s" % (i, suffix),
            "price": price,
            "tags": [tag1, tag2],
            "active": active,
            "ratio": ratio,
            "nested": {"level": level, "values": [v1, v2, v3], "note": None},
        })
    return {"version": 1, "generator": "luavm-bench", "items": items, "empty": []}


def checksum(doc):
    ids = active = chars = 0
    price = 0.0
    for it in doc["items"]:
        ids += it["id"]
        if it["active"]:
            active += 1
        price += it["price"]
        chars += len(it["name"])
        for v in it["nested"]["values"]:
            ids += v
    return "%d %d %.2f %d" % (ids, active, price, chars)


def bench(n):
    doc = make_doc(n)
    for _ in range(3):
        text = encode(doc)
        back = decode(text)
        again = encode(back)
        if again != text:
            raise AssertionError("json round trip mismatch")
        total = checksum(back)
    return "%d %s" % (len(text), total)
