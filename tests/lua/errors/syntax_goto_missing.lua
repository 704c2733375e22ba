for i = 1, 3 do
  print(i)
  goto done
end
::done:: print("x")
local y = 1
goto missing
