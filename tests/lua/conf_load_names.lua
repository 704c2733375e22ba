-- chunk names and texts with odd bytes; '#' lines are skipped only in files
local f = load("return 1 + 1", "name\0with\nnul")
print(f())
print(load("return 'a\0b'")() == "a\0b", #load("return 'a\0b'")())
print(load("x = \"\0\""))
print(select(2, load("#=1", "=hash")))
print(select(2, load("\xef\xbb\xbfreturn 1", "=bom")))
local s = "return ...\n\0"
print(select(2, load(s)))
print(load("local a <const> = '\0\1\2\255' return #a")())
