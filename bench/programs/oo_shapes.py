"""Polymorphic dispatch over a class hierarchy three levels deep (see oo_shapes.lua)."""


class Shape:
    sides = None

    def __init__(self, name, x, y):
        self.name = name
        self.x = x
        self.y = y

    def area(self):
        return 0

    def perimeter(self):
        return 0

    def move(self, dx, dy):
        self.x += dx
        self.y += dy

    def weight(self):
        return self.area() * 2 + self.perimeter()

    def kind(self):
        return 1


class Polygon(Shape):
    def __init__(self, name, x, y, sides):
        super().__init__(name, x, y)
        self.sides = sides

    def kind(self):
        return 2

    def corners(self):
        return self.sides


class Rect(Polygon):
    def __init__(self, x, y, w, h):
        super().__init__("rect", x, y, 4)
        self.w = w
        self.h = h

    def area(self):
        return self.w * self.h

    def perimeter(self):
        return 2 * (self.w + self.h)

    def scale(self, k):
        self.w *= k
        self.h *= k


class Square(Rect):
    def __init__(self, x, y, s):
        super().__init__(x, y, s, s)
        self.name = "square"

    def kind(self):
        return 3 + Rect.kind(self)


class Triangle(Polygon):
    def __init__(self, x, y, a, b, c):
        super().__init__("triangle", x, y, 3)
        self.a = a
        self.b = b
        self.c = c

    def perimeter(self):
        return self.a + self.b + self.c

    def area(self):
        return (self.a * self.b) // 2

    def scale(self, k):
        self.a *= k
        self.b *= k
        self.c *= k


class Ellipse(Shape):
    def __init__(self, x, y, rx, ry):
        super().__init__("ellipse", x, y)
        self.rx = rx
        self.ry = ry

    def area(self):
        return 3 * self.rx * self.ry

    def perimeter(self):
        return 3 * (self.rx + self.ry)

    def scale(self, k):
        self.rx *= k
        self.ry *= k

    def kind(self):
        return 5


class Circle(Ellipse):
    def __init__(self, x, y, r):
        super().__init__(x, y, r, r)
        self.name = "circle"

    def kind(self):
        return Ellipse.kind(self) + 1


def make(i):
    m = i % 5
    s = i % 7 + 1
    if m == 0:
        return Rect(i, -i, s, s + 1)
    elif m == 1:
        return Square(-i, i, s)
    elif m == 2:
        return Triangle(i, i, s, s + 1, s + 2)
    elif m == 3:
        return Ellipse(0, i, s, s + 2)
    return Circle(i, 0, s)


def bench(n):
    shapes = [make(i) for i in range(1, 201)]
    total = 0
    for r in range(1, n + 1):
        for s in shapes:
            total = total + s.weight() + s.kind()
            s.move(1, -1)
            if s.sides is not None:
                total += s.corners()
        if r % 50 == 0:
            for s in shapes:
                s.scale(2)
                s.scale(1)
                total = (total + s.x - s.y) % 1000000007
            for i in range(1, len(shapes) + 1, 7):
                shapes[i - 1] = make(i + r)
    return total % 1000000007
