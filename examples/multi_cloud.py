"""Multi-cloud: the enterprise config in ``configs/multi-cloud.yaml``, through the Python API.

Claude on Azure Foundry, then Bedrock, then Vertex, then the Anthropic API; GPT on Azure OpenAI, then Bedrock, then
the OpenAI API; an EU alias that never leaves EU regions. Runs offline as is: every provider entry points at the
built-in mock cloud and authenticates with fake credentials (the machine's own AWS, Azure and Google credentials are
never read). The same code against the real clouds is at the bottom.

    pip install 'modelroute[azure,bedrock,vertex]'
    python examples/multi_cloud.py
"""

from __future__ import annotations

from pathlib import Path

from modelroute import AllTargetsFailed, Router
from modelroute.observability import trace_table
from modelroute.testing import Fault, MockCloud, router_on_mock_cloud

CONFIG = Path(__file__).resolve().parents[1] / "configs" / "multi-cloud.yaml"
HELLO = [{"role": "user", "content": "Hello!"}]


def main() -> None:
    with MockCloud() as cloud, router_on_mock_cloud(cloud, CONFIG) as router:
        # 1. The plan: which clouds serve Claude, in which order, and why each is in (no network).
        print(router.explain("claude-sonnet"))

        # 2. A normal day: Azure serves both families (our commitment is spent there).
        for alias in ("claude-sonnet", "gpt"):
            answer = router.complete(alias, HELLO, max_tokens=200)
            print(f"{alias:14} <- {answer.served_by}")

        # 3. Azure East US 2 is down: Claude moves to Bedrock (us. inference profile), GPT to gpt-oss on Bedrock.
        cloud.down("foundry-us")
        cloud.down("azure-gpt-us")
        for alias in ("claude-sonnet", "gpt"):
            answer = router.complete(alias, HELLO, max_tokens=200)
            print(f"{alias:14} <- {answer.served_by}")
            print(trace_table(answer.trace, indent="    "))

        # 4. Bedrock throttles for a minute too: the stream starts on Vertex, before any token reached us.
        cloud.script("bedrock-us", Fault.rate_limited(retry_after=60))
        with router.stream("claude-sonnet", [{"role": "user", "content": "Count to three."}]) as stream:
            for text in stream.text():
                print(text, end="", flush=True)
        print("  <-", stream.response.served_by)
        print(trace_table(stream.response.trace, indent="    "))

        # 5. EU data: with Foundry in Sweden down, Bedrock's eu. profile answers; nothing outside the EU is called,
        #    and when every EU region is down the call fails rather than leave the EU.
        cloud.down("foundry-eu")
        answer = router.complete("claude-sonnet-eu", HELLO, max_tokens=200)
        print(f"claude-sonnet-eu <- {answer.served_by}")
        for name in ("bedrock-eu", "vertex-eu", "azure-gpt-eu"):
            cloud.down(name)
        try:
            router.complete("claude-sonnet-eu", HELLO, max_tokens=200)
        except AllTargetsFailed as e:
            print(f"claude-sonnet-eu: AllTargetsFailed, tried only {', '.join(a.provider for a in e.trace)}")


def with_real_credentials() -> None:  # pragma: no cover - needs real cloud credentials
    """The same calls against the real clouds. Credentials come from where the platform keeps them:

    - Azure (entra_id: true): DefaultAzureCredential - a managed identity in production, `az login` on a laptop;
    - AWS (bedrock*, claude-platform): botocore's default chain - an IAM role, `aws sso login`, AWS_PROFILE;
    - Google (vertex-*): Application Default Credentials - workload identity, `gcloud auth application-default login`;
    - the direct APIs: export ANTHROPIC_API_KEY and OPENAI_API_KEY.

    Then change the resource names, project, workspace id and deployment names in configs/multi-cloud.yaml to yours;
    `modelroute check configs/multi-cloud.yaml` says which ${ENV} secrets are still missing.
    """
    with Router.from_config(CONFIG) as router:
        answer = router.complete("claude-sonnet", HELLO, max_tokens=200)
        print(answer.text, answer.served_by, answer.usage)
        print(trace_table(answer.trace))


if __name__ == "__main__":
    main()
