"""Load test of the plan pages as an outsider measures them: wrk, 50 connections, 60 s each, DEBUG off.

    kechuang demo                                   # or: kechuang generate --scale province
    .venv/bin/python bench/load_bench.py            # prints the figures (needs Debian's wrk)
    .venv/bin/python bench/load_bench.py --plan SIM-990101 --indicator S01 --period 2025-06

It serves the app with gunicorn (two sync workers) on a free loopback port, with the load generator on the
same machine, signs in as the system admin and runs wrk against a static file and the empty page (the
floors), then the cockpit, an indicator page, the progress API and the ranking API. A Lua hook prints the
requests per second and the 50th, 95th and 99th latency percentiles; any answer that is not 200 fails the run.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from plans_bench import free_port, signed_in_opener, start_server  # noqa: E402 (the sibling benchmark)

# wrk's own --latency table has no 95th percentile; its done() hook can print any.
REPORT = """
done = function(summary, latency, requests)
  io.write(string.format("KC %d %d %d %.3f %.3f %.3f\\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout,
    summary.duration, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000))
end
"""


def run_wrk(url: str, cookie: str, *, connections: int, seconds: int, threads: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(REPORT)
    try:
        out = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "-s", script.name,
             "-H", f"Cookie: {cookie}", url], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    line = re.search(r"^KC (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+)$", out, re.M)
    if line is None:
        raise SystemExit(f"wrk 输出无法解析：\n{out}")
    requests, errors, micros = (int(line.group(i)) for i in (1, 2, 3))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors or non_2xx:
        raise SystemExit(f"{url}：{errors} 个错误，{non_2xx.group(1) if non_2xx else 0} 个非 2xx 应答\n{out}")
    return {"rps": requests / (micros / 1e6), "p50": float(line.group(4)), "p95": float(line.group(5)),
            "p99": float(line.group(6)), "requests": requests}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plan", default="PH315-2023")
    parser.add_argument("--indicator", default="PH01")
    parser.add_argument("--period", default="2024Q2")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("需要 wrk：apt-get install wrk")
    plan, ind, period = args.plan, args.indicator, args.period
    pages = [
        ("静态文件（下限）", "/static/core/kechuang.css"),
        ("空页面（下限）", "/health/"),
        ("驾驶舱", f"/plans/{plan}/?period={period}"),
        ("指标页", f"/plans/{plan}/indicators/{ind}/?period={period}"),
        ("进度接口", f"/api/plans/{plan}/progress/?period={period}"),
        ("排名接口", f"/api/plans/{plan}/ranking/?indicator={ind}&period={period}"),
    ]
    port = free_port()
    server = start_server(port, workers=args.workers)
    try:
        base = f"http://127.0.0.1:{port}"
        opener = signed_in_opener(base)
        cookie = "; ".join(f"{k}={v}" for k, v in opener.cookies.items())
        results = []
        for label, path in pages:
            opener.open(base + path).read()  # one request first: a miss fills the cache, as in daily use
            results.append((label, run_wrk(base + path, cookie, connections=args.connections,
                                           seconds=args.seconds, threads=args.threads)))
    finally:
        server.terminate()
        server.wait()
    database = os.environ.get("DATABASE_URL", "sqlite").split("@")[-1]
    print(f"数据库：{database}；gunicorn {args.workers} 个进程；wrk {args.connections} 个连接 × {args.seconds} 秒，"
          f"与服务同机")
    print(f"{'页面':<14}{'请求/秒':>10}{'P50 ms':>10}{'P95 ms':>10}{'P99 ms':>10}{'请求数':>10}")
    for label, r in results:
        print(f"{label:<14}{r['rps']:>10.1f}{r['p50']:>10.1f}{r['p95']:>10.1f}{r['p99']:>10.1f}{r['requests']:>10}")


if __name__ == "__main__":
    main()
