-- string.find: the inline common case (string subject and pattern, init in range, plain or a
-- regex-able pattern) against every init, plain flag and pattern kind
local s = "hello world"
local function show(...) local t = table.pack(...) for i = 1, t.n do t[i] = tostring(t[i]) end return table.concat(t, ",") end
for _, init in ipairs({1, 2, 0, -1, -3, -100, 11, 12, 13, 2.0, "3"}) do
  for _, plain in ipairs({false, true, 1, "x"}) do
    io.write(show(s:find("o", init, plain)), " ", show(s:find("o w", init, plain)), " ", show(s:find("", init, plain)), " ",
      show(s:find("(l+)", init, plain)), " ", show(s:find("%a+", init, plain)), " ", show(s:find("^h", init, plain)), " | ")
  end
  print(show(s:find("l", init)), show(s:find("[aeiou]", init)), show(s:find("", init)), show(s:find("(o)(r?)", init)))
end
print(pcall(s.find, s, "o", 1.5), pcall(s.find, s, "%"), pcall(s.find, s, nil), show(("x"):find("x", nil, nil)))
print(show(("a.b"):find(".", 1, true)), show(("a.b"):find("%.", 1)), show((""):find("")), show((""):find("", 2)), show(("abc"):find("c", 4)))
