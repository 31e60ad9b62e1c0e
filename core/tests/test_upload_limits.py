"""Upload limits: the body size is checked before it is read, an .xlsx's unpacked size before it is opened."""

import io
import json
import time
import tracemalloc
import zipfile

import pytest
from django.test import RequestFactory, override_settings

from core.middleware import RequestSizeLimit
from core.tabular import TableFileError, read_table


def bomb(unpacked: int) -> bytes:
    """A zip that looks like a workbook and whose sheet expands to ``unpacked`` bytes of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"0" * (1024 * 1024)
            for _ in range(unpacked // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


def test_an_xlsx_bomb_is_refused_quickly_without_memory():
    data = bomb(1600 * 1024 * 1024)
    assert len(data) < 2 * 1024 * 1024
    tracemalloc.start()
    started = time.monotonic()
    with pytest.raises(TableFileError) as caught:
        read_table("bomb.xlsx", data)
    _size, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert time.monotonic() - started < 2
    assert peak < 20 * 1024 * 1024
    assert "解压" in str(caught.value)


@pytest.mark.parametrize("encoding,bom", [("utf-8", b"\xef\xbb\xbf"), ("gb18030", "\ufeff".encode("gb18030"))])
def test_a_bom_is_stripped_from_csv(encoding, bom):
    table = read_table("a.csv", bom + "名称,数值\n当湖街道,1\n".encode(encoding))
    assert table.headers == ["名称", "数值"]
    assert table.rows[0].cells["名称"] == "当湖街道"


class Unreadable(io.RawIOBase):
    def read(self, *args):
        raise AssertionError("the body was read")


@override_settings(KECHUANG_UPLOAD_MAX_BYTES=1000)
@pytest.mark.parametrize("path,json_body", [("/api/plans/X/values/import", True), ("/plans/import/", False)])
def test_a_body_over_the_limit_is_refused_before_it_is_read(path, json_body):
    request = RequestFactory().post(path, content_type="multipart/form-data; boundary=x")
    request.META["CONTENT_LENGTH"] = str(50 * 1024 * 1024)
    request.META["wsgi.input"] = Unreadable()
    request._stream = Unreadable()
    response = RequestSizeLimit(lambda r: pytest.fail("the view ran"))(request)
    assert response.status_code == 413
    text = response.content.decode()
    if json_body:
        text = json.loads(text)["errors"][0]["message"]
    assert text.startswith("上传内容过大")


@override_settings(KECHUANG_UPLOAD_MAX_BYTES=1000)
def test_a_body_within_the_limit_passes():
    request = RequestFactory().post("/api/x", data=b"a" * 10, content_type="application/octet-stream")
    assert RequestSizeLimit(lambda r: "passed")(request) == "passed"
