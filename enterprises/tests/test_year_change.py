"""较上年增减 of the ladder: the pure rule (with hypothesis) and the figures the 梯队 page shows."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from enterprises.models import Enterprise
from enterprises.queries import ladder
from enterprises.tests.conftest import HITECH, JS_TOWN, PH_COUNTY, SME, make_firm
from enterprises.year_change import Change, year_over_year

D = datetime.date
counts = st.integers(min_value=0, max_value=10**6)


def test_texts_of_a_change():
    assert Change(9, 8).text == "较上年+1（+12.5%）"
    assert Change(1, 2).text == "较上年-1（-50.0%）"
    assert Change(3, 3).text == "较上年持平"
    assert Change(2, 0).text == "较上年+2"  # from nothing: no percentage
    assert Change(2, None).text == "—"
    assert [Change(2, 1).direction, Change(1, 2).direction, Change(1, 1).direction, Change(1, None).direction] == [
        "up", "down", "same", "unknown"]
    assert Change(2, 3).percent == Decimal("-33.3") and Change(1, 3).percent == Decimal("-66.7")


@given(st.integers(min_value=1, max_value=6).flatmap(
    lambda n: st.lists(st.lists(counts, min_size=n, max_size=n), min_size=1, max_size=6)))
def test_each_year_is_compared_with_the_one_before(rows):
    changes = year_over_year(rows)
    assert all(c.before is None and c.text == "—" for c in changes[0])
    for previous, row, row_changes in zip(rows, rows[1:], changes[1:], strict=False):
        assert [c.diff for c in row_changes] == [now - before for now, before in zip(row, previous, strict=True)]
        assert [c.now for c in row_changes] == row


@given(counts, counts)
def test_the_percentage_follows_the_difference(now, before):
    change = Change(now, before)
    if before == 0:
        assert change.percent is None
    else:
        assert abs(change.percent - Decimal(now - before) * 100 / before) <= Decimal("0.05")
        assert (change.percent > 0) == (now > before) or change.percent == 0


def test_the_first_row_is_compared_with_the_baseline():
    assert [c.diff for c in year_over_year([[3, 1]], baseline=[1, 1])[0]] == [2, 0]
    with pytest.raises(ValueError):
        year_over_year([[1, 2]], baseline=[1])


@pytest.mark.django_db
def test_ladder_rows_carry_the_change_from_the_year_before(rulesets):
    make_firm(quals=[(SME, D(2021, 5, 1)), (HITECH, D(2023, 11, 1))])
    make_firm(quals=[(HITECH, D(2021, 12, 1))])  # valid to 2024-11-30
    make_firm(quals=[(SME, D(2022, 3, 1))])
    pinghu = Enterprise.objects.filter(region__code__startswith=PH_COUNTY)
    rows = ladder(pinghu, [2022, 2023, 2024], today=D(2025, 8, 1))["rows"]
    assert [row["held"][:2] for row in rows] == [[1, 1], [0, 2], [0, 1]]  # a 科小 registration lasts a year
    # 2021's end: one 科小 and one 高企 — the first row shown has its change too.
    assert [[c.diff for c in row["yoy"][:2]] for row in rows] == [[0, 0], [-1, 1], [0, -1]]
    assert [c.text for c in rows[1]["yoy"][:2]] == ["较上年-1（-100.0%）", "较上年+1（+100.0%）"]
    assert [c.text for c in rows[2]["yoy"][:2]] == ["较上年持平", "较上年-1（-50.0%）"]


@pytest.mark.django_db
def test_the_ladder_page_shows_each_years_change(client, rulesets, users):
    last = timezone.localdate().year - 1
    make_firm(quals=[(HITECH, D(last - 1, 6, 1))])
    make_firm(quals=[(HITECH, D(last, 6, 1))])
    make_firm(region=JS_TOWN, quals=[(HITECH, D(last, 6, 1))])  # 嘉善: not ph_admin's
    client.force_login(users["ph_admin"])
    page = client.get("/enterprises/ladder/").content.decode()
    row = re.search(rf'<tr class="small" data-testid="yoy-{last}">(.*?)</tr>', page).group(1)
    cells = re.findall(r'<td class="num ([^"]+)">([^<]+)</td>', row)
    assert cells[1] == ("text-success", "较上年+1（+100.0%）")  # 高企: 1 at the end of the year before, then 2
    assert cells[0] == ("text-muted", "较上年持平")
