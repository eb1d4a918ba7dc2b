"""The pytest plugin (registered as ``modelroute`` through the ``pytest11`` entry point).

Fixtures:

- ``mock_cloud``: a running `MockCloud` for the test, stopped afterwards.
- ``mock_router``: a factory, ``mock_router(config, **router_options)``, that starts every provider entry of the
  config on the mock cloud, points the entries at it, and returns a `Router` (closed after the test).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from modelroute import Router

    from . import MockCloud


@pytest.fixture
def mock_cloud() -> Iterator[MockCloud]:
    from . import MockCloud

    with MockCloud() as cloud:
        yield cloud


@pytest.fixture
def mock_router(mock_cloud: MockCloud) -> Iterator[Callable[..., Router]]:
    from ._router import router_on_mock_cloud

    made: list[Router] = []

    def make(config: Any, **options: Any) -> Router:
        router = router_on_mock_cloud(mock_cloud, config, **options)
        made.append(router)
        return router

    yield make
    for router in made:
        router.close()
