"""The 督办看板's timeline in a real browser: every task with a deadline has a bar and its own label (the
chart used to be too short for its rows, so ECharts left most of them unnamed)."""

import pytest

from tasks.models import KeyTask
from tasks.services.seed import load_tasks
from tests.browser.helpers import log_in

PLAN = "PH315-2023"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_timeline_names_every_task(live_server, users, page, page_errors):
    load_tasks(users["admin"])
    codes = list(KeyTask.objects.filter(plan__code=PLAN, deadline__isnull=False).values_list("code", flat=True))
    assert len(codes) > 20  # enough rows that a chart of the old height skipped labels
    base = live_server.url
    log_in(page, base, "ph_admin")
    page.goto(f"{base}/tasks/board/{PLAN}/")
    chart = page.locator('[data-chart-kind="gantt"] svg')
    chart.wait_for()
    texts = chart.locator("text")
    # A label is "<code> <title>", truncated to the axis' width: its code always shows.
    labels = {}
    for index in range(texts.count()):
        label = texts.nth(index)
        code = (label.text_content() or "").split(" ", 1)[0]
        if code in codes:
            labels[code] = label.bounding_box()
    assert set(codes) <= set(labels), sorted(set(codes) - set(labels))
    # ... and each can be read: no label overlaps the next one.
    boxes = sorted(labels.values(), key=lambda box: box["y"])
    overlaps = [(a["y"], b["y"]) for a, b in zip(boxes, boxes[1:], strict=False)
                if a["y"] + a["height"] > b["y"] + 0.5]
    assert overlaps == [], overlaps
    box = chart.bounding_box()
    assert box["height"] >= 28 * len(codes)
    assert page.locator('[data-testid="undated"]').count() == 0  # every seeded task has a deadline
    assert page_errors == []
