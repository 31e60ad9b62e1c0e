"""Benchmark of a large enterprise-year import, beside the reader's floor and the 30 s target.

    DATABASE_URL=... .venv/bin/python bench/import_bench.py [--rows 100000]

It migrates the database, loads the reference data and the demo users, creates the enterprises the file
names (a third of the rows: three years each, as the bureau's sheet has them) and writes the .xlsx. Each
measurement then runs in a fresh process, so its peak memory is its own:

* 仅读取（下限）: reading the file with the chosen reader (calamine) and nothing else;
* openpyxl只读（对照）, with ``--openpyxl``: the same with openpyxl's read-only mode, the reader before;
* 请求内数行数: what the request does before answering 202 (``count_rows``, the sheet's extent);
* 读表: the whole table building (``core.tabular.read_table``) that the import does before checking;
* 导入（新增）: the import service on that file, every enterprise-year new, history recorded;
* 导入（更新）: the same file again with changed figures, every row an update with before/after history.

Not a timed test: run it by hand and compare the figures with the target.
"""

import argparse
import datetime
import io
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
TARGET_SECONDS = 30
SERIAL_START = 7_000_000  # the bench's own enterprises, apart from the demo's and the scale generator's
IMPORTER = "ph_admin"


def setup() -> None:
    import django

    django.setup()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def prepare(rows: int, path: Path) -> None:
    """Database, reference data, enterprises, and the two .xlsx files (new figures, changed figures)."""
    setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from core.demo import load_demo_users
    from core.models import ChangeRecord, Region
    from core.seed import load_reference
    from enterprises.models import Enterprise
    from enterprises.services.imports import ENTERPRISE_COLUMNS
    from enterprises.services.synthetic import make_code

    if not Region.objects.filter(code="330482").exists():
        load_reference()
    load_demo_users()
    towns = list(Region.objects.filter(level="town", code__startswith="330482").order_by("code"))
    old = Enterprise.objects.filter(uscc__contains=f"MA{SERIAL_START // 100_000:02d}")
    ChangeRecord.objects.filter(note="导入企业年度数据").delete()
    old.delete()
    firms = (rows + 2) // 3
    today = datetime.date.today()
    years = [today.year - 3, today.year - 2, today.year - 1]
    rng = random.Random(2027)
    enterprises = []
    for serial in range(SERIAL_START, SERIAL_START + firms):
        town = towns[serial % len(towns)]
        enterprises.append(
            Enterprise(
                uscc=make_code(town.code, serial),
                name=f"基准测试企业{serial}有限公司",
                region=town,
                established=datetime.date(2005, 1, 1),
                is_demo=True,
            )
        )
    Enterprise.objects.bulk_create(enterprises, batch_size=5000)
    headers = [c.header for c in ENTERPRISE_COLUMNS]
    for suffix, scale in (("new", Decimal(1)), ("changed", Decimal("1.05"))):
        _write_xlsx(
            path.with_name(f"{path.stem}-{suffix}.xlsx"), headers, enterprises, years, rows, rng, scale
        )


def _write_xlsx(
    target: Path, headers, enterprises, years, rows: int, rng: random.Random, scale: Decimal
) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("企业年度数据")
    sheet.append(headers)
    written = 0
    for firm in enterprises:
        for year in years:
            if written == rows:
                break
            revenue = (Decimal(rng.randint(50_000, 5_000_000)) / 100 * scale).quantize(Decimal("0.01"))
            rd = (revenue * Decimal("0.045")).quantize(Decimal("0.01"))
            staff = rng.randint(20, 400)
            sheet.append(
                [
                    firm.uscc,
                    firm.name,
                    firm.region.name,
                    datetime.datetime(2005, 1, 1),
                    year,
                    float(revenue),
                    float(revenue * Decimal("0.88")),
                    float(rd),
                    float(rd * Decimal("0.8")),
                    float(revenue * Decimal("0.6")),
                    float(revenue * Decimal("1.1")),
                    float(revenue * Decimal("0.4")),
                    staff,
                    staff // 5,
                    rng.randint(0, 3),
                    rng.randint(0, 8),
                    "是" if revenue >= 2000 else "否",
                ]
            )
            written += 1
    buffer = io.BytesIO()
    book.save(buffer)
    target.write_bytes(buffer.getvalue())


def measure(step: str, file: Path) -> None:
    """One measurement in this (fresh) process; prints step, seconds, rows, peak MB separated by tabs."""
    setup()
    from core.models import User

    User.objects.exists()  # the database connection and Django's own imports count in the baseline
    baseline = peak_mb()
    data = file.read_bytes()
    if step == "floor":
        from python_calamine import CalamineWorkbook

        started = time.perf_counter()
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        count = sum(1 for _ in sheet.iter_rows()) - 1
    elif step == "openpyxl":
        from openpyxl import load_workbook

        started = time.perf_counter()
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        count = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True)) - 1
    elif step == "count":
        from core.tabular import count_rows

        started = time.perf_counter()
        count = count_rows(file.name, data) - 1
    elif step == "table":
        from core.tabular import read_table

        started = time.perf_counter()
        count = len(read_table(file.name, data, header_row_hint=["统一社会信用代码"]).rows)
    else:
        from enterprises.services.imports import import_enterprises

        user = User.objects.get(username=IMPORTER)
        started = time.perf_counter()
        result = import_enterprises(user=user, name=file.name, data=data)
        count = result["created"] + result["updated"]
    print(
        f"{step}\t{time.perf_counter() - started:.1f}\t{count}\t{peak_mb():.0f}\t{peak_mb() - baseline:.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--openpyxl", action="store_true", help="也测openpyxl只读模式的读取用时（对照）")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        measure(args.step, Path(args.file))
        return
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder) / "enterprise-years.xlsx"
        started = time.perf_counter()
        prepare(args.rows, base)
        new, changed = base.with_name(f"{base.stem}-new.xlsx"), base.with_name(f"{base.stem}-changed.xlsx")
        from django.db import connection

        print(f"数据库：{connection.vendor} {connection.settings_dict['NAME']}")
        print(
            f"准备数据 {time.perf_counter() - started:.0f} s；文件 {new.stat().st_size / 1024 / 1024:.1f} MB，"
            f"{args.rows} 行；目标：整个导入 {TARGET_SECONDS} s 以内"
        )
        print(f"{'步骤':<14}{'用时 s':>8}{'行数':>10}{'峰值内存 MB':>14}{'其中本步 MB':>14}{'占目标':>8}")
        steps = [("floor", new, "仅读取（下限）")]
        if args.openpyxl:
            steps.append(("openpyxl", new, "openpyxl只读（对照）"))
        steps += [
            ("count", new, "请求内数行数"),
            ("table", new, "读表"),
            ("import", new, "导入（新增）"),
            ("import", changed, "导入（更新）"),
        ]
        for step, file, label in steps:
            line = (
                subprocess.run(
                    [sys.executable, __file__, "--step", step, "--file", str(file)],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            _step, seconds, count, peak, own = line.split("\t")
            share = f"{float(seconds) / TARGET_SECONDS:.0%}"
            print(f"{label:<14}{seconds:>8}{count:>10}{peak:>14}{own:>14}{share:>8}")


if __name__ == "__main__":
    main()
