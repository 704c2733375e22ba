local cfg
print("indexing")
print(cfg.name)
