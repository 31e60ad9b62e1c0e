"""What the benchmarks share: the median of repeated calls with their SQL count, and a signed-in GET."""

import statistics
import time


def timed(call, repeat: int) -> tuple[float, int]:
    """Median milliseconds of ``repeat`` calls and the most SQL queries one of them made."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, counts = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as seen:
            call()
        times.append((time.perf_counter() - started) * 1000)
        counts.append(len(seen))
    return statistics.median(times), max(counts)


def getter(client):
    """``get(url)`` → a call that requests ``url`` and insists on a 200."""
    def get(url):
        def call():
            response = client.get(url)
            assert response.status_code == 200, (url, response.content[:200])
        return call
    return get


def report(rows, repeat: int, target_ms: float, width: int = 28) -> None:
    print(f"{'步骤':<{width}}{'中位用时':>10}   SQL   对照")
    for label, call, judged in rows:
        median, count = timed(call, repeat)
        verdict = f"目标 < {target_ms:g} ms（{'达标' if median < target_ms else '未达标'}）" if judged else ""
        print(f"{label:<{width}}{median:>8.1f}ms   {count:>3}   {verdict}")
