"""Generated enterprises: certificate numbers in their issuers' formats, and the command on an empty database."""

import re

import pytest
from django.core.management import call_command

from core.models import Region
from enterprises.models import Enterprise, Qualification
from enterprises.services import synthetic

HITECH_NUMBER = re.compile(r"GR(?P<year>\d{4})(?P<province>\d{2})0\d{5}")       # GR202333012345
SME_NUMBER = re.compile(r"(?P<year>\d{4})(?P<county>\d{6})A0\d{5}")           # 2023330482A012345


def test_certificate_numbers_follow_each_issuers_format():
    hitech = synthetic.certificate_number("高新技术企业", "330482001", 2023, 1_234_567)
    sme = synthetic.certificate_number("科技型中小企业", "330482001", 2024, 42)
    other = synthetic.certificate_number("省科技小巨人企业", "330482001", 2024, 42)
    assert (hitech, sme) == ("GR202333034567", "2024330482A000042")
    assert HITECH_NUMBER.fullmatch(hitech) and SME_NUMBER.fullmatch(sme)
    assert not SME_NUMBER.fullmatch(hitech) and not HITECH_NUMBER.fullmatch(sme)
    assert not HITECH_NUMBER.fullmatch(other) and not SME_NUMBER.fullmatch(other)


@pytest.mark.django_db
def test_generated_qualifications_carry_numbers_of_their_type(reference):
    towns = list(Region.objects.filter(level="town", code__startswith="330482").order_by("code"))
    synthetic.create(towns, 300, years=[2022, 2023, 2024], seed=315)
    quals = list(Qualification.objects.filter(enterprise__is_demo=True).select_related("enterprise__region"))
    kinds = {q.type for q in quals}
    assert {"高新技术企业", "科技型中小企业"} <= kinds
    for q in quals:
        if q.type == "高新技术企业":
            found = HITECH_NUMBER.fullmatch(q.number)
            assert found and (found["year"], found["province"]) == (str(q.issued.year), "33"), q.number
        elif q.type == "科技型中小企业":
            found = SME_NUMBER.fullmatch(q.number)
            assert found and (found["year"], found["county"]) == (str(q.issued.year), q.enterprise.region.code[:6])
        else:
            assert not HITECH_NUMBER.fullmatch(q.number) and not SME_NUMBER.fullmatch(q.number), q.number


@pytest.mark.django_db(transaction=True)
def test_generate_enterprises_on_an_empty_database_creates_the_towns(capsys):
    call_command("flush", interactive=False, verbosity=0)
    assert not Region.objects.exists()
    call_command("generate", enterprises=40, seed=1)
    out = capsys.readouterr().out
    assert "已载入基础区划" in out and "已生成 40 家模拟企业" in out
    assert Enterprise.objects.count() == 40
    towns = set(Enterprise.objects.values_list("region__level", flat=True))
    assert towns == {"town"}
    assert Enterprise.objects.values("region").distinct().count() > 1  # spread over the towns
