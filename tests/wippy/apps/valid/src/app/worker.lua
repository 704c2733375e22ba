local function main()
  return "done"
end
return { main = main }
