local a = "x" .. {}
