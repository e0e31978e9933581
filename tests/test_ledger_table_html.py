"""The report's claims table fits a laptop's page: six columns (claim with its quote, who/when,
verdict, deciding statistic, scenario, belief profiles) instead of twelve, which scrolled sideways
at 1280 px; an untested claim's reason spans three cells; long names may wrap at underscores."""

import re

from costsim.ledger.render import to_html

TESTED = {"id": "essay.x_claim", "quote": "q", "who": "w", "source": "hn2025", "date": "2025-01-29",
          "kind": "arithmetic", "scenario": "export_controls_base", "check": "c", "verdict": "holds",
          "probability": 0.5, "mc_se": 0.01, "reason": "", "later": None,
          "profiles": {"essay": "holds", "critics": "fails"}}
UNTESTED = {**TESTED, "id": "essay.y_claim", "scenario": None, "check": "", "verdict": "untested",
            "probability": None, "mc_se": None, "reason": "not observable", "profiles": {}}


def _rows(page):
    return re.findall(r"<tr>(.*?)</tr>", page, re.S)


def test_six_columns_and_every_row_fills_them():
    page = to_html([TESTED, UNTESTED])
    head, tested, untested = _rows(page)
    assert head.count("<th>") == 6
    assert tested.count("<td>") == 6
    assert untested.count("<td") == 4 and '<td colspan="3">' in untested and "not observable" in untested


def test_profiles_are_listed_in_one_cell_with_their_agreement_and_left_empty_when_untested():
    page = to_html([TESTED, UNTESTED])
    _, tested, untested = _rows(page)
    last = re.findall(r"<td>(.*?)</td>", tested, re.S)[-1]
    assert "essay: holds" in last and "critics: fails" in last and "only essay supports" in last
    assert re.findall(r"<td>(.*?)</td>", untested, re.S)[-1] == ""


def test_long_names_may_wrap_after_underscores():
    page = to_html([TESTED])
    assert "export_<wbr>controls_<wbr>base" in page
