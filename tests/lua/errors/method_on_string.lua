print(("abc"):bad())
