"""Benchmark programs (NAME.lua + NAME.py) and their manifest."""
