"""Explanations of failing claims (tlrepro.findings): attached next to the verdict, checked against the
data, flagged when stale, and shown by the scorecard and the figure card."""
import json

import pytest

from tlrepro.findings import FindingsError, annotate, load_findings, status
from tlrepro.scorecard import figure_card_html, scorecard_markdown, scorecard_rows

CAUSE = {"cause": "the features are not Gaussian (readout z = 6.5)", "docs": "docs/p.md#why",
         "premises": [{"verdict": "readout", "passed": False},
                      {"verdict": "theory", "number": "max_abs_z", "above": 3.0}]}


def _claims(readout_passed=False, z=6.0, theory_passed=False):
    return {"claims": [
        {"id": "theory", "passed": theory_passed, "numbers": {"max_abs_z": z}, "source": "Paper"},
        {"id": "readout", "passed": readout_passed, "numbers": {}, "source": "this workflow (check)"},
        {"id": "other", "passed": False, "numbers": {}, "source": "Paper"}]}


def test_an_explanation_sits_next_to_its_verdict_and_never_changes_it():
    doc = annotate(_claims(), {"theory": CAUSE})
    theory = doc["claims"][0]
    assert theory["passed"] is False and theory["explanation"]["holds"]
    assert [p["measured"] for p in theory["explanation"]["premises"]] == [False, 6.0]
    assert status(theory) == "fails, cause measured"
    assert status(doc["claims"][2]) == "fails, unexplained" and "explanation" not in doc["claims"][2]
    assert doc["stale_explanations"] == []


def test_a_premise_can_require_a_value():
    entry = {**CAUSE, "premises": [{"verdict": "theory", "number": "max_abs_z", "equals": 6.0}]}
    assert annotate(_claims(), {"theory": entry})["claims"][0]["explanation"]["holds"]
    assert not annotate(_claims(z=5.0), {"theory": entry})["claims"][0]["explanation"]["holds"]


@pytest.mark.parametrize("kw", [{"readout_passed": True}, {"z": 2.0}])
def test_an_explanation_the_data_no_longer_support_is_flagged(kw):
    """The cause cites the fixed-readout test failing, but that test now passes (or the deviation it
    explains is gone): the claim reads as unexplained and the premise that broke is named."""
    theory = annotate(_claims(**kw), {"theory": CAUSE})["claims"][0]
    assert not theory["explanation"]["holds"] and status(theory) == "fails, unexplained"


def test_explanations_of_passing_or_missing_claims_are_stale():
    doc = annotate(_claims(theory_passed=True), {"theory": CAUSE, "gone": CAUSE})
    assert "explanation" not in doc["claims"][0]
    assert {s["id"] for s in doc["stale_explanations"]} == {"theory", "gone"}


def test_registry_errors_name_the_entry(tmp_path):
    assert load_findings(tmp_path / "none.yaml") == {}
    bad = tmp_path / "p.yaml"
    bad.write_text("theory: {cause: x}\n")
    with pytest.raises(FindingsError, match="theory lacks .'docs'."):
        load_findings(bad)


def test_scorecard_and_card_separate_measured_causes_from_unexplained_failures(tmp_path):
    figs = tmp_path / "figures/p"
    figs.mkdir(parents=True)
    (figs / "f.claims.json").write_text(json.dumps(annotate(_claims(), {"theory": CAUSE})))
    prov = {"figure": "p/f", "scale": "default", "git": {"commit": "abc"}}
    (figs / "f.prov.json").write_text(json.dumps(prov))
    (row,) = scorecard_rows({"p": {"f": {"implemented": True}}}, tmp_path / "figures")
    assert list(row.explained) == ["theory"] and list(row.unexplained) == ["other"]
    md = scorecard_markdown([row])
    assert "failing, cause measured: 1, unexplained: 1" in md
    assert "theory (cause measured), other (unexplained)" in md
    assert "- `theory`, fails, cause measured: the features are not Gaussian (readout z = 6.5)" in md
    assert "- `other`, fails, unexplained: no measured cause yet" in md
    card = figure_card_html(json.loads((figs / "f.claims.json").read_text()), prov)
    assert "the features are not Gaussian" in card and "<i>unexplained</i>" in card
