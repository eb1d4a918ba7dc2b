"""What calls cost: every attempt priced per cloud and region, negotiated prices on top, billed failures marked.

Runs offline: the provider entries point at the built-in mock cloud (its token counts are word counts, so the
amounts are tiny). Prices come from genai-prices' bundled data (pip install 'modelroute[cost]').

    python examples/costs.py
"""

from __future__ import annotations

from modelroute import Message, Request, TextPart
from modelroute.observability import trace_table
from modelroute.testing import Fault, MockCloud, router_on_mock_cloud

CONFIG = {
    "providers": {
        "bedrock-us": {"kind": "bedrock", "region": "us-east-1", "api_key": "${AWS_BEARER_TOKEN_BEDROCK}"},
        "vertex-eu": {"kind": "vertex", "project": "acme", "region": "europe-west1", "access_token": "${GTOKEN}"},
        "anthropic": {"kind": "anthropic", "api_key": "${ANTHROPIC_API_KEY}"},
    },
    "models": {
        "claude": {
            "family": "claude-sonnet-4-5",
            "providers": ["bedrock-us", "vertex-eu", "anthropic"],
            "stream_resume": "continue",
        },
    },
    "prices": [
        {"cloud": "aws", "discount_percent": 15},  # our AWS private pricing: 15% off the list price
        {"provider": "anthropic", "input_mtok": 2.5, "output_mtok": 12.5},  # a negotiated rate card
    ],
}
HELLO = [{"role": "user", "content": "Hello! What does this answer cost?"}]


def main() -> None:
    with MockCloud() as cloud, router_on_mock_cloud(cloud, CONFIG) as router:
        # 1. A normal call: Bedrock's us. profile, at the regional row less our discount.
        answer = router.complete("claude", HELLO)
        cost = answer.cost
        assert cost is not None
        print(f"{answer.served_by}: {cost}, from {cost.source}")
        print("  by component:", {k: str(v) for k, v in cost.components.items()})

        # 2. A stream cut after text on Bedrock, resumed on Vertex: the cut attempt is billed too (estimated from
        #    what it delivered), marked in the trace, and the call's cost is the sum.
        cloud.script("bedrock-us", Fault.stream_cut(after_events=4))
        with router.stream("claude", HELLO) as stream:
            text = "".join(stream.text())
        print(f"\nstreamed {len(text)} characters; the trace:")
        print(trace_table(stream.response.trace, indent="  "))

        # 3. Before sending: what a request would cost on each target (what budgets and price ordering read).
        request = Request(
            model="claude", messages=[Message(role="user", content=[TextPart(text="Hi")])], max_tokens=500
        )
        for entry in router.explain("claude").entries:
            estimate = router.pricer.estimate(request, entry.provider, entry.model)
            print(f"  estimate at {entry.provider:<10} {estimate.brief():>16}  {'; '.join(estimate.notes)}")


if __name__ == "__main__":
    main()
