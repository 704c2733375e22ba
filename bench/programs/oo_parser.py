"""A parser object with a cursor field (see oo_parser.lua)."""


class Parser:
    __slots__ = ("src", "pos", "len", "vars", "tokens")

    def __init__(self, src, vars):
        self.src = src
        self.pos = 0
        self.len = len(src)
        self.vars = vars
        self.tokens = 0

    def peek(self):
        src, pos = self.src, self.pos
        n = self.len
        while pos < n and src[pos] == " ":
            pos += 1
        self.pos = pos
        return src[pos] if pos < n else None

    def advance(self):
        self.pos += 1
        self.tokens += 1

    def expect(self, c):
        if self.peek() != c:
            raise SyntaxError("expected %s at %d" % (c, self.pos))
        self.advance()

    def number(self):
        v = 0
        src = self.src
        while self.pos < self.len and "0" <= src[self.pos] <= "9":
            v = v * 10 + (ord(src[self.pos]) - 48)
            self.pos += 1
        self.tokens += 1
        return v

    def name(self):
        start = self.pos
        src = self.src
        while self.pos < self.len and "a" <= src[self.pos] <= "z":
            self.pos += 1
        self.tokens += 1
        return src[start:self.pos]

    def primary(self):
        c = self.peek()
        if c == "(":
            self.advance()
            v = self.expr()
            self.expect(")")
            return v
        elif c == "-":
            self.advance()
            return (-self.primary()) % 1000003
        elif "0" <= c <= "9":
            return self.number()
        return self.vars.get(self.name(), 0)

    def term(self):
        v = self.primary()
        while True:
            c = self.peek()
            if c == "*":
                self.advance()
                v = v * self.primary() % 1000003
            elif c == "%":
                self.advance()
                v = v % (self.primary() + 1)
            else:
                return v

    def expr(self):
        v = self.term()
        while True:
            c = self.peek()
            if c == "+":
                self.advance()
                v = (v + self.term()) % 1000003
            elif c == "-":
                self.advance()
                v = (v - self.term()) % 1000003
            else:
                return v

    def statement(self):
        save = self.pos
        c = self.peek()
        if "a" <= c <= "z":
            n = self.name()
            if self.peek() == "=":
                self.advance()
                v = self.expr()
                self.vars[n] = v
                return v
            self.pos = save
        return self.expr()

    def program(self):
        acc = 0
        while self.peek() is not None:
            acc = (acc * 7 + self.statement()) % 1000000007
            if self.peek() == ";":
                self.advance()
        return acc


NAMES = ["a", "b", "cnt", "x", "y", "total", "k"]
OPS = [" + ", " - ", "*", " % ", " * "]


def gen(seed, depth, out):
    seed = (seed * 1103515245 + 12345) % 2147483648
    k = seed % 7
    if depth == 0 or k == 0:
        if seed % 2 == 0:
            out.append(str(seed % 1000))
        else:
            out.append(NAMES[seed % len(NAMES)])
        return seed
    if k == 1:
        out.append("(")
        seed = gen(seed, depth - 1, out)
        out.append(")")
        return seed
    if k == 2:
        out.append("-")
        return gen(seed, depth - 1, out)
    seed = gen(seed, depth - 1, out)
    out.append(OPS[k - 3])
    return gen(seed, depth - 1, out)


def bench(n):
    sources = []
    seed = 11
    for i in range(1, 31):
        out = []
        for s in range(1, 7):
            out.append(NAMES[(i + s) % len(NAMES)] + " = ")
            seed = gen(seed, 6, out)
            out.append("; ")
        seed = gen(seed, 5, out)
        sources.append("".join(out))
    total = 0
    tokens = 0
    for r in range(1, n + 1):
        vars = {"a": r % 10, "b": 3, "x": r % 7}
        p = Parser(sources[r % len(sources)], vars)
        total = (total + p.program()) % 1000000007
        tokens += p.tokens
    return "%d %d" % (total, tokens)
