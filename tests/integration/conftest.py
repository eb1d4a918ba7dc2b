"""What the router-through-the-mock-cloud modules share: one mock cloud serving the module's ``CONFIG`` (each
provider entry with its route and region), a `FakeClock`, and a router on both whose waits, clock and jitter are
the fake ones. A module changes the router's keyword arguments with a ``ROUTER_OPTIONS`` dict."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from modelroute import Router
from modelroute.testing import FakeClock, MockCloud, router_on_mock_cloud


@pytest.fixture(scope="module")
def cloud(request: pytest.FixtureRequest) -> Iterator[MockCloud]:
    with MockCloud() as c:
        for name, p in request.module.CONFIG["providers"].items():
            c.add(name, route=p["kind"], region=p.get("region"))
        yield c


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def router(request: pytest.FixtureRequest, cloud: MockCloud, clock: FakeClock) -> Iterator[Router]:
    cloud.reset()
    options = {
        "clock": clock,
        "sleep": clock.sleep,
        "async_sleep": clock.async_sleep,
        "rng": random.Random(0),
        **getattr(request.module, "ROUTER_OPTIONS", {}),
    }
    r = router_on_mock_cloud(cloud, request.module.CONFIG, **options)
    yield r
    r.close()
