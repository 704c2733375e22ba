-- division by zero keeps the sign of a NaN dividend; 0/0 gives x86's -nan
local pn, nn = -(0/0), 0/0
print(pn / 0, nn / 0, pn // 0, nn // 0, pn / 0.0, pn // -0.0, 0 / 0, 0.0 // 0)
print((math.fmod(0.0, 0) ^ -1) // 0, 1 / pn, pn / pn, nn / pn)
