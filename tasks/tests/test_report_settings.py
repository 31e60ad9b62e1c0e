"""督办与报告设置: thresholds and competition weights per plan, edited by the bureau."""

import pytest

from core.models import ChangeRecord
from tasks.models import ReportSettings

pytestmark = pytest.mark.django_db
URL = "/tasks/reports/PH315-2023/settings/"


def test_admin_sets_weights_and_threshold(client, users, plans):
    client.force_login(users["ph_admin"])
    assert client.get(URL).status_code == 200
    response = client.post(URL, {"lag_threshold": "15", "report_day": "10", "task_weight": "2",
                                 "indicator_weights": "PH01=2\nPH05=0.5\n"})
    assert response.status_code == 302
    saved = ReportSettings.objects.get(plan=plans["PH315-2023"])
    assert (saved.lag_threshold, saved.report_day, saved.indicator_weights) == (15, 10, {"PH01": "2", "PH05": "0.5"})
    assert ChangeRecord.objects.filter(object_id=str(saved.pk), content_type__model="reportsettings").exists()


@pytest.mark.parametrize(("weights", "day"), [("XX99=1", "5"), ("PH01=-1", "5"), ("PH01=abc", "5"),
                                              ("PH01", "5"), ("", "31")])
def test_bad_settings_are_refused(client, users, plans, weights, day):
    client.force_login(users["ph_admin"])
    response = client.post(URL, {"lag_threshold": "10", "report_day": day, "task_weight": "1",
                                 "indicator_weights": weights})
    assert response.status_code == 200
    assert not ReportSettings.objects.filter(plan=plans["PH315-2023"]).exists()


@pytest.mark.parametrize("username", ["ph_leader", "ph_fgj", "js_admin"])
def test_only_the_region_admin_edits(client, users, plans, username):
    client.force_login(users[username])
    assert client.get(URL).status_code in (403, 404)
