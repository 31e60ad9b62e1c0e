"""Every import refuses NUL bytes and over-long text cells with a Chinese row problem."""

import pytest

from core.cells import CellError, parse_text
from core.errors import ImportRejected
from core.imports import Column, ImportSpec


def spec(written: list) -> ImportSpec:
    return ImportSpec(columns=[Column("名称", max_length=10), Column("说明", required=False)],
                      check_row=lambda row: (row.cell("名称", parse_text), row.cell("说明", parse_text)),
                      write=written.extend)


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.parametrize("csv", ["名称,说明\na\x00b,x\n", "名称,说明\n" + "长" * 11 + ",x\n",
                                 "名称,说明\nok," + "长" * 100_000 + "\n"])
def test_nul_and_overlong_cells_are_row_problems(csv):
    written: list = []
    with pytest.raises(ImportRejected) as caught:
        spec(written).run("a.csv", csv.encode("utf-8"))
    assert written == []
    (problem,) = caught.value.problems
    assert problem.row == 2 and chinese(problem.message)


@pytest.mark.django_db
def test_text_within_its_length_is_imported():
    written: list = []
    spec(written).run("a.csv", ("名称,说明\n" + "长" * 10 + ",x\n").encode("utf-8"))
    assert written == [("长" * 10, "x")]


def test_parse_text_refuses_a_nul_byte():
    with pytest.raises(CellError):
        parse_text("a\x00b")
