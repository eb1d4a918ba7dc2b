"""The model names the official SDKs have listed, recorded, so no test depends on an SDK's current list.

SDK releases add and drop names (anthropic 2.15 dropped ``claude-sonnet-4-5-20250929``, which the API still
serves). The catalog's direct ids are checked against every name any recorded release listed. To record the
installed SDKs' lists (names are only ever added):

    python tests/catalog/sdk_models.py --record
"""

from __future__ import annotations

import json
import sys
import typing
from pathlib import Path

SNAPSHOT = Path(__file__).with_name("sdk_models.json")


def recorded() -> dict[str, dict[str, list[str]]]:
    """``{"anthropic": {"<version>": [names]}, "openai": {...}}``."""
    data: dict[str, dict[str, list[str]]] = json.loads(SNAPSHOT.read_text())
    return data


def known(vendor: str) -> set[str]:
    """Every name any recorded release of the vendor's SDK listed."""
    return {name for names in recorded()[vendor].values() for name in names}


def installed() -> dict[str, tuple[str, list[str]]]:
    import anthropic
    import anthropic.types.model
    import openai
    import openai.types.shared.chat_model

    claude = typing.get_args(typing.get_args(anthropic.types.model.Model)[0])
    gpt = typing.get_args(openai.types.shared.chat_model.ChatModel)
    return {
        "anthropic": (anthropic.__version__, sorted(claude)),
        "openai": (openai.__version__, sorted(gpt)),
    }


def record() -> None:
    data = recorded() if SNAPSHOT.exists() else {"anthropic": {}, "openai": {}}
    for vendor, (version, names) in installed().items():
        data[vendor][version] = names
        print(f"{vendor} {version}: {len(names)} names")
    SNAPSHOT.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    if sys.argv[1:] != ["--record"]:
        sys.exit(__doc__)
    record()
