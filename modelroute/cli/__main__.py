"""``python -m modelroute.cli``: the ``modelroute`` command."""

from . import main

raise SystemExit(main())
