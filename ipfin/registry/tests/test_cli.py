"""``ipfin validate`` / ``ipfin import`` / ``ipfin export`` exit codes and output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ipfin.cli import run
from ipfin.domain.registry.patent_number import build_patent_number
from ipfin.registry.models import Enterprise, IpAsset


def test_validate_uscc(capsys: Any) -> None:
    assert run(["validate", "uscc", "9144 0300 7152 6726 xg", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["uscc"] == "9144030071526726XG"
    assert run(["validate", "uscc", "9144030071526726XH"]) == 2
    assert "check character is wrong" in capsys.readouterr().err


def test_validate_patent_number(capsys: Any) -> None:
    assert run(["validate", "patent-number", "ZL200310102344.5"]) == 0
    assert capsys.readouterr().out.strip() == "200310102344.5  invention  2003"
    assert run(["validate", "patent-number", "20201900001.1"]) == 2
    assert capsys.readouterr().err.startswith("error: ")
    number = build_patent_number(2020, "9", 5)
    assert run(["validate", "patent-number", number, "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert (payload["kind"], payload["is_pct"], payload["filing_year"]) == ("utility_model", True, 2020)


@pytest.mark.django_db
def test_import_and_export(tmp_path: Path, capsys: Any, baotou_enterprise: Enterprise) -> None:
    path = tmp_path / "assets.csv"
    path.write_text("类型,号码,名称,权利人,申请日\n"
                    f"专利,{build_patent_number(2020, '1', 1)},一种钢轨,{baotou_enterprise.uscc},2020-01-02\n",
                    encoding="utf-8")
    assert run(["import", "ip-assets", str(path), "--dry-run"]) == 0
    assert "试导入" in capsys.readouterr().out and not IpAsset.objects.exists()
    assert run(["import", "ip-assets", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["created"] == 1
    bad = tmp_path / "bad.csv"
    bad.write_text("类型,号码,名称,权利人,申请日\n专利,123,x,y,2020-01-02\n", encoding="utf-8")
    assert run(["import", "ip-assets", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "第 2 行，列「号码」" in err and IpAsset.objects.count() == 1
    assert run(["import", "ip-assets", str(tmp_path / "missing.csv")]) == 2
    out = tmp_path / "assets.xlsx"
    assert run(["export", "ip-assets", str(out)]) == 0
    assert out.read_bytes()[:4] == b"PK\x03\x04"
    assert run(["export", "enterprises", str(tmp_path / "e.csv")]) == 2
