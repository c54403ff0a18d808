"""Serving the page: loopback by default, refusing foreign Host headers
there, and one-line messages for the usual launch failures.

    python app.py [--host 127.0.0.1] [--port 7860] [--mode quoted|generated] [--corpus DIR]
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from ..settings import CHOICES, from_env  # noqa: E402
from .engine import Engine, Slots  # noqa: E402

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def host_name(header: str) -> str:
    """The name part of a Host header: "[::1]:7860" -> "::1", "localhost:80" -> "localhost"."""
    h = header.strip().lower()
    if h.startswith("["):
        return h[1:].split("]", 1)[0]
    return h.rsplit(":", 1)[0] if h.count(":") == 1 else h


class LoopbackOnly:
    """ASGI middleware: on a loopback-bound server, a request whose Host is
    not a loopback name is refused (a DNS-rebinding page cannot drive the
    app, read the corpus or write feedback)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
            if host_name(host) not in LOCAL_HOSTS:
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1008})
                    return
                body = b"Invalid host header: this app only answers to 127.0.0.1 / localhost\n"
                await send({"type": "http.response.start", "status": 400,
                            "headers": [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


def serve(engine: Engine, host: str, port: int | None, concurrency: int = 4, **launch):
    """Build the page and serve it: returns (demo, what launch returned).
    `concurrency` quoted answers run at once; generated ones take turns on
    the one model (see Engine)."""
    from starlette.middleware import Middleware

    from .page import assets, build

    engine.slots = Slots({"quoted": concurrency, "generated": 1})
    demo = build(engine).queue(default_concurrency_limit=concurrency)
    app_kwargs = launch.pop("app_kwargs", {}) or {}
    if host in LOCAL_HOSTS:
        app_kwargs = {**app_kwargs, "middleware": [*app_kwargs.get("middleware", []), Middleware(LoopbackOnly)]}
    return demo, demo.launch(server_name=host, server_port=port, share=False, ssr_mode=False,
                             app_kwargs=app_kwargs, **assets(engine.settings.max_question_chars), **launch)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description="Dossier chat app")
    p.add_argument("--host", help="address to serve on (default 127.0.0.1; env RAG_HOST)")
    p.add_argument("--port", type=int, help="port (default 7860; env RAG_PORT)")
    p.add_argument("--allow-remote", action="store_true", help="needed to serve beyond this machine")
    p.add_argument("--mode", choices=["quoted", "generated"], help="default answer mode (env RAG_MODE)")
    p.add_argument("--judge", choices=CHOICES["judge"],
                   help="a bundled model reads the answers the scorer is unsure of (default 1.5b; env RAG_JUDGE)")
    p.add_argument("--corpus", help="folder of articles to serve (default seeds/; env RAG_CORPUS)")
    p.add_argument("--index", help="index folder (default index/; env RAG_INDEX)")
    p.add_argument("--data", help="feedback and model cache folder (default data/; env RAG_DATA)")
    p.add_argument("--concurrency", type=int, default=4, help="quoted answers computed at once (default 4)")
    args = p.parse_args(argv)
    try:
        settings = from_env(host=args.host, port=args.port, mode=args.mode, corpus=args.corpus, index=args.index,
                            data=args.data, judge=args.judge)
    except ValueError as e:
        raise SystemExit(f"error: {e}")
    if settings.host not in LOCAL_HOSTS and not args.allow_remote:
        raise SystemExit(f"refusing to serve on {settings.host}: pass --allow-remote to serve beyond this machine")
    if not 1 <= args.concurrency <= 64:
        raise SystemExit("error: --concurrency must be between 1 and 64")
    try:
        serve(Engine(settings).start(), settings.host, settings.port, args.concurrency, footer_links=["api"])
    except OSError as e:
        if "port" in str(e).lower() or getattr(e, "errno", None) in (98, 48):
            raise SystemExit(f"error: port {settings.port} on {settings.host} is in use; "
                             f"pass --port {settings.port + 1} (or any free port)") from None
        raise SystemExit(f"error: cannot start the server: {e}") from None
