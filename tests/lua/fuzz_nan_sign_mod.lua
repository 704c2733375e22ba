-- float % keeps the sign of a NaN operand (x86 fmod returns it), while
-- invalid operations (inf % x, x % 0.0) give the negative default NaN
local pn, nn = -(0/0), 0/0
print(0.0 % pn, 0.0 % nn, 1 % pn, pn % 1, nn % 1, pn % nn, nn % pn)
print(1/0 % 1, -1/0 % 2, 1 % 0.0, -3 % -0.0, 5.5 % 1/0)
print(math.fmod(1, pn), math.fmod(pn, 1), math.fmod(nn, 2))
