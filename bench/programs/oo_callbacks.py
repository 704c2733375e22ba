"""Method calls through closures stored in fields (see oo_callbacks.lua)."""


class Obj:
    """A plain attribute bag, as Python code holding closures in fields uses."""


def make_account(id):
    self = Obj()
    self.id = id
    self.balance = 0
    self.ops = 0

    def deposit(v):
        self.balance = self.balance + v
        self.ops += 1

    def withdraw(v):
        if v > self.balance:
            return False
        self.balance = self.balance - v
        self.ops += 1
        return True

    def get():
        return self.balance

    self.deposit = deposit
    self.withdraw = withdraw
    self.get = get
    return self


class Emitter:
    __slots__ = ("listeners", "fired")

    def __init__(self):
        self.listeners = []
        self.fired = 0

    def on(self, fn):
        self.listeners.append(fn)

    def emit(self, a, b):
        for fn in self.listeners:
            fn(a, b)
        self.fired += 1


def strategy(kind):
    s = Obj()
    s.kind = kind
    s.weight = kind * 3 + 1
    s.hits = 0
    if kind % 3 == 0:
        def score(self, x):
            self.hits += 1
            return x * self.weight % 1009
    elif kind % 3 == 1:
        def score(self, x):
            self.hits += 1
            return (x + self.weight) % 1009
    else:
        def score(self, x):
            self.hits += 1
            return (x ^ self.weight) % 1009
    s.score = score
    return s


def stage(f, nxt):
    st = Obj()
    st.count = 0

    def push(v):
        st.count += 1
        r = f(v)
        if nxt is not None:
            return nxt.push(r)
        return r

    st.push = push
    return st


def bench(n):
    accounts = [make_account(i) for i in range(1, 51)]
    em = Emitter()
    moved = 0

    def l1(i, v):
        accounts[i % 50].deposit(v)

    def l2(i, v):
        nonlocal moved
        if accounts[(i * 7) % 50].withdraw(v // 2):
            moved += 1

    def l3(i, v):
        if i % 10 == 0:
            accounts[0].deposit(1)

    em.on(l1)
    em.on(l2)
    em.on(l3)
    strategies = [strategy(k) for k in range(1, 10)]
    pipe = stage(lambda v: v * 3, stage(lambda v: v + 7, stage(lambda v: v % 1000, None)))
    total = 0
    for r in range(1, n + 1):
        em.emit(r, r % 100)
        s = strategies[r % 9]
        total = (total + s.score(s, r) + pipe.push(r)) % 1000000007
    for i, a in enumerate(accounts, 1):
        total = (total + a.get() * i + a.ops) % 1000000007
    hits = sum(s.hits for s in strategies)
    return "%d %d %d %d" % (total, moved, em.fired, hits)
