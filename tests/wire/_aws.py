"""Helpers for the AWS parity tests: fixed fake credentials, SigV4 scope parsing and signature checking."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from modelroute.config import load_config
from modelroute.routes import ROUTES, Route
from modelroute.testing import RecordedRequest
from modelroute.testing._routes.bedrock import sigv4_signature_valid

AKID = "AKIDEXAMPLEFAKE00001"
SECRET = "fake/secret/key/never/real/000000000000"
TOKEN = "bedrock-api-key-fake-0001"
ENV = {"AK": AKID, "SK": SECRET, "BK": TOKEN}
SIGV4 = {"aws_access_key_id": "${AK}", "aws_secret_access_key": "${SK}"}
BEARER = {"api_key": "${BK}"}

# Real Bedrock model ids: a cross-region inference profile, a base model id, an application inference profile ARN.
PROFILE_ID = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
BASE_ID = "anthropic.claude-haiku-4-5-20251001-v1:0"
ARN_ID = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6"

_AUTH = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$"
)


def route(kind: str, *, env: Mapping[str, str] = ENV, **spec: Any) -> Route:
    cfg = load_config({"providers": {"p": {"kind": kind, **spec}}, "models": {"m": {"targets": ["p:x"]}}}, env=env)
    return ROUTES[kind]("p", cfg.spec.providers["p"], env)


def scope(headers: Mapping[str, str]) -> tuple[str, str, str, str]:
    """(scheme, key id, region, service) of a request's Authorization header."""
    auth = headers["authorization"]
    if auth.startswith("Bearer "):
        return "Bearer", auth[7:], "", ""
    m = _AUTH.match(auth)
    assert m, auth
    return "AWS4-HMAC-SHA256", m.group(1), m.group(3), m.group(4)


def signature_valid(req: RecordedRequest, secret: str = SECRET) -> bool:
    return sigv4_signature_valid(req, secret)
