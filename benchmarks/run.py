"""``make bench``: run every benchmark, each in its own process, and write docs/benchmarks.md.

Each benchmark module prints one Markdown section (``## …``) with its result and the baseline measured in
the same run. Database benchmarks run once per database: PostgreSQL (``BENCH_POSTGRES_URL``, default the
local server) and SQLite. ``BENCH_SCALE`` (default 1.0) scales every size, for a quick smoke run.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
SQLITE_URL = f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}"

# (module, databases it runs against: "postgres", "sqlite" or None for a pure benchmark, scale factor)
BENCHMARKS: list[tuple[str, list[str | None], float]] = [
    ("benchmarks.valuation", [None], 1.0),
    ("benchmarks.registry_import", ["postgres", "sqlite"], 1.0),
    ("benchmarks.origination", ["postgres"], 1.0),
    ("benchmarks.cob", ["postgres", "sqlite"], 1.0),
    ("benchmarks.fund_simulation", [None], 1.0),
]
# SQLite gets a smaller run where the issue asks only to "report SQLite too".
SQLITE_SCALE = {"benchmarks.registry_import": 0.2, "benchmarks.cob": 0.1}


def _machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores ({cpu}){mem}, Python {platform.python_version()}, {platform.system()}"


MARKER = re.compile(r"<!-- bench:(?P<key>[\w.:]+) -->\n(?P<body>.*?)<!-- /bench -->\n", re.S)


def _previous_sections(path: Path) -> dict[str, str]:
    """Sections of an earlier run, by key, so a partial run (``make bench ARGS=name``) keeps the others."""
    if not path.exists():
        return {}
    return {m["key"]: m["body"] for m in MARKER.finditer(path.read_text(encoding="utf-8"))}


def main() -> int:
    scale = float(os.environ.get("BENCH_SCALE", "1.0"))
    only = sys.argv[1:]
    output = ROOT / "docs" / "benchmarks.md"
    previous = _previous_sections(output)
    sections: list[str] = []
    for module, databases, base_scale in BENCHMARKS:
        for database in databases:
            key = f"{module}:{database or 'none'}"
            if only and module.rsplit(".", 1)[-1] not in only:
                if key in previous:
                    sections.append(f"<!-- bench:{key} -->\n{previous[key]}<!-- /bench -->\n")
                continue
            env = dict(os.environ)
            module_scale = base_scale * scale
            if database == "postgres":
                env["DATABASE_URL"] = POSTGRES_URL
            elif database == "sqlite":
                env["DATABASE_URL"] = SQLITE_URL
                module_scale *= SQLITE_SCALE.get(module, 1.0)
            label = f"{module} ({database or 'no database'}, scale {module_scale:g})"
            print(f"running {label} …", flush=True)
            started = time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", module, "--scale", str(module_scale)], env=env,
                                  cwd=ROOT, capture_output=True, text=True)
            took = time.perf_counter() - started
            if proc.returncode != 0:
                print(proc.stdout[-4000:], proc.stderr[-4000:], file=sys.stderr)
                body = f"## {module} ({database}) FAILED\n\n```\n{proc.stderr[-2000:]}\n```\n"
            else:
                print(proc.stdout)
                body = (proc.stdout.strip() + f"\n\n_(wall time of this benchmark: {took:.0f} s, run at "
                        f"{datetime.now().isoformat(timespec='seconds')})_\n")
            sections.append(f"<!-- bench:{key} -->\n{body}<!-- /bench -->\n")
    header = (
        "# Benchmarks\n\n"
        "Written by `make bench` (`benchmarks/run.py`); do not edit by hand. Benchmarks are measurements, not tests:\n"
        "no test asserts a timing. Each section shows the target from its issue, the result, and a baseline\n"
        "measured in the same run on the same machine.\n\n"
        f"- last run at: {datetime.now().isoformat(timespec='seconds')}"
        f"{' (only: ' + ', '.join(only) + '; other sections kept from earlier runs)' if only else ''}\n"
        f"- machine: {_machine()}\n"
        f"- scale: {scale:g}\n\n"
    )
    output.write_text(header + "\n".join(sections), encoding="utf-8")
    print("wrote docs/benchmarks.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
