"""The metrics benchmark (bench/run.py) on the embedded PostgreSQL server and on another server, one
after the other on the same machine and data, side by side:

    .venv/bin/python bench/servers.py --interactions 1000000
    .venv/bin/python bench/servers.py --interactions 100000 --database-url postgres://postgres@127.0.0.1:5432/test
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(label: str, database_url: str | None, args: argparse.Namespace, out: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    if database_url:
        env["DATABASE_URL"] = database_url
    command = [sys.executable, "bench/run.py", "--interactions", str(args.interactions), "--json", str(out)]
    command += ["--repeat", str(args.repeat), "--load-requests", str(args.load_requests)]
    print(f"== {label}: {' '.join(command[1:])}", flush=True)
    subprocess.run(command, cwd=ROOT, env=env, check=True)
    return json.loads(out.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--load-requests", type=int, default=200)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/test")
    parser.add_argument("--json", type=Path, help="also write both results here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        embedded = run("embedded server", None, args, Path(directory) / "embedded.json")
        server = run("DATABASE_URL", args.database_url, args, Path(directory) / "server.json")
    if args.json:
        args.json.write_text(json.dumps({"embedded": embedded, "server": server}, indent=2))

    e, s = embedded, server
    print()
    print(f"{'':46} {e['machine']['database']:>24} {s['machine']['database']:>30}")

    def median(values: list[float]) -> float:
        return statistics.median(values)

    rows = [
        ("import interactions, rows/s", e["imports"]["interactions"]["rows_per_s"],
         s["imports"]["interactions"]["rows_per_s"]),
        ("import vs COPY csv", f"{e['imports']['interactions']['ratio']}×",
         f"{s['imports']['interactions']['ratio']}×"),
        ("full recompute, s (median)", median(e["full_recompute"]["seconds"]), median(s["full_recompute"]["seconds"])),
        ("… service rollups vs reference", f"{e['full_recompute']['ratio']}×", f"{s['full_recompute']['ratio']}×"),
        ("incremental, one-day import, s (median)", median(e["incremental_recompute"]["seconds"]),
         median(s["incremental_recompute"]["seconds"])),
    ]  # fmt: skip
    for label in e["pages"]:
        rows.append((f"{label}, p95 ms", e["pages"][label]["p95_ms"], s["pages"][label]["p95_ms"]))
    loads = [run_["pages_during_full_recompute"] for run_ in (e, s)]
    rows.append(
        (
            "pages during a full recompute: requests",
            *(f"{load['requests']} ({load['threads']} clients)" for load in loads),
        )
    )
    rows.append(("… errors", *(load["errors"] for load in loads)))
    rows.append(("… p95 ms (median)", *(f"{load['p95_ms']} ({load['median_ms']})" for load in loads)))
    for label, left, right in rows:
        print(f"{label:46} {left!s:>24} {right!s:>30}")


if __name__ == "__main__":
    main()
