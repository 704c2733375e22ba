"""Workflow providers besides the embedded SQLite engine (wippy/workflows/engine.py):
`temporal` runs the same Lua workflows on a Temporal cluster."""
