"""Benchmark of the plan pages on generated province-scale data.

    DATABASE_URL=... kechuang generate --scale province      # once, a few minutes
    DATABASE_URL=... .venv/bin/python bench/plans_bench.py   # prints the figures

It serves the app with gunicorn (one sync worker) on a free loopback port, signs in as the system admin,
and times repeated requests: an empty page (the framework's floor), one county's cockpit, an indicator
page with its town ranking, and the province-wide ranking of the 90 counties (page and API). It also
counts the SQL queries of each request in-process, on the generated data and on the small demo plan, to
show that the count does not grow with the data.
"""

import argparse
import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")

PAGES = [
    ("空页面（框架下限）", "/health/"),
    ("县级驾驶舱", "/plans/SIM-990101/"),
    ("指标页（含镇街道排名）", "/plans/SIM-990101/indicators/S01/"),
    ("全省排名页（90个县）", "/plans/SIM-PROV/indicators/S01/?period=2025-06"),
    ("全省排名接口（90个县）", "/api/plans/SIM-PROV/ranking/?indicator=S01&period=2025-06"),
]
DEMO_PAGES = {
    "/plans/SIM-990101/": "/plans/PH315-2023/",
    "/plans/SIM-990101/indicators/S01/": "/plans/PH315-2023/indicators/PH01/",
    "/plans/SIM-PROV/indicators/S01/?period=2025-06": "/plans/PH315-2023/indicators/PH01/?period=2024Q2",
    "/api/plans/SIM-PROV/ranking/?indicator=S01&period=2025-06":
        "/api/plans/PH315-2023/ranking/?indicator=PH01&period=2024Q2",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, workers: int = 1) -> subprocess.Popen:
    env = {**os.environ, "KECHUANG_DEBUG": "0", "KECHUANG_SSL_REDIRECT": "0", "KECHUANG_SECURE_COOKIES": "0",
           "KECHUANG_SECRET_KEY": "benchmark-only-" + "x" * 40, "KECHUANG_ALLOWED_HOSTS": "127.0.0.1"}
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "kechuang.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers),
         "--timeout", "120", "--log-level", "warning"], cwd=ROOT, env=env)
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("服务未能启动")


def signed_in_opener(base: str):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"username": "admin", "password": "Kechuang@2026",
                                   "csrfmiddlewaretoken": token}).encode()
    request = urllib.request.Request(base + "/login/", data=data, headers={"Referer": base + "/login/"})
    opener.open(request).read()
    opener.cookies = {c.name: c.value for c in jar}
    return opener


def timed(opener, url: str, repeat: int) -> list[float]:
    for _ in range(2):
        opener.open(url).read()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = opener.open(url)
        response.read()
        times.append((time.perf_counter() - started) * 1000)
        assert response.status == 200, url
    return times


def query_counts(paths: list[str]) -> dict[str, int]:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from core.models import User

    setup_test_environment()
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    counts = {}
    for path in paths:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        if response.status_code == 404 and path in DEMO_PAGES.values():
            continue  # a generated database without the demo plans: their counts are left blank
        assert response.status_code == 200, (path, response.status_code)
        counts[path] = len(captured)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    database = os.environ.get("DATABASE_URL", "sqlite (data/kechuang.sqlite3)")
    port = free_port()
    server = start_server(port)
    try:
        base = f"http://127.0.0.1:{port}"
        opener = signed_in_opener(base)
        results = [(label, path, timed(opener, base + path, args.repeat)) for label, path in PAGES]
    finally:
        server.terminate()
        server.wait()
    counts = query_counts([p for _l, p in PAGES] + list(DEMO_PAGES.values()))
    from plans.models import IndicatorValue

    print(f"数据库：{database.split('@')[-1]}；指标数据 {IndicatorValue.objects.count():,} 条；每项 {args.repeat} 次请求")
    print(f"{'页面':<22}{'中位数 ms':>10}{'P90 ms':>10}{'SQL 条数':>10}{'演示规划 SQL':>12}")
    for label, path, times in results:
        p90 = statistics.quantiles(times, n=10)[-1]
        demo = counts.get(DEMO_PAGES.get(path, ""), "")
        print(f"{label:<22}{statistics.median(times):>10.1f}{p90:>10.1f}{counts[path]:>10}{demo!s:>12}")


if __name__ == "__main__":
    main()
