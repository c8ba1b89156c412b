"""An in-process client for the checker: requests go straight to a handler, no sockets."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from metadata_semantics import MetadataError
from metadata_semantics.check import HttpRequest, HttpResponse, TransportError, send_together
from metadata_semantics.server import Config, Request, SQLiteStore

from check_servers import reference

if TYPE_CHECKING:
    from collections.abc import Sequence

    from check_servers import Handler


class HandleClient:
    """Answers through ``handler`` over ``store``; can raise ``fault`` at request number ``at``.

    Records every request in :attr:`sent`.
    """

    def __init__(
        self,
        store: SQLiteStore,
        config: Config,
        handler: Handler = reference,
        *,
        at: int | None = None,
        fault: BaseException | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.handler = handler
        self.at = at
        self.fault = fault
        self.sent: list[HttpRequest] = []
        self._lock = threading.Lock()

    def send(self, request: HttpRequest, /) -> HttpResponse:
        with self._lock:
            self.sent.append(request)
            number = len(self.sent)
        if number == self.at and self.fault is not None:
            raise self.fault
        headers = tuple((name.lower(), value) for name, value in request.headers)
        try:
            answer = self.handler(
                Request(request.method, request.path, headers, request.body or b""),
                self.store,
                self.config,
            )
        except MetadataError as error:
            # What a real server does when its handler raises: no answer.
            raise TransportError(f"the server failed ({error.code})") from None
        return HttpResponse(answer.status, answer.headers, answer.body)

    def send_parallel(
        self, requests: Sequence[HttpRequest], /
    ) -> list[HttpResponse | TransportError]:
        return send_together(self.send, requests)
