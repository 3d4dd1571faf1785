"""Benchmark for the live map (issue 18): 50 viewers on one 150-step map, one writer saving 10 cells a
second for 30 s, against the app served by uvicorn on PostgreSQL + Redis (the channel layer).

For each save, the delay from the moment the writer sends it (the HTTP request leaves) to the moment
each viewer's socket has received that change, rendered; a save some viewer never receives is dropped.
The server's CPU is its process's user + system time over the run, as cores in use.

    make bench-live      # PostgreSQL and Redis on 127.0.0.1 (SERVICES_DATABASE_URL, SERVICES_BROKER_URL)

Targets: p95 delay ≤ 300 ms, 0 dropped.
"""

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxhub.settings")
os.environ["DEBUG"] = "false"

import django

django.setup()

import psutil  # noqa: E402
import websockets  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench import database_label  # noqa: E402
from bench.journey_pages import build_journey, build_reference_data  # noqa: E402

TARGET_P95_MS = 300.0
MARKER = re.compile(r"bench-edit-(\d+)\b")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(len(ordered) * 0.95) - 1)]


def make_viewers(count: int) -> list[str]:
    """`count` executives (readers of the live map), each signed in: their session keys."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from cxhub.org.roles import Role

    group = Group.objects.get(name=Role.EXECUTIVE.value)
    sessions = []
    for n in range(count):
        user = get_user_model().objects.create_user(
            f"bench-viewer-{n}", password="x", first_name="Viewer", last_name=str(n)
        )
        user.groups.add(group)
        client = Client()
        client.force_login(user)
        sessions.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    return sessions


def start_server(port: int, database_name: str) -> subprocess.Popen:
    """uvicorn on the benchmark's database (the test database just made), one worker, DEBUG off (so its
    static files come from collectstatic, as in production)."""
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"], check=True)
    env = dict(os.environ)
    parts = urllib.parse.urlsplit(env["DATABASE_URL"])
    env["DATABASE_URL"] = urllib.parse.urlunsplit(parts._replace(path="/" + database_name))
    env["ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    env["LOG_LEVEL"] = "WARNING"
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "cxhub.asgi:application", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning", "--no-access-log"],
        env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("uvicorn did not start")


def writer_session(port: int, lead) -> tuple[str, str]:
    """The CX lead's session and CSRF token, as a browser would have them."""
    client = Client()
    client.force_login(lead)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/journeys/", headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"}
    )
    with urllib.request.urlopen(request) as response:
        cookies = response.headers.get_all("Set-Cookie") or []
        body = response.read().decode()
    token = next((c.split(";")[0].split("=", 1)[1] for c in cookies if c.startswith("csrftoken=")), "")
    if not token:
        token = re.search(r'"X-CSRFToken": "([^"]+)"', body).group(1)
    return session, token


def save(port: int, session: str, csrf: str, journey_id: int, step_id: int, version: int, n: int) -> int:
    data = urllib.parse.urlencode({"action": f"Customer action bench-edit-{n}", "version": version}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/journeys/{journey_id}/steps/{step_id}/action/",
        data=data,
        headers={
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
            "HX-Request": "true",
            "Referer": f"http://127.0.0.1:{port}/journeys/{journey_id}/",
        },
    )
    with urllib.request.urlopen(request) as response:
        return response.status


async def viewer(port: int, journey_id: int, session: str, received: dict[int, float], ready: asyncio.Event, stop):
    url = f"ws://127.0.0.1:{port}/ws/journeys/{journey_id}/?client=&lang=en"
    headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"}
    async with websockets.connect(
        url, additional_headers=headers, origin=f"http://127.0.0.1:{port}", max_size=None
    ) as ws:
        ready.set()
        while not stop.is_set():
            try:
                raw = await asyncio.wait_for(ws.recv(), timeout=0.5)
            except TimeoutError:
                continue
            message = json.loads(raw)
            if message.get("type") == "change":
                found = MARKER.search(message.get("html", ""))
                if found:
                    received.setdefault(int(found.group(1)), time.perf_counter())


async def run(args, port: int, journey, steps, writer: str, csrf: str, sessions: list[str]) -> dict:
    versions = {step.pk: step.version for step in steps}
    stop = asyncio.Event()
    received: list[dict[int, float]] = [{} for _ in sessions]
    readies = [asyncio.Event() for _ in sessions]
    tasks = [
        asyncio.create_task(viewer(port, journey.pk, s, received[i], readies[i], stop)) for i, s in enumerate(sessions)
    ]
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), timeout=30)
    await asyncio.sleep(1)  # every socket has joined the group
    loop = asyncio.get_running_loop()
    pool = ThreadPoolExecutor(max_workers=8)
    sent: dict[int, float] = {}
    edits = args.rate * args.seconds
    statuses = []
    server = psutil.Process(args.server_pid)
    cpu_before = server.cpu_times()
    started = time.perf_counter()
    pending = []
    for n in range(edits):
        due = started + n / args.rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        step = steps[n % len(steps)]  # round the map: each step edited again only after the rest
        version = versions[step.pk]
        versions[step.pk] += 1
        sent[n] = time.perf_counter()
        pending.append(loop.run_in_executor(pool, save, port, writer, csrf, journey.pk, step.pk, version, n))
    statuses = await asyncio.gather(*pending)
    await asyncio.sleep(3)  # the last saves' messages on their way
    wall = time.perf_counter() - started
    cpu_after = server.cpu_times()
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    pool.shutdown()
    delays = [(got[n] - sent[n]) * 1000 for got in received for n in sent if n in got]
    dropped = sum(1 for got in received for n in sent if n not in got)
    cpu = (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system)
    return {
        "edits": edits,
        "saved": sum(1 for s in statuses if s == 200),
        "delays": delays,
        "dropped": dropped,
        "cpu_cores": cpu / wall,
        "wall": wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--viewers", type=int, default=50)
    parser.add_argument("--rate", type=int, default=10, help="saves per second")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--steps", type=int, default=150)
    parser.add_argument("--port", type=int, default=8791)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL") or not settings.CHANNEL_LAYER_URL:
        sys.exit("bench/live_map.py needs DATABASE_URL (PostgreSQL) and a Redis CELERY_BROKER_URL: make bench-live")

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    test_name = connection.settings_dict["NAME"]
    server = None
    try:
        lead, touchpoints = build_reference_data()
        journey, _to_be = build_journey(lead, touchpoints, args.steps, 8)
        sessions = make_viewers(args.viewers)
        from journeys.models import Step

        steps = list(Step.objects.filter(stage__journey=journey).order_by("stage__position", "position"))
        server = start_server(args.port, test_name)
        writer, csrf = writer_session(args.port, lead)
        connection.close()
        args.server_pid = server.pid
        print(
            f"CX Hub live map benchmark — {database_label()}, Redis pub/sub channel layer, uvicorn (1 worker), "
            f"{args.steps}-step map"
        )
        result = asyncio.run(run(args, args.port, journey, steps, writer, csrf, sessions))
        delays = result["delays"]
        print(
            f"{args.viewers} viewers, one writer saving {args.rate} cells/s for {args.seconds} s: "
            f"{result['saved']} of {result['edits']} saves landed"
        )
        print(
            f"delay from save to each viewer's receipt: median {statistics.median(delays):.0f} ms, "
            f"p95 {p95(delays):.0f} ms, max {max(delays):.0f} ms over {len(delays)} deliveries "
            f"(target p95 ≤ {TARGET_P95_MS:.0f} ms)"
        )
        print(f"dropped updates: {result['dropped']} (target 0)")
        print(f"server CPU: {result['cpu_cores']:.2f} cores on average over {result['wall']:.0f} s")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
