local a = [[
first line
second "line" with 'quotes' and \n no escapes]]
print(a)
print(#a)
local b = [==[
contains ]] and ]=] but ends here]==]
print(b)
local c = [=[]=]
print(#c, c == "")
local d = --[[ inline comment ]] 5
print(d)
--[==[ multi
line ]] comment
]==]
print("after comment")
print("\z
      continued", "x\z y")
print("\u{0}" == "\0", "\u{41}\u{042}\u{0043}")
print('\'', "\"", '\\', "\x00" == "\0")
local t = {"\a", "\b", "\f", "\n", "\r", "\t", "\v", "\\", "\"", "\'"}
for i, v in ipairs(t) do io.write(v:byte(), " ") end print()
print(string.format("%q", "\a\b\f\n\r\t\v\\\"\'"))
print([[
]] == "", [[

]] == "\n")
local crlf = load("return [[\r\nx]]")()
print(#crlf, crlf:byte(1, -1))
print(load("return '\\65\\t\\x41'")())
print(load("return \"a\\\nb\"")() == "a\nb")
print(select(2, load("return '\\300'")))
print(select(2, load("return '\\xZZ'")))
print(select(2, load("return '\\u{110000000}'")))
print(select(2, load("return 'abc")))
print(select(2, load("return [[abc")))
print(select(2, load("return '\\q'")))
