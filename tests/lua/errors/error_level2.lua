local function lvl(n)
  if n == 0 then error("deep error", 2) end
  return lvl(n - 1) + 0
end
print("recursing")
lvl(3)
