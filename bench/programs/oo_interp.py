"""A visitor/interpreter over an AST of objects (see oo_interp.lua)."""


class Node:
    __slots__ = ()

    def size(self):
        return 1


class Num(Node):
    __slots__ = ("value",)

    def __init__(self, v):
        self.value = v

    def eval(self, env):
        return self.value

    def accept(self, v):
        return v.visit_num(self)


class Var(Node):
    __slots__ = ("slot",)

    def __init__(self, slot):
        self.slot = slot

    def eval(self, env):
        return env[self.slot]

    def accept(self, v):
        return v.visit_var(self)


class Bin(Node):
    __slots__ = ("left", "right")

    def __init__(self, left, right):
        self.left = left
        self.right = right

    def size(self):
        return 1 + self.left.size() + self.right.size()


class Add(Bin):
    __slots__ = ()

    def eval(self, env):
        return (self.left.eval(env) + self.right.eval(env)) % 1000003

    def accept(self, v):
        return v.visit_add(self)


class Sub(Bin):
    __slots__ = ()

    def eval(self, env):
        return (self.left.eval(env) - self.right.eval(env)) % 1000003

    def accept(self, v):
        return v.visit_sub(self)


class Mul(Bin):
    __slots__ = ()

    def eval(self, env):
        return (self.left.eval(env) * self.right.eval(env)) % 1000003

    def accept(self, v):
        return v.visit_mul(self)


class Lt(Bin):
    __slots__ = ()

    def eval(self, env):
        return 1 if self.left.eval(env) < self.right.eval(env) else 0

    def accept(self, v):
        return v.visit_lt(self)


class If(Node):
    __slots__ = ("cond", "yes", "no")

    def __init__(self, c, a, b):
        self.cond = c
        self.yes = a
        self.no = b

    def eval(self, env):
        if self.cond.eval(env) != 0:
            return self.yes.eval(env)
        return self.no.eval(env)

    def size(self):
        return 1 + self.cond.size() + self.yes.size() + self.no.size()

    def accept(self, v):
        return v.visit_if(self)


class Let(Node):
    __slots__ = ("slot", "expr", "body")

    def __init__(self, slot, e, body):
        self.slot = slot
        self.expr = e
        self.body = body

    def eval(self, env):
        old = env[self.slot]
        env[self.slot] = self.expr.eval(env)
        r = self.body.eval(env)
        env[self.slot] = old
        return r

    def size(self):
        return 1 + self.expr.size() + self.body.size()

    def accept(self, v):
        return v.visit_let(self)


class Counter:
    __slots__ = ("nums", "vars", "ops", "depth", "maxdepth")

    def __init__(self):
        self.nums = 0
        self.vars = 0
        self.ops = 0
        self.depth = 0
        self.maxdepth = 0

    def enter(self):
        self.depth += 1
        if self.depth > self.maxdepth:
            self.maxdepth = self.depth

    def leave(self):
        self.depth -= 1

    def visit_num(self, n):
        self.nums += 1
        return n.value

    def visit_var(self, n):
        self.vars += 1
        return n.slot

    def binary(self, n, k):
        self.enter()
        self.ops += 1
        a = n.left.accept(self)
        b = n.right.accept(self)
        self.leave()
        return (a * k + b) % 1000003

    def visit_add(self, n):
        return self.binary(n, 3)

    def visit_sub(self, n):
        return self.binary(n, 5)

    def visit_mul(self, n):
        return self.binary(n, 7)

    def visit_lt(self, n):
        return self.binary(n, 11)

    def visit_if(self, n):
        self.enter()
        r = n.cond.accept(self) + n.yes.accept(self) * 2 + n.no.accept(self) * 3
        self.leave()
        return r % 1000003

    def visit_let(self, n):
        self.enter()
        r = n.expr.accept(self) * 13 + n.body.accept(self)
        self.leave()
        return r % 1000003


def build(depth, seed):
    seed = (seed * 1103515245 + 12345) % 2147483648
    if depth == 0:
        if seed % 3 == 0:
            return Num(seed % 100), seed
        return Var(seed % 4 + 1), seed
    k = seed % 6
    a, seed = build(depth - 1, seed)
    b, seed = build(depth - 1, seed)
    if k == 0:
        return Add(a, b), seed
    elif k == 1:
        return Sub(a, b), seed
    elif k == 2:
        return Mul(a, b), seed
    elif k == 3:
        c, seed = build(depth - 1, seed)
        return If(Lt(a, b), c, Add(a, c)), seed
    elif k == 4:
        return Let(seed % 4 + 1, a, b), seed
    return Add(Mul(a, Num(3)), b), seed


def bench(n):
    trees = []
    seed = 7
    for _ in range(20):
        t, seed = build(7, seed)
        trees.append(t)
    total = 0
    env = [None, 1, 2, 3, 4]  # slots 1..4
    for r in range(1, n + 1):
        t = trees[r % len(trees)]
        env[1] = r % 97
        env[2] = r % 13
        total = (total + t.eval(env)) % 1000000007
        if r % 4 == 0:
            c = Counter()
            total = (total + t.accept(c) + c.nums + c.vars * 3 + c.ops * 5 + c.maxdepth) % 1000000007
        if r % 16 == 0:
            total = (total + t.size()) % 1000000007
    return total
