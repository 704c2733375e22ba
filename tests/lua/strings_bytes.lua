print(#"é", #"\xff", #"日本語", #"")
print(("é"):byte(1, -1))
print(("\xff\x00\x01"):byte(1, -1))
print(#"a\0b", ("a\0b"):byte(2))
print("\65\066\0671", "\x41\x42", "\u{48}\u{49}")
print(#"\u{7FFFFFFF}", ("\u{7FFFFFFF}"):byte(1, -1))
print(#"\u{10FFFF}", ("\u{10FFFF}"):byte(1, -1))
print(#"\u{800}", ("\u{800}"):byte(1, -1))
print(#"\u{7F}", #"\u{80}", #"\u{FFFF}", #"\u{10000}", #"\u{200000}", #"\u{4000000}")
print("tab:\tend", "nl:\\n", "quote:\"'", 'single:\'"')
print("bell" .. "\a" == "bell\7", "\b" == "\8", "\f" == "\12", "\v" == "\11", "\r" == "\13")
print("a\z
       b", "c\z   d")
print("line1\
line2")
print([[long
string]], [==[with ]] inside]==], [=[
skip first newline]=])
print([[a\nb]], #[[
]], #[==[

]==])
print("\065\066\067", "\0651", "\1234")
print(("\0"):byte(), ("\255"):byte(), "\x7a\x7A")
print("a" < "b", "a" < "B", "abc" < "abd", "ab" < "abc", "" < "a", "Z" < "a", "a\0b" < "a\0c", "a\0" > "a")
print("10" < "9", "abc" == "abc", "abc" ~= "abd", "a" <= "a", "b" >= "a")
print(("\xe4\xb8\xad"):len(), string.len("\u{4e2d}"), "\u{4e2d}" == "\xe4\xb8\xad")
local s = ""
for i = 0, 255, 15 do s = s .. string.char(i) end
print(#s, s:byte(1, -1))
print(string.format("%q", "a\nb\0c\"d\\e\r\t\1\255"))
print(string.format("%q", 1/3), string.format("%q", 42), string.format("%q", math.mininteger))
print(("x"):rep(0), ("ab"):rep(3), ("ab"):rep(3, "-"), #("a"):rep(1000))
print(("hello"):upper(), ("HeLLo"):lower(), ("hello"):reverse(), ("\xff"):upper() == "\xff")
print(utf8 and utf8.char(72, 228, 8364, 128512) or "no utf8")
print(utf8.len("häll€"), #"häll€")
for p, c in utf8.codes("aé€") do io.write(p, ":", c, " ") end print()
print(utf8.codepoint("héllo", 1, -1))
print(utf8.offset("aé€x", 3), utf8.charpattern)
