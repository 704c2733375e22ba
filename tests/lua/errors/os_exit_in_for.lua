-- os.exit inside a generic for body leaves silently with its status
for w in ("a b c"):gmatch("%a") do
  io.write(w, "\n")
  if w == "b" then
    for i, v in ipairs({10, 20}) do
      for k in pairs({x = 1}) do
        print("exiting", i, v, k)
        os.exit(3)
      end
    end
  end
end
print("not reached")
