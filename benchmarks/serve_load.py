"""Load on `pool serve`: N concurrent clients posting /run for a while, on loopback.

    .venv/bin/python benchmarks/serve_load.py                      # 50 clients for 60 s (docs/serve.md)
    .venv/bin/python benchmarks/serve_load.py --clients 10 --seconds 5

The server is the real command (`pool serve --port 0`) in its own process, so the load
generator does not share its interpreter; each client sends the bundled Guizhou policy by
name with its 2026 scenario and checks every answer is 200 and the same ledger. Prints the
request count, errors, throughput and latency percentiles; exits 1 on any error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = json.loads((ROOT / "policies" / "scenarios" / "guizhou_2026.json").read_text(encoding="utf-8"))
BODY = {"policy": "guizhou_risk_adjustment", "scenario": SCENARIO}


def start() -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "compiler.cli", "serve", "--port", "0", "--lang", "en"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if "http://" not in line:
        proc.terminate()
        raise SystemExit(f"the server did not start: {line!r}")
    return proc, line.split("http://", 1)[1].split("/", 1)[0]


async def load(host: str, clients: int, seconds: float) -> tuple[list[float], list[str], set[str]]:
    latencies: list[float] = []
    errors: list[str] = []
    bodies: set[str] = set()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=f"http://{host}", limits=limits, timeout=120) as client:
        warm = await client.post("/run", json=BODY)  # the first request checks the policy; not timed
        bodies.add(warm.text)
        deadline = time.perf_counter() + seconds

        async def one() -> None:
            while time.perf_counter() < deadline:
                t = time.perf_counter()
                try:
                    r = await client.post("/run", json=BODY)
                except httpx.HTTPError as e:
                    errors.append(repr(e))
                    continue
                latencies.append(time.perf_counter() - t)
                if r.status_code != 200:
                    errors.append(f"{r.status_code}: {r.text[:200]}")
                else:
                    bodies.add(r.text)

        await asyncio.gather(*(one() for _ in range(clients)))
    return latencies, errors, bodies


def percentile(xs: list[float], q: float) -> float:
    ordered = sorted(xs)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60.0)
    args = ap.parse_args()
    proc, host = start()
    try:
        started = time.perf_counter()
        latencies, errors, bodies = asyncio.run(load(host, args.clients, args.seconds))
        elapsed = time.perf_counter() - started
    finally:
        proc.terminate()
        proc.wait(10)
    ms = [x * 1000 for x in latencies]
    print(f"pool serve /run: {args.clients} concurrent clients for {args.seconds:g} s on loopback")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"requests: {len(latencies)}, errors: {len(errors)}, distinct answers: {len(bodies)}")
    if ms:
        print(f"throughput: {len(latencies) / elapsed:.1f} requests/s")
        print(
            f"latency ms: p50 {percentile(ms, 50):.0f}, p90 {percentile(ms, 90):.0f}, "
            f"p99 {percentile(ms, 99):.0f}, max {max(ms):.0f}, mean {statistics.fmean(ms):.0f}"
        )
    for e in errors[:5]:
        print("error:", e)
    sys.exit(1 if errors or len(bodies) != 1 else 0)


if __name__ == "__main__":
    main()
