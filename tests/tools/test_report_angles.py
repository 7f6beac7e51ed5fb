"""The report's angles-only section (issue #15) from a run's tables: the
detection and handover times from the run start and their truth ranges, the
range error's p95 and max, the per-range table; rendered with and without an
angles-only phase, and without a detection."""

from __future__ import annotations

import pytest
from fsw_tools.report import sections
from fsw_tools.report.render import environment
from lxml import html as lhtml
from test_score_angles import _feed


def _render(angles: object) -> lhtml.HtmlElement:
    page = environment().get_template("run_report_angles.html.j2").render(angles=angles)
    (sec,) = lhtml.fromstring(f"<div>{page}</div>").xpath("//section[@id='angles']")
    return sec


def _cells(sec: lhtml.HtmlElement, table: int) -> list[list[str]]:
    return [[" ".join(c.text_content().split()) for c in tr.xpath("./th|./td")]
            for tr in sec.xpath(".//table")[table].xpath(".//tr")]


def test_section_with_an_angles_only_phase() -> None:
    a = sections.angles(_feed(), t0=100.0)
    assert a["phase"] and a["epochs"] == 40
    assert a["detection_s"] == pytest.approx(10.2) and a["handover_s"] == pytest.approx(50.2)
    assert a["detection_range_km"] == pytest.approx(19.898)
    assert a["handover_range_km"] == pytest.approx(19.498)
    assert a["err_p95"] == pytest.approx(0.0416) and a["err_max"] == pytest.approx(0.25)
    sec = _render(a)
    _head, body = _cells(sec, 0)
    assert body == ["10 s", "19.898 km", "50 s", "19.498 km", "40", "4.16 %", "25.00 %"]
    assert _cells(sec, 1)[1][:2] == ["10 - 20", "40"]


def test_section_without_phase_and_without_detection() -> None:
    tables = _feed()
    del tables["RELNAV"]["ranged"]  # today's sensor: every detection ranged
    a = sections.angles(tables, t0=100.0)
    assert not a["phase"] and a["epochs"] is None and a["handover_s"] == a["detection_s"]
    sec = _render(a)
    assert len(sec.xpath(".//table")) == 1
    assert _cells(sec, 0)[1][4:] == ["–", "–", "–"]
    assert "No angles-only phase in this run" in sec.text_content()
    tables["RELNAV"]["valid"] = [0] * len(tables["RELNAV"]["valid"])
    assert sections.angles(tables, t0=100.0) is None
    assert "never detected the target" in _render(None).text_content()
