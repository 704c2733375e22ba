-- // and % floor semantics
local vals = {7, -7, 3, -3, 0, 1, -1}
for _, a in ipairs({7, -7, 0, 13, -13}) do
  for _, b in ipairs({3, -3, 1, -1, 5, -5}) do
    print(a, b, a // b, a % b, a / b)
  end
end
for _, a in ipairs({7.5, -7.5, 0.0, 5.25, -5.25}) do
  for _, b in ipairs({2, -2, 0.5, -0.5, 3}) do
    print(a, b, a // b, a % b)
  end
end
print(pcall(function() return 1 // 0 end))
print(pcall(function() return 1 % 0 end))
print(pcall(function() local z = 0; return 5 // z end))
print(1.0 // 0, -1.0 // 0, 0.0 // 0 ~= 0.0 // 0)
print(1 // 0.0, -1 // 0.0)
print(1.0 % 0 ~= 1.0 % 0)
print(5 % math.huge, -5 % math.huge, 5 % -math.huge, -5 % -math.huge)
print(5.0 // math.huge, -5.0 // math.huge)
print(math.type(7 // 2), math.type(7.0 // 2), math.type(7 % 2), math.type(7 % 2.0))
print(3 % -2, -3 % 2, 3.0 % -2, -3.0 % 2)
print(5.3 % 2, -5.3 % 2)
print(math.mininteger // -1, math.mininteger % -1)
print(2^2, 2^0.5, (-8)^(1/3) ~= (-8)^(1/3), 2^-1, math.type(2^2))
print(10 / 2, math.type(10/2), 1 / 3, -1 / 3)
