"""The testing kit: a mock cloud speaking every route, fault scripts, a fake clock, and a pytest plugin.

    from modelroute.testing import MockCloud, Fault
    with MockCloud() as cloud:
        cloud.add("anthropic", route="anthropic")
        cloud.script("anthropic", Fault.overloaded(), Fault.ok())
        ...  # point a client or a Router at cloud.url("anthropic")

`router_on_mock_cloud(cloud, config)` points every provider entry of a config at the cloud; the pytest plugin
offers the same as the ``mock_cloud`` and ``mock_router`` fixtures. `run_chaos()` (``await arun_chaos()`` from
async code) runs the chaos soak and returns its `ChaosReport`.
"""

from ._chaos import ChaosReport, arun_chaos, run_chaos
from ._clock import FakeClock
from ._faults import Fault
from ._router import MockSecrets, router_on_mock_cloud
from ._routes import ROUTES, MockRoute, RecordedRequest, Reply
from ._server import MockCloud

__all__ = [
    "ROUTES",
    "ChaosReport",
    "FakeClock",
    "Fault",
    "MockCloud",
    "MockRoute",
    "MockSecrets",
    "RecordedRequest",
    "Reply",
    "arun_chaos",
    "router_on_mock_cloud",
    "run_chaos",
]
