"""Linked structures of small objects: list, tree, graph (see oo_linked.lua)."""


class ListNode:
    __slots__ = ("value", "prev", "next")

    def __init__(self, v):
        self.value = v
        self.prev = None
        self.next = None


class List:
    __slots__ = ("head", "tail", "size")

    def __init__(self):
        self.head = None
        self.tail = None
        self.size = 0

    def push(self, v):
        node = ListNode(v)
        t = self.tail
        if t is not None:
            t.next = node
            node.prev = t
        else:
            self.head = node
        self.tail = node
        self.size += 1

    def shift(self):
        h = self.head
        if h is None:
            return None
        self.head = h.next
        if self.head is not None:
            self.head.prev = None
        else:
            self.tail = None
        self.size -= 1
        return h.value

    def sum(self):
        s = 0
        node = self.head
        while node is not None:
            s += node.value
            node = node.next
        return s


class Tree:
    __slots__ = ("key", "left", "right", "count")

    def __init__(self, key):
        self.key = key
        self.left = None
        self.right = None
        self.count = 1

    def insert(self, key):
        node = self
        while True:
            if key == node.key:
                node.count += 1
                return
            elif key < node.key:
                if node.left is not None:
                    node = node.left
                else:
                    node.left = Tree(key)
                    return
            else:
                if node.right is not None:
                    node = node.right
                else:
                    node.right = Tree(key)
                    return

    def find(self, key):
        node = self
        while node is not None:
            if key == node.key:
                return node.count
            node = node.left if key < node.key else node.right
        return 0

    def walk(self, acc):
        if self.left is not None:
            acc = self.left.walk(acc)
        acc = (acc * 31 + self.key * self.count) % 1000000007
        if self.right is not None:
            acc = self.right.walk(acc)
        return acc


class Node:
    __slots__ = ("id", "edges", "dist")

    def __init__(self, id):
        self.id = id
        self.edges = []
        self.dist = -1

    def connect(self, other):
        self.edges.append(other)


def bfs(nodes, start):
    for node in nodes:
        node.dist = -1
    q = List()
    start.dist = 0
    q.push(start)
    far = 0
    while q.size > 0:
        node = q.shift()
        d = node.dist + 1
        for o in node.edges:
            if o.dist < 0:
                o.dist = d
                if d > far:
                    far = d
                q.push(o)
    return far


def bench(n):
    total = 0
    lst = List()
    for i in range(1, 1001):
        lst.push(i)
    for r in range(1, n * 20 + 1):
        lst.push((lst.shift() * 7 + r) % 1000)
    total += lst.sum()
    seed = 42
    t = Tree(500)
    for _ in range(n * 10):
        seed = (seed * 1103515245 + 12345) % 2147483648
        t.insert(seed % 5000)
    for k in range(0, 5000, 3):
        total += t.find(k)
    total += t.walk(0)
    gn = 400
    nodes = [Node(i) for i in range(1, gn + 1)]
    for i in range(1, gn + 1):
        nodes[i - 1].connect(nodes[i % gn])
        nodes[i - 1].connect(nodes[(i * 7) % gn])
        nodes[i - 1].connect(nodes[(i * 13 + 5) % gn])
    for s in range(1, n // 20 + 1):
        total += bfs(nodes, nodes[(s * 17) % gn])
    return total % 1000000007
