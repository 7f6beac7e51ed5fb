"""The web console's ASGI application (Starlette; served by uvicorn).

Routes::

    GET  /                  the page (static/index.html; plain HTML + JS, no build step)
    GET  /static/...        its script and style sheet
    GET  /api/dictionary    telemetry packets and fields (units, enums, limits) and the
                            telecommand forms, generated from the packet dictionary
    GET  /api/state         everything now: latest values, link, alarms, events, history
    GET  /api/series?key=K  recent samples of a numeric field (K = PACKET.field[i])
    POST /api/arm           {name, args}: first step of a hazardous command -> {token}
    POST /api/command       {name, args[, arm_token]}: check, sign, send -> history entry
    WS   /ws                updates pushed every ``PUSH_S``: changed packets, link,
                            alarms, new events, changed history entries

Protection: the Host header must name the console (DNS rebinding), a POST
must carry the page's per-process key in ``X-Console-Key`` and a browser's
Origin must be the console's own (cross-site requests and websockets are
refused); with a token (required for a non-local bind) every request must
present it (``Authorization: Bearer``, or once as ``?token=`` which sets an
HttpOnly, SameSite=Strict cookie).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import secrets
from collections.abc import AsyncIterator
from importlib import resources
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from fsw.errors import UserError

PUSH_S = 0.2
COOKIE = "fsw_console"
#: largest request body accepted (a command's arguments)
MAX_BODY = 64 * 1024


def _static() -> Any:
    return resources.files("fsw_tools.ground.web").joinpath("static")


class TokenMiddleware:
    """Every request presents the token (see the module docstring)."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app, self.token = app, token

    def _ok(self, conn: HTTPConnection) -> bool:
        assert self.token is not None
        got = conn.cookies.get(COOKIE, "")
        auth = conn.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            got = auth[7:].strip()
        return hmac.compare_digest(got.encode(), self.token.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.token is None or scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        if self._ok(conn):
            await self.app(scope, receive, send)
            return
        given = conn.query_params.get("token")
        if scope["type"] == "http" and given is not None and hmac.compare_digest(
                given.encode(), self.token.encode()):
            resp: Response = RedirectResponse(conn.url.path or "/", status_code=303)
            resp.set_cookie(COOKIE, self.token, httponly=True, samesite="strict",
                            secure=conn.url.scheme == "https")
            await resp(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 4401})
            return
        await Response("token required: open the console's address with ?token=...",
                       status_code=401, media_type="text/plain")(scope, receive, send)


def _same_origin(conn: HTTPConnection) -> bool:
    origin = conn.headers.get("origin")
    if origin is None:  # not a browser's cross-site request
        return True
    host = conn.headers.get("host", "")
    return origin in (f"http://{host}", f"https://{host}")


def create_app(console: Any, *, token: str | None = None,
               allowed_hosts: list[str] | None = None) -> Starlette:
    """The application over a :class:`~fsw_tools.ground.web.server.WebConsole`."""
    key = secrets.token_urlsafe(24)  # per process: the page carries it, POSTs send it back
    page = _static().joinpath("index.html").read_text(encoding="utf-8").replace(
        "__CONSOLE_KEY__", key)

    async def index(request: Request) -> Response:
        return HTMLResponse(page, headers={"Cache-Control": "no-store",
                                           "Content-Security-Policy": "default-src 'self'; "
                                           "connect-src 'self'; frame-ancestors 'none'"})

    async def favicon(request: Request) -> Response:
        return Response(status_code=204)

    async def dictionary(request: Request) -> Response:
        return JSONResponse(console.dictionary())

    async def state(request: Request) -> Response:
        return JSONResponse(console.state())

    async def series(request: Request) -> Response:
        key_ = request.query_params.get("key", "")
        return JSONResponse({"key": key_, "samples": console.model.series_of(key_)})

    async def _json_body(request: Request) -> dict[str, Any]:
        if not _same_origin(request) or not hmac.compare_digest(
                request.headers.get("x-console-key", "").encode(), key.encode()):
            raise PermissionError("cross-site or unkeyed request refused")
        body = await request.body()
        if len(body) > MAX_BODY:
            raise UserError("request too large")
        try:
            obj = json.loads(body)
        except ValueError:
            raise UserError("the body is not JSON") from None
        if not isinstance(obj, dict):
            raise UserError("the body is not a JSON object")
        return obj

    async def _command(request: Request, arm: bool) -> Response:
        try:
            obj = await _json_body(request)
            if arm:
                return JSONResponse(console.commander.arm(obj.get("name"), obj.get("args", {})))
            entry = await console.send(obj.get("name"), obj.get("args", {}),
                                       obj.get("arm_token"))
            return JSONResponse(entry)
        except PermissionError as exc:
            return JSONResponse({"error": str(exc)}, status_code=403)
        except UserError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)

    async def arm(request: Request) -> Response:
        return await _command(request, arm=True)

    async def command(request: Request) -> Response:
        return await _command(request, arm=False)

    async def ws(websocket: WebSocket) -> None:
        if not _same_origin(websocket):
            await websocket.close(code=4403)
            return
        await websocket.accept()
        cursor = console.cursor()
        try:
            while True:
                msg, cursor = console.update(cursor)
                await websocket.send_text(json.dumps(msg))
                await asyncio.sleep(PUSH_S)
        except (WebSocketDisconnect, RuntimeError, ConnectionError):
            return

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(console.pump())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    routes = [
        Route("/", index),
        Route("/favicon.ico", favicon),
        Route("/api/dictionary", dictionary),
        Route("/api/state", state),
        Route("/api/series", series),
        Route("/api/arm", arm, methods=["POST"]),
        Route("/api/command", command, methods=["POST"]),
        WebSocketRoute("/ws", ws),
        Mount("/static", StaticFiles(directory=str(_static())), name="static"),
    ]
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts or ["*"]),
                  Middleware(TokenMiddleware, token=token)]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)


__all__ = ["COOKIE", "PUSH_S", "TokenMiddleware", "create_app"]
