"""The shortest path in: ``from modelroute import route; route.complete("claude-sonnet", "Hi")``.

`route` is a `DefaultRouter`: a `Router` built on first use from the config that ``MODELROUTE_CONFIG`` names, or
else ``./modelroute.yaml`` (``.yml``), for scripts and notebooks. Construction is lazy and thread-safe (one
router however many threads call first); `DefaultRouter.reset` forgets it, so the next call reads the config again.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from .exceptions import ConfigError

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._stream import AsyncStream, Stream
    from ._types import Response
    from .router import Messages, RequestOptions, Router
    from .routing import Plan

__all__ = ["CONFIG_ENV", "DefaultRouter", "route"]

#: The environment variable that names the default router's config file.
CONFIG_ENV = "MODELROUTE_CONFIG"
_LOCAL = ("modelroute.yaml", "modelroute.yml")


def find_config() -> Path:
    """The config the default router reads: ``$MODELROUTE_CONFIG``, else ``./modelroute.yaml`` (or ``.yml``)."""
    named = os.environ.get(CONFIG_ENV)
    if named:
        path = Path(named).expanduser()
        if not path.is_file():
            raise ConfigError(
                CONFIG_ENV, f"names {str(path)!r}, which is not a file", "Point it at your modelroute.yaml"
            )
        return path
    for name in _LOCAL:
        path = Path.cwd() / name
        if path.is_file():
            return path
    raise ConfigError(
        "",
        f"the default router found no config: {CONFIG_ENV} is not set and there is no modelroute.yaml in {Path.cwd()}",
        f"Set {CONFIG_ENV}=/path/to/modelroute.yaml, put modelroute.yaml in this directory, or build a "
        "Router yourself: Router.from_config('path/to/config.yaml')",
    )


class DefaultRouter:
    """A `Router` made on first use from the default config (see `find_config`); every call is the router's."""

    def __init__(self) -> None:
        self._router: Router | None = None
        self._lock = threading.Lock()

    @property
    def router(self) -> Router:
        """The router, built now if this is the first use."""
        router = self._router
        if router is None:
            with self._lock:
                router = self._router
                if router is None:
                    from .router import Router

                    router = self._router = Router.from_config(find_config())
        return router

    def reset(self) -> None:
        """Close and forget the router: the next call reads the config again (after you edited it)."""
        with self._lock:
            router, self._router = self._router, None
        if router is not None:
            router.close()

    @contextmanager
    def using(self, router: Router) -> Iterator[Router]:
        """Serve the default calls from ``router`` inside the ``with`` block (tests, notebooks)."""
        with self._lock:
            before, self._router = self._router, router
        try:
            yield router
        finally:
            with self._lock:
                self._router = before

    def complete(self, model: str, messages: Messages, **options: Unpack[RequestOptions]) -> Response:
        """`Router.complete` on the default router."""
        return self.router.complete(model, messages, **options)

    async def acomplete(self, model: str, messages: Messages, **options: Unpack[RequestOptions]) -> Response:
        """`Router.acomplete` on the default router."""
        return await self.router.acomplete(model, messages, **options)

    def stream(self, model: str, messages: Messages, **options: Unpack[RequestOptions]) -> Stream:
        """`Router.stream` on the default router."""
        return self.router.stream(model, messages, **options)

    def astream(self, model: str, messages: Messages, **options: Unpack[RequestOptions]) -> AsyncStream:
        """`Router.astream` on the default router."""
        return self.router.astream(model, messages, **options)

    def explain(self, model: str, messages: Messages | None = None, **options: Unpack[RequestOptions]) -> Plan:
        """`Router.explain` on the default router."""
        return self.router.explain(model, messages, **options)

    def __repr__(self) -> str:
        return f"DefaultRouter({self._router!r})" if self._router is not None else "DefaultRouter(not built yet)"


route = DefaultRouter()
