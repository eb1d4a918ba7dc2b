"""The redaction registry, `scrub_error` and the logging filter, each on its own (the planted-secret tests in
`tests/redaction/` drive them through the router)."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from modelroute._redact import (
    MIN_SECRET_LEN,
    REDACTED,
    RedactingFilter,
    credential_work,
    install_log_filters,
    redact,
    redact_value,
    register,
    scrub_error,
)
from modelroute.exceptions import AuthError, CredentialError, ProviderConnectionError, ServerError

KEY = "unit-test-secret-key/with+chars"


def test_registered_values_are_redacted_also_percent_encoded_and_short_ones_are_not() -> None:
    register(KEY, "short", None, "")
    assert redact(f"key={KEY} url=https://h/{KEY.replace('/', '%2F').replace('+', '%2B')}") == (
        f"key={REDACTED} url=https://h/{REDACTED}"
    )
    assert len("short") < MIN_SECRET_LEN and redact("a short word") == "a short word"
    body = {"error": {"message": f"bad key {KEY}", "list": [KEY, 1, None]}, KEY: b"raw " + KEY.encode()}
    assert KEY not in json.dumps(redact_value(body), default=repr)


def _raised(make: type[Exception], *args: object) -> Exception:
    try:
        raise make(*args)
    except Exception as e:
        return e


def test_scrub_error_redacts_and_detaches_foreign_chains_and_clears_frame_locals() -> None:
    register(KEY)

    def transport_send(headers: dict[str, str]) -> None:
        try:
            raise OSError(f"broken pipe while sending {headers}")
        except OSError as e:
            raise ProviderConnectionError(f"the connection broke: {e}") from e

    try:
        transport_send({"authorization": f"Bearer {KEY}"})
    except ProviderConnectionError as e:
        error = e
    assert error.__cause__ is not None and KEY in str(error)
    scrub_error(error)
    assert KEY not in str(error) and KEY not in repr(error.args)
    assert error.__cause__ is None and error.__context__ is None
    tb = error.__traceback__
    frames = []
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    finished = [f for f in frames if f.f_code.co_name == "transport_send"]
    assert finished and finished[0].f_locals == {}  # the headers the frame held are gone


def test_scrub_error_keeps_our_own_chained_errors_and_scrubs_them_too() -> None:
    register(KEY)
    inner = _raised(CredentialError, f"no luck with {KEY}")
    outer = AuthError("the secret is unset", body={"quoted": KEY})
    outer.__cause__ = inner
    scrub_error(outer)
    assert outer.__cause__ is inner and KEY not in str(inner) and outer.body == {"quoted": REDACTED}
    err = ServerError("x", code=f"code {KEY}", request_id=f"req {KEY}")
    scrub_error(err)
    assert KEY not in f"{err} {err.code}"


def _record(logger: str, level: int, msg: str, *args: object, exc: bool = False) -> logging.LogRecord:
    info = sys.exc_info() if exc else None
    return logging.LogRecord(logger, level, __file__, 1, msg, args, info)


def test_the_log_filter_redacts_messages_and_tracebacks() -> None:
    register(KEY)
    f = RedactingFilter()
    record = _record("httpx2", logging.INFO, "HTTP Request: %s %s", "POST", f"https://h/{KEY}/v1")
    assert f.filter(record) and KEY not in record.getMessage()
    try:
        raise ValueError(f"Illegal header value {KEY}")
    except ValueError:
        record = _record("httpcore2.http11", logging.DEBUG, "failed", exc=True)
    assert f.filter(record)
    assert KEY not in logging.Formatter().format(record)


def test_botocore_debug_records_are_dropped_only_while_we_sign_or_fetch() -> None:
    f = RedactingFilter()
    signing = _record("botocore.auth", logging.DEBUG, "Signature:\n%s", "0f" * 32)
    assert f.filter(signing)  # someone else's botocore use keeps its records
    with credential_work():
        assert not f.filter(signing)
        assert f.filter(_record("botocore.credentials", logging.WARNING, "refresh failed"))


def test_the_filter_is_installed_on_the_driven_libraries_loggers(caplog: pytest.LogCaptureFixture) -> None:
    register(KEY)
    install_log_filters()
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("httpx2").info("HTTP Request: POST https://h/%s", KEY)
        logging.getLogger("botocore.auth").debug("StringToSign: %s", KEY)
        logging.getLogger("modelroute").warning("provider refused %s", KEY)
    assert len(caplog.records) == 3 and KEY not in caplog.text
