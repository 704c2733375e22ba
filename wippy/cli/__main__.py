"""`python -m wippy.cli`: the `wippy` command."""

from . import main

raise SystemExit(main())
