"""The ``observer`` fixture: an `Observer` that also receives every log record of every logger, at DEBUG."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from ._observe import CaptureHandler, Observer


@pytest.fixture
def observer() -> Iterator[Observer]:
    obs = Observer()
    root = logging.getLogger()
    handler = CaptureHandler(obs.records)
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield obs
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
