#!/usr/bin/env python3
"""Agent-turn benchmark: our gateway (openclaw_desktop) vs the official OpenClaw gateway.

Run with the project venv::

    /work/venv/bin/python bench/agent_bench.py [--turns 30] [--warmup 3]
        [--only ours|official|both] [--peer-dir DIR] [--no-memory] [--out FILE]

One fake Anthropic Messages API server (``tests.support.fake_anthropic.FakeAnthropic``, a
real HTTP/SSE server in a thread of this process, answering ``echo: <last user text>``)
serves both gateways. Our gateway reaches it through ``ANTHROPIC_API_KEY`` /
``ANTHROPIC_BASE_URL``; the official one through a ``models.providers.fake`` entry
(``api: "anthropic-messages"``) with ``agents.defaults.model.primary = "fake/fake-1"``.
Measured per gateway, on one operator connection and session ``agent:main:main``:

1. ``chat.send`` -> ``chat`` event ``state:"final"`` (same runId) on a warm session:
   --warmup turns first, then --turns measured turns back to back; median and p90
   (also the ack and the first ``delta``, for information)
2. gateway CPU per measured turn: utime+stime (+ reaped children) summed over the
   gateway's process tree from ``/proc``, before vs after the measured turns
3. model requests per turn as seen by the fake server (proves the official gateway
   really used the fake model)

plus ``memory_search`` latency at 10,000 entries from ``bench/memory_bench.py`` (run as a
subprocess after the gateways are stopped; "n/a" if the script is missing or fails).
Process start/stop and the machine description come from ``bench/gateway_bench.py``.
With ``--out FILE`` the "## Agent benchmark" section of FILE is replaced (or appended);
the rest of the file is left untouched.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
for p in (str(REPO), str(HERE)):
    if p not in sys.path:
        sys.path.insert(0, p)

import gateway_bench as gb

from openclaw_desktop.client.gateway_client import ClientOptions, GatewayClient
from tests.support import fake_anthropic
from tests.support.fake_anthropic import FakeAnthropic

SECTION = "## Agent benchmark"
SESSION_KEY = "agent:main:main"
TURN_TIMEOUT_S = 60.0
FIRST_TURN_TIMEOUT_S = 180.0
TARGET_RATIO = 4.0          # ours' time-to-final <= official / 4
TARGET_MEMORY_P50_MS = 5.0


# ---------------------------------------------------------------------------- fake model
#: The fake server sets TCP_NODELAY on its sockets (without it, Nagle plus the client's delayed
#: ACK added ~40 ms per reply, a harness artifact that a real API front end does not have).
MODES = ("stock",)
MODE_LABEL = {"stock": "as shipped"}
# ---------------------------------------------------------------------------- gateways
class OursAgent(gb.OursGateway):
    def __init__(self, root: Path, python: str, api_url: str) -> None:
        super().__init__(root, python)
        self.api_url = api_url

    def command_env(self, workdir: Path, port: int) -> tuple[list[str], dict[str, str]]:
        cmd, env = super().command_env(workdir, port)
        env = {k: v for k, v in env.items() if not k.startswith("ANTHROPIC_")}
        env.update(ANTHROPIC_API_KEY="sk-test", ANTHROPIC_BASE_URL=self.api_url)
        return cmd, env


class OfficialAgent(gb.OfficialGateway):
    def __init__(self, root: Path, peer: Path, api_url: str) -> None:
        super().__init__(root, peer)
        self.api_url = api_url

    def command_env(self, workdir: Path, port: int) -> tuple[list[str], dict[str, str]]:
        cmd, env = super().command_env(workdir, port)
        cfg_path = Path(env["OPENCLAW_CONFIG_PATH"])
        cfg = json.loads(cfg_path.read_text())
        cfg["models"] = {"mode": "merge", "providers": {"fake": {
            "baseUrl": self.api_url, "api": "anthropic-messages", "apiKey": "x",
            "models": [{"id": "fake-1", "name": "Fake 1", "reasoning": False, "input": ["text"],
                        "cost": {"input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0},
                        "contextWindow": 200000, "maxTokens": 8192}]}}}
        cfg["agents"] = {"defaults": {"model": {"primary": "fake/fake-1"},
                                      "workspace": str(workdir / "home" / "workspace")}}
        cfg_path.write_text(json.dumps(cfg, indent=2))
        env = {k: v for k, v in env.items() if not k.startswith("ANTHROPIC_")}
        return cmd, env


# ---------------------------------------------------------------------------- measurement
def tree_cpu_s(run: gb.Running) -> float:
    """CPU seconds (user+system, plus reaped children) summed over the gateway's process tree."""
    ticks = 0
    for pid in run.tree():
        try:
            with open(f"/proc/{pid}/stat") as f:
                rest = f.read().rsplit(")", 1)[1].split()
            ticks += sum(int(x) for x in rest[11:15])  # utime stime cutime cstime
        except (OSError, IndexError, ValueError):
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


async def one_turn(c: GatewayClient, api: FakeAnthropic, n: int, timeout: float) -> dict[str, float]:
    """chat.send, then wait for this run's final chat event; times in ms from the send.

    Checks that the fake model got this turn's text and that the final message is its echo."""
    key = str(uuid.uuid4())
    message = f"bench turn {n} {key[:8]}"
    seen = len(api.requests)
    t0 = time.perf_counter()
    ack = await c.call("chat.send", {"sessionKey": SESSION_KEY, "message": message, "idempotencyKey": key},
                       timeout=timeout)
    t_ack = time.perf_counter()
    run_id = (ack or {}).get("runId", key)
    t_delta = None
    async with asyncio.timeout(timeout):
        while True:
            ev = await c.next_event("chat", timeout=timeout)
            p = ev.get("payload") or {}
            if p.get("runId") not in (run_id, key):
                continue
            state = p.get("state")
            if state == "delta" and t_delta is None:
                t_delta = time.perf_counter()
            elif state == "final":
                t_end = time.perf_counter()
                text = "".join(b.get("text", "") for b in ((p.get("message") or {}).get("content") or [])
                               if isinstance(b, dict))
                if not text.startswith("echo: "):
                    raise RuntimeError(f"turn {n}: final text is not the fake model's echo: {text[:200]!r}")
                if not any(message in json.dumps(body) for body in api.requests[seen:]):
                    raise RuntimeError(f"turn {n}: the fake model never received {message!r}")
                break
            elif state in ("error", "aborted"):
                raise RuntimeError(f"turn {n}: chat {state}: {p.get('errorMessage') or p}")
    ms = lambda t: (t - t0) * 1000
    return {"final": ms(t_end), "ack": ms(t_ack), "delta": ms(t_delta) if t_delta else float("nan")}


async def measure(gw: gb.Gateway, api: FakeAnthropic, warmup: int, turns: int) -> dict[str, Any]:
    """Warm-up turns, then ``turns`` measured turns in each fake-server mode, alternating."""
    res: dict[str, Any] = {"errors": []}
    print(f"\n== {gw.kind} gateway {gw.version()} ==", flush=True)
    run = gw.spawn()
    samples: dict[str, list[dict[str, float]]] = {m: [] for m in MODES}
    try:
        res["start_s"] = await gb.first_health(gw, run)
        ready = await gb.wait_ready(run)
        print(f"  up in {res['start_s']:.2f} s (readyz={ready}); settling {gw.settle_s:.0f} s", flush=True)
        await asyncio.sleep(gw.settle_s)
        opts = ClientOptions(token=gb.TOKEN, client_id="cli", client_mode="cli",
                             scopes=["operator.read", "operator.write"])
        async with GatewayClient.connect(run.url, opts, timeout=15) as c:
            req0 = len(api.requests)
            for i in range(warmup):
                t = await one_turn(c, api, -(i + 1), FIRST_TURN_TIMEOUT_S if i == 0 else TURN_TIMEOUT_S)
                print(f"  warm-up turn {i + 1}: {t['final']:.1f} ms", flush=True)
            req1 = len(api.requests)
            await asyncio.sleep(0.5)  # let post-turn bookkeeping finish before the CPU snapshot
            mon = gb.CpuMonitor(run)
            cpu0, wall0 = tree_cpu_s(run), time.perf_counter()
            for i in range(turns * len(MODES)):
                mode = MODES[i % len(MODES)]
                samples[mode].append(await one_turn(c, api, i, TURN_TIMEOUT_S))
            wall = time.perf_counter() - wall0
            cpu = tree_cpu_s(run) - cpu0
            res["noise"] = mon.result()
            req2 = len(api.requests)
            res["dropped_events"] = c.dropped_events
        _, rss_tree, nprocs = run.rss()
    except Exception as exc:  # noqa: BLE001 - record, print the log tail, go on with the other gateway
        res["errors"].append(f"{type(exc).__name__}: {exc}")
        print(f"  ! {type(exc).__name__}: {exc}\n  --- log tail ---\n{run.log_tail(25)}", flush=True)
        gb.stop_run(run)
        return res
    gb.stop_run(run)
    total = turns * len(MODES)
    res.update(turns=turns, cpu_ms=cpu / total * 1000, wall_s=wall, cpu_cores=cpu / wall if wall else 0.0,
               model_req_warm=(req1 - req0) / warmup, model_req=(req2 - req1) / total,
               rss_tree=rss_tree, nprocs=nprocs)
    for mode, got in samples.items():
        fin = [s["final"] for s in got]
        deltas = [s["delta"] for s in got if s["delta"] == s["delta"]]
        r = res[mode] = {"p50": statistics.median(fin), "p90": pct(fin, 0.9), "min": min(fin), "max": max(fin),
                         "ack_p50": statistics.median(s["ack"] for s in got),
                         "delta_p50": statistics.median(deltas) if deltas else None}
        print(f"  {turns} turns, fake {MODE_LABEL[mode]}: time to final p50 {r['p50']:.1f} ms, p90 {r['p90']:.1f} ms "
              f"(min {r['min']:.1f}, max {r['max']:.1f}); ack p50 {r['ack_p50']:.1f} ms; "
              f"first delta p50 {fmt(r['delta_p50'])} ms", flush=True)
    print(f"  gateway CPU {res['cpu_ms']:.1f} ms/turn ({nprocs} processes, {res['cpu_cores']:.2f} cores busy); "
          f"model requests/turn {res['model_req']:.2f} (warm-up {res['model_req_warm']:.2f}); other processes on "
          f"the machine {res['noise']['other_cores']:.2f} cores", flush=True)
    return res


def memory_bench(python: str) -> dict[str, Any]:
    script = HERE / "memory_bench.py"
    if not script.exists():
        return {"note": "bench/memory_bench.py does not exist yet"}
    print("\n== memory_search (bench/memory_bench.py, 10,000 entries) ==", flush=True)
    try:
        out = subprocess.run([python, str(script), "--entries", "10000"], cwd=REPO, capture_output=True,
                             text=True, timeout=150, start_new_session=True, check=False)
    except subprocess.TimeoutExpired:
        return {"note": "bench/memory_bench.py timed out"}
    got: dict[str, Any] = {}
    for name, key in (("p50", "p50"), ("p99", "p99")):
        m = re.search(rf"`search` latency {name} \(ms\)\s*\|\s*([0-9.]+)", out.stdout)
        if m:
            got[key] = float(m.group(1))
    if out.returncode != 0 or "p50" not in got:
        tail = (out.stderr or out.stdout).strip().splitlines()[-3:]
        return {"note": f"bench/memory_bench.py failed (exit {out.returncode}): {' / '.join(tail)}"}
    print(f"  search p50 {got['p50']:.3f} ms, p99 {got.get('p99', float('nan')):.3f} ms", flush=True)
    return got


# ---------------------------------------------------------------------------- report
def fmt(v: Any, spec: str = ".1f") -> str:
    return "n/a" if v is None else f"{v:{spec}}"


def build_rows(o: dict[str, Any], f: dict[str, Any], mem: dict[str, Any], turns: int) -> list[list[str]]:
    def verdict(ok: bool | None) -> str:
        return "n/a" if ok is None else ("PASS" if ok else "FAIL")

    def get(d: dict[str, Any], mode: str, key: str) -> Any:
        return (d.get(mode) or {}).get(key)

    rows: list[list[str]] = []
    target = f"≤ official / {TARGET_RATIO:g}"
    for mode in MODES:
        p50_label = f"`chat.send` → final `chat`, warm session, fake {MODE_LABEL[mode]}: p50 of {turns} (ms)"
        for key, label in (("p50", p50_label), ("p90", "… p90 (ms)")):
            a, b = get(o, mode, key), get(f, mode, key)
            rows.append([label, fmt(a), fmt(b), target,
                         verdict(a <= b / TARGET_RATIO if a is not None and b is not None else None)])
        rows.append(["… `chat.send` ack p50 / first `delta` p50 (ms)",
                     f"{fmt(get(o, mode, 'ack_p50'))} / {fmt(get(o, mode, 'delta_p50'))}",
                     f"{fmt(get(f, mode, 'ack_p50'))} / {fmt(get(f, mode, 'delta_p50'))}", "(info)", "—"])
    rows.append([f"gateway CPU per turn, whole process tree, {2 * turns} turns (ms)", fmt(o.get("cpu_ms")),
                 fmt(f.get("cpu_ms")), "(info)", "—"])
    rows.append(["model requests per turn (seen by the fake server)", fmt(o.get("model_req"), ".2f"),
                 fmt(f.get("model_req"), ".2f"), "(info)", "—"])
    mem_p50 = mem.get("p50")
    rows.append(["`memory_search` latency p50 / p99, 10,000 entries (ms)",
                 f"{fmt(mem_p50, '.3f')} / {fmt(mem.get('p99'), '.3f')}" if mem_p50 is not None else "n/a",
                 "—", f"p50 ≤ {TARGET_MEMORY_P50_MS:g}",
                 verdict(mem_p50 <= TARGET_MEMORY_P50_MS if mem_p50 is not None else None)])
    return rows


def build_section(table: str, info: list[tuple[str, str]], o: dict[str, Any], f: dict[str, Any],
                  mem: dict[str, Any], args: argparse.Namespace, runtime: float, notes: list[str]) -> str:
    busy = "".join(f"; {k}: {d['cpu_cores']:.2f} cores busy over {d['wall_s']:.1f} s, other processes on the "
                   f"machine {d['noise']['other_cores']:.2f} cores"
                   for k, d in (("ours", o), ("official", f)) if d.get("wall_s"))
    lines = [
        SECTION, "",
        "Produced by `bench/agent_bench.py`: both gateways in one run on the same machine, one in-process fake",
        "Anthropic Messages server (`tests/support/fake_anthropic.py`, SSE, answers `echo: <text>`) for both;",
        f"{args.warmup} warm-up turns, then {len(MODES) * args.turns} measured turns back to back on",
        f"`{SESSION_KEY}` over one operator connection. The fake sets `TCP_NODELAY` on its sockets, like a",
        "real API front end (without it, Nagle plus delayed ACKs added ~40 ms per reply to every client).", "",
        table, "",
        f"Total runtime {runtime:.0f} s." + (" " + " ".join(notes) if notes else ""), "",
        "- Both gateways share the machine with whatever else runs (\"other processes\" below); the official",
        "  gateway is CPU-bound per turn, so its figures swing with that load more than ours.",
        "- Time to final: `perf_counter` from just before `chat.send` is written to the `chat` event with the same",
        "  `runId` and `state:\"final\"`; each turn checks that the fake received the turn's text and that the",
        "  final message is the fake's echo.",
        "- CPU per turn: utime+stime (+ cutime/cstime of reaped children) from `/proc/<pid>/stat`, summed over the",
        "  gateway's process tree, before vs after the measured turns, divided by the turn count" + busy + ".",
        "- `memory_search`: `bench/memory_bench.py` as a subprocess after both gateways stopped"
        + (f" ({mem['note']})." if mem.get("note") else " (see its own section for details)."),
    ]
    for k, d in (("ours", o), ("official", f)):
        lines += [f"- {k}: error: {e}" for e in d.get("errors", [])]
    lines += ["", "Machine: " + "; ".join(f"{k}: {v}" for k, v in info), ""]
    return "\n".join(lines)


def update_section(path: Path, section: str) -> None:
    """Replace ``## Agent benchmark`` (up to the next ``## `` heading) in ``path``, or append it."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.DOTALL | re.MULTILINE)
    if pattern.search(text):
        text = pattern.sub(lambda _: section.rstrip("\n") + "\n\n", text, count=1)
    else:
        text = (text.rstrip("\n") + "\n\n" if text.strip() else "") + section
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


# ---------------------------------------------------------------------------- main
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--turns", type=int, default=30, help="measured turns per gateway (default 30)")
    ap.add_argument("--warmup", type=int, default=3, help="warm-up turns per gateway (default 3)")
    ap.add_argument("--only", choices=("ours", "official", "both"), default="both")
    ap.add_argument("--peer-dir", default=os.environ.get("OPENCLAW_PEER_DIR")
                    or str(Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "openclaw-peer"))
    ap.add_argument("--python", default=sys.executable, help="interpreter for our gateway and memory_bench")
    ap.add_argument("--no-memory", action="store_true", help="skip bench/memory_bench.py")
    ap.add_argument("--out", type=Path, help="markdown file whose '## Agent benchmark' section to write")
    ap.add_argument("--keep-tmp", action="store_true", help="keep gateway state dirs and logs")
    args = ap.parse_args()
    args.turns, args.warmup = max(1, args.turns), max(1, args.warmup)

    def on_term(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    gb.raise_nofile()
    t_start = time.perf_counter()
    peer = Path(args.peer_dir).expanduser()
    notes: list[str] = []
    run_official = args.only in ("official", "both")
    if run_official and not gb.OfficialGateway.available(peer):
        notes.append(f"Official peer not found in {peer}: ran our gateway only.")
        print(f"!! {notes[-1]}", flush=True)
        run_official = False
    run_ours = args.only in ("ours", "both")

    root = Path(tempfile.mkdtemp(prefix="ocagentbench-"))
    ours: dict[str, Any] = {}
    off: dict[str, Any] = {}
    mem: dict[str, Any] = {"note": "skipped (--no-memory)"}
    info: list[tuple[str, str]] = []
    try:
        with FakeAnthropic() as api:
            official = OfficialAgent(root, peer, api.base_url) if run_official else None
            info = gb.machine_info(official)

            async def go() -> None:
                nonlocal ours, off
                if run_ours:
                    ours = await measure(OursAgent(root, args.python, api.base_url), api, args.warmup, args.turns)
                if official is not None:
                    off = await measure(official, api, args.warmup, args.turns)

            try:
                asyncio.run(go())
            finally:
                gb.stop_all()  # gateways stop before the fake model goes away
        if not args.no_memory:
            mem = memory_bench(args.python)
    except KeyboardInterrupt:
        print("\ninterrupted; stopping gateways", file=sys.stderr)
        gb.stop_all()
        return 130
    finally:
        gb.stop_all()
        if args.keep_tmp:
            print(f"(state dirs and logs kept in {root})")
        else:
            shutil.rmtree(root, ignore_errors=True)

    runtime = time.perf_counter() - t_start
    table = gb.render(build_rows(ours, off, mem, args.turns))
    print("\n" + table + f"\n\ntotal runtime {runtime:.0f} s")
    if mem.get("note"):
        print(f"memory_search: {mem['note']}")
    print("\nMachine:\n" + "\n".join(f"- {k}: {v}" for k, v in info))
    if args.out:
        update_section(args.out, build_section(table, info, ours, off, mem, args, runtime, notes))
        print(f"updated section '{SECTION}' in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
