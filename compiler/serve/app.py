"""The ASGI app of `pool serve`: routes, limits, the token and security headers.

Every answer is JSON, the CLI's own text (`/run` is `pool run --json`), an explainer
or the studio page; every failure is JSON with the CLI's messages and codes and a
4xx status. Work runs in a worker thread with a time limit, so one slow request does
not hold up the event loop.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import anyio.to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from compiler.limits import allow_deep_recursion
from compiler.serve import openapi
from compiler.serve.requests import LANGS, Refused, decode
from compiler.serve.service import Answer, Service
from compiler.serve.studio import Studio

log = logging.getLogger("pool.serve")

# Every answer but the studio page and an explainer: nothing may load, nothing may frame it.
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
_META_CSP = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">')


def _json(doc: object, status: int = 200) -> Response:
    return Response(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", status, media_type="application/json")


def _refused(e: Refused, lang: str) -> Response:
    return _json(e.body(lang), e.status)


def _lang(request: Request) -> str:
    """Messages of a refusal follow ?lang= (or the body's lang when it could be read)."""
    lang = request.query_params.get("lang", "zh")
    return lang if lang in LANGS else "zh"


class Guard:
    """ASGI middleware: the token (when one is set), the Host header (when bound to
    loopback, against DNS rebinding), and security headers on every answer."""

    def __init__(self, app: ASGIApp, token: str | None, hosts: set[str] | None) -> None:
        self.app, self.token, self.hosts = app, token, hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if self.hosts is not None and request.url.hostname not in self.hosts:
            await _refused(Refused.of(400, "request", "serve-host", host=request.url.hostname), _lang(request))(
                scope, receive, send
            )
            return
        if self.token is not None and not self._authorised(request):
            await _refused(Refused.of(401, "token", "serve-token"), _lang(request))(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                extra = [
                    (b"content-security-policy", API_CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"cache-control", b"no-store"),
                ]
                headers += [(k, v) for k, v in extra if k not in names]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _authorised(self, request: Request) -> bool:
        assert self.token is not None
        given = request.headers.get("authorization", "")
        offered = given[7:] if given.lower().startswith("bearer ") else request.query_params.get("token", "")
        return hmac.compare_digest(offered.encode(), self.token.encode())


async def _body(request: Request, limit: int) -> bytes:
    """The request body, refused (413) as soon as it passes the limit: never read whole."""
    too_large = Refused.of(
        413,
        "request",
        "serve-too-large",
        limit=f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit} B",
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(service: Service, token: str | None = None, hosts: set[str] | None = None) -> ASGIApp:
    """The app; `token` required on every request when given, `hosts` the Host names accepted."""
    studio = Studio()
    limits = service.limits
    allow_deep_recursion()  # once, before any worker thread: what checks clean, every engine can evaluate

    workers = anyio.CapacityLimiter(limits.workers)

    async def work(fn: Callable[[], Any]) -> Any:
        try:
            with anyio.fail_after(limits.seconds):
                return await anyio.to_thread.run_sync(fn, abandon_on_cancel=True, limiter=workers)
        except TimeoutError:
            raise Refused.of(503, "timeout", "serve-timeout", seconds=f"{limits.seconds:g}") from None

    def post(compute: Callable[[dict[str, Any]], Response]) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            lang = _lang(request)
            try:
                req = decode(await _body(request, limits.body_bytes))
                lang = req["lang"] if req.get("lang") in LANGS else lang
                response: Response = await work(lambda: compute(req))
                return response
            except Refused as e:
                return _refused(e, lang)

        return endpoint

    def text(body: str, media: str) -> Response:
        return Response(body, media_type=media)

    def answer(a: Answer) -> Response:
        headers = {"content-disposition": f'attachment; filename="{a.download}"'} if a.download else None
        return Response(a.body, media_type=a.media, headers=headers)

    def explain(req: dict[str, Any]) -> Response:
        body, media = service.explain(req)
        response = text(body, media)
        if media.startswith("text/html"):
            # The explainer allows its own style and script by hash; the header says the same.
            found = _META_CSP.search(body)
            response.headers["content-security-policy"] = (
                found.group(1) if found else "default-src 'none'"
            ) + "; frame-ancestors 'self'"
        return response

    async def get_policies(request: Request) -> Response:
        return _json(await work(service.list_policies))

    async def get_policy(request: Request) -> Response:
        try:
            return _json(await work(lambda: service.show_policy(request.path_params["name"])))
        except Refused as e:
            return _refused(e, _lang(request))

    async def get_schema(request: Request) -> Response:
        req = {k: v for k, v in request.query_params.items() if k != "token"}  # the token is the guard's
        try:
            return _json(await work(lambda: service.schema(req)))
        except Refused as e:
            return _refused(e, _lang(request))

    async def import_scenario(request: Request) -> Response:
        fmt = request.query_params.get("format", "json")
        try:
            data = await _body(request, limits.body_bytes)
            return _json(await work(lambda: service.import_scenario(data, fmt, _lang(request))))
        except Refused as e:
            return _refused(e, _lang(request))

    async def page(request: Request) -> Response:
        html, csp = studio.page()
        return Response(html, media_type="text/html; charset=utf-8", headers={"content-security-policy": csp})

    async def get_openapi(request: Request) -> Response:
        return _json(openapi.document())

    routes = [
        Route("/", page, methods=["GET"]),
        Route("/openapi.json", get_openapi, methods=["GET"]),
        Route("/policies", get_policies, methods=["GET"]),
        Route("/policies/{name}", get_policy, methods=["GET"]),
        Route("/schema", get_schema, methods=["GET"]),
        Route("/schema", post(lambda req: _json(service.schema(req))), methods=["POST"]),
        Route("/check", post(lambda req: _json(service.check(req))), methods=["POST"]),
        Route("/run", post(lambda req: answer(service.run(req))), methods=["POST"]),
        Route("/simulate", post(lambda req: answer(service.simulate(req))), methods=["POST"]),
        Route("/explain", post(explain), methods=["POST"]),
        Route("/trace", post(lambda req: text(service.trace(req), "text/plain; charset=utf-8")), methods=["POST"]),
        Route("/diff", post(lambda req: text(*service.diff(req))), methods=["POST"]),
        Route("/import", import_scenario, methods=["POST"]),
    ]

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 405:
            e = Refused.of(405, "request", "serve-method", path=request.url.path, method=request.method)
        else:
            e = Refused.of(exc.status_code, "request", "serve-not-found", path=request.url.path)
        return _refused(e, _lang(request))

    async def internal(request: Request, exc: Exception) -> Response:
        # A bug in pool: logged here with its traceback, answered without one.
        log.error("internal error on %s", request.url.path, exc_info=exc)
        return _refused(Refused.of(500, "internal", "serve-internal"), _lang(request))

    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error, Exception: internal})
    return Guard(app, token, hosts)
