"""`pool serve`."""

from __future__ import annotations

import sys

import click

from compiler.commands.common import LANG

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def access(host: str, token: str | None) -> tuple[str | None, set[str] | None]:
    """The token every request must carry and the Host names accepted. Off loopback a token
    is required (generated when not given); on loopback other Host names are refused, so a
    web page elsewhere cannot reach the service by DNS rebinding."""
    import secrets

    if host in LOOPBACK:
        return token, LOOPBACK | {f"[{h}]" for h in LOOPBACK}
    return token or secrets.token_urlsafe(24), None


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; anything but loopback needs a token / 监听地址",
)
@click.option("--port", type=int, default=8765, show_default=True, help="Port; 0 picks a free one / 端口")
@click.option(
    "--policies",
    "folders",
    multiple=True,
    type=click.Path(file_okay=False, exists=True),
    help="A folder of .pool files clients may name (scenarios/*.json beside them are offered as samples) / 政策目录",
)
@click.option(
    "--token",
    default=None,
    help="Required on every request (Authorization: Bearer …); generated when --host is not loopback / 访问令牌",
)
@click.option(
    "--timeout", type=float, default=30.0, show_default=True, help="Seconds of work per request / 每个请求的计算时限"
)
@click.option(
    "--max-body", type=int, default=4, show_default=True, help="Largest request body, in MB / 请求体上限（MB）"
)
@LANG
def serve(
    host: str, port: int, folders: tuple[str, ...], token: str | None, timeout: float, max_body: int, lang: str
) -> None:
    """The REST API and the studio page / 启动 REST 接口与网页工作室。

    Binds to 127.0.0.1 unless told otherwise: only this machine can reach it.
    Nothing it does writes a file.
    """
    from pathlib import Path

    try:
        import uvicorn

        from compiler.serve.app import create_app
        from compiler.serve.catalog import Catalog, bundled_dir
        from compiler.serve.service import Limits, Service
    except ImportError as e:
        click.echo(
            f"pool serve 需要 starlette 和 uvicorn：pip install 'pool-lang[serve]'（{e.name} 未安装）"
            if lang == "zh"
            else f"pool serve needs starlette and uvicorn: pip install 'pool-lang[serve]' ({e.name} is missing)",
            err=True,
        )
        sys.exit(2)
    zh = lang == "zh"
    loopback = host in LOOPBACK
    token, hosts = access(host, token)
    bundled = bundled_dir()
    folders_ = ([(bundled, "bundled")] if bundled is not None else []) + [(Path(f), "configured") for f in folders]
    service = Service(Catalog(folders_), Limits(body_bytes=max_body * 1024 * 1024, seconds=timeout))
    app = create_app(service, token, hosts)

    # Keep-alive longer than uvicorn's 5 s: a busy client reusing a connection the server is just closing gets a reset.
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, timeout_keep_alive=60)
    server = uvicorn.Server(config)

    async def announce() -> None:
        shown = f"[{host}]" if ":" in host else host
        bound = port
        for s in server.servers:  # the real port when 0 was asked for
            for sock in s.sockets:
                bound = sock.getsockname()[1]
        url = f"http://{shown}:{bound}/" + (f"?token={token}" if token else "")
        if loopback:
            click.echo(
                f"pool serve：{url}（只在本机可访问；按 Ctrl+C 停止）"
                if zh
                else f"pool serve: {url} (reachable from this machine only; Ctrl+C stops)"
            )
        else:
            click.echo(
                f"pool serve：{url}（对网络开放；每个请求都须带令牌）"
                if zh
                else f"pool serve: {url} (open to the network; every request needs the token)"
            )
        sys.stdout.flush()

    import asyncio

    async def run() -> None:
        task = asyncio.create_task(server.serve())
        while not server.started and not task.done():
            await asyncio.sleep(0.05)
        if server.started:
            await announce()
        await task

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass
    if not server.started:
        sys.exit(2)
