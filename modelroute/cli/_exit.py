"""The exit codes of the ``modelroute`` command (the README's CLI section lists them)."""

from __future__ import annotations

from enum import IntEnum

__all__ = ["Exit"]


class Exit(IntEnum):
    OK = 0
    FAILED = 1  # the command ran and failed: a call's every target failed, the demo lost a scene, a port was taken
    USAGE = 2  # the arguments are wrong (argparse's own code), or the request they make is (an unknown alias)
    CONFIG = 3  # the config is invalid, or needs an extra that is not installed
    CREDENTIALS = 4  # check: an entry's ${ENV} reference is unset or empty
    PROBE = 5  # check --probe: an entry did not answer its probe
    LINT = 6  # check --strict: the config raises lint warnings
    INTERRUPTED = 130  # Ctrl-C
