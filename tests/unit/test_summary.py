"""Notebook 07's helpers: collected headlines (live beats recorded), seed claims, the quiz."""
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from dockerlab import check, recording, results


def test_live_figures_replace_recorded_ones_and_say_so(tmp_path, monkeypatch):
    recorded = tmp_path / "recorded"
    recorded.mkdir()
    (recorded / "03_layer_caching.json").write_text(json.dumps({
        "provenance": {"recorded_at": "2026-11-28T10:00:00+00:00", "engine_version": "20.10.24", "os_arch": "linux/amd64", "commit": "abc",
                       "stand_in_bases": [], "format": 1},
        "calls": [],
        "headlines": {
            "rebuild ratio": {"label": "rebuild ratio", "value": 0.012, "target": 0.1, "direction": "at most", "unit": "", "met": True},
            "other": {"label": "other", "value": 3.0, "target": 1.0, "direction": "at least", "unit": "x", "met": True},
        },
    }))
    recording.reset(directory=recorded)
    build = tmp_path / "results"
    build.mkdir()
    monkeypatch.setattr(results, "results_dir", lambda: build)
    (build / "headlines.json").write_text(json.dumps({
        "rebuild ratio": {"label": "rebuild ratio", "value": 0.02, "target": 0.1, "direction": "at most", "unit": "", "met": True, "mode": "live",
                          "measured_at": "2026-11-28T12:00:00+00:00"},
        "other": {"label": "other", "value": 9.0, "target": 1.0, "direction": "at least", "unit": "x", "met": True, "mode": "recorded"},
    }))
    table = results.collected().set_index("label")
    assert table.loc["rebuild ratio", "value"] == 0.02 and table.loc["rebuild ratio", "source"].startswith("measured live here")
    assert table.loc["other", "value"] == 3.0 and "recorded on 2026-11-28" in table.loc["other", "source"]
    assert (table["notebook"] == "03_layer_caching").all()


def test_seed_claims_put_figures_beside_claims_and_say_what_is_missing():
    label = "Go: single-stage size / multi-stage (alpine) size"
    figures = pd.DataFrame([{"label": label, "value": 71.0, "unit": "x", "direction": "at least", "target": 50.0, "met": True}])
    table = results.seed_claims(figures)
    row = table[table["seed_section"] == "3.1"].iloc[0]
    assert "71x" in row["we_measured"] and row["verdict"] == "partly holds"  # the scratch figure is missing
    assert (table[table["seed_section"] == "2.2"]["we_measured"] == "not measured yet: run the notebook").all()


def test_quiz_right_wrong_and_blank():
    right = {number: answer for number, (_, _, answer, _) in check.QUIZ.items()}
    assert check.quiz(right).passed
    wrong = check.quiz({**right, 2: "a", 5: ""})
    assert not wrong.passed and wrong.messages[0] == f"{len(check.QUIZ) - 2} of {len(check.QUIZ)} right"
    assert any(message.startswith("question 2: not a") and "find_secrets" in message for message in wrong.messages)
    assert any(message.startswith("question 5: no answer yet") for message in wrong.messages)


@pytest.mark.parametrize("supports, expected, verdict", [
    ([], 2, "not measured"), ([True, True], 2, "holds"), ([True], 2, "partly holds"),
    ([True, False], 2, "partly holds"), ([False, False], 2, "does not hold"), ([False], 2, "does not hold"),
])
def test_the_verdict_rule(supports, expected, verdict):
    assert results.verdict(supports, expected) == verdict


@pytest.mark.parametrize("supports, verdict", [([True], "partly holds"), ([False], "does not hold"), ([], "not measured")])
def test_a_figure_measured_under_a_flattering_condition_supports_a_claim_only_partly(supports, verdict):
    assert results.verdict(supports, 1, partial=True) == verdict


def test_the_slow_boot_verdict_takes_the_vms_accelerator_into_account():
    from dockerlab import vm

    label = "VM boot / container start (median seconds)"
    row = {"label": label, "value": 19.0, "unit": "x", "direction": "at least", "target": 10.0, "met": True}
    under = {name: results.seed_claims(pd.DataFrame([{**row, "conditions": f"Docker 20.10.24, VM under {vm.ACCELERATOR_NAMES[name]}"}]))
             .set_index("seed_section").loc["1.1"].iloc[0] for name in ("kvm", "tcg")}
    assert under["kvm"]["verdict"] == "holds"
    assert under["tcg"]["verdict"] == "partly holds" and "KVM" in under["tcg"]["conditions"] and "TCG" in under["tcg"]["conditions"]
    recorded = results.seed_claims(results.collected_recorded()).set_index("the_seed_says").loc["VM: slow boot. Container: instant boot."]
    calls = json.loads((Path(__file__).parents[2] / "data" / "recorded" / "01_works_on_my_machine.json").read_text())["calls"]
    boots = next(call["result"]["__dataframe__"] for call in calls if call["call"] == "experiments.vm_vs_container")
    accelerators = {row[1] for row in boots}  # the recorded accelerator column
    assert recorded["verdict"] == ("partly holds" if vm.ACCELERATOR_NAMES["tcg"] in accelerators else "holds"), accelerators


def test_every_recorded_verdict_recomputes_from_the_recorded_figures():
    figures = results.collected_recorded()
    assert len(figures), "no recorded headline figures"
    for row in figures.to_dict("records"):
        recomputed = row["value"] <= row["target"] if row["direction"] == "at most" else row["value"] >= row["target"]
        assert recomputed == row["met"], f"{row['label']}: recorded met={row['met']}, recomputed {recomputed}"
    claims = results.seed_claims(figures).set_index("the_seed_says")
    met = dict(zip(figures["label"], figures["met"], strict=True))
    conditions = dict(zip(figures["label"], figures["conditions"], strict=True))
    for claim in results.SEED_CLAIMS:
        assert all(item.supports_when in ("met", "missed") for item in claim.evidence)
        supports = [bool(met[item.label]) == (item.supports_when == "met") for item in claim.evidence if item.label in met]
        partial = any(item.partial_when and item.partial_when in conditions[item.label] for item in claim.evidence if item.label in met)
        assert claims.loc[claim.says, "verdict"] == results.verdict(supports, len(claim.evidence), partial=partial), claim.says
    assert (claims["verdict"] != "not measured").all(), claims[claims["verdict"] == "not measured"].index.tolist()


def test_depends_on_reads_as_the_race_says():
    """3.2: losing the race with the seed's depends_on is evidence against the claim, not for it."""
    claims = results.seed_claims(results.collected_recorded()).set_index("seed_section")
    row = claims.loc["3.2"]
    figures = results.collected_recorded().set_index("label")
    lost = figures.loc["runs where the api lost the start-up race, seed + credentials", "value"]
    healthy = figures.loc["runs where the api lost the start-up race, + service_healthy", "value"]
    assert lost >= 1 and healthy == 0  # what 05 recorded: depends_on alone lost, service_healthy never did
    assert row["verdict"] == "partly holds"
    assert "does not wait" in row["the_data_says"] and "service_healthy" in row["the_data_says"]
    assert "missing password" in row["conditions"]


def test_a_figure_that_detects_a_fault_counts_against_the_claim_when_it_finds_it():
    label = "runs where the api lost the start-up race, seed + credentials"
    for value, verdict in ((5.0, "does not hold"), (0.0, "partly holds")):  # 0 runs lost: supports, but service_healthy is unmeasured
        figures = pd.DataFrame([{"label": label, "value": value, "unit": " runs", "direction": "at least", "target": 1.0, "met": value >= 1}])
        row = results.seed_claims(figures).set_index("seed_section").loc["3.2"]
        assert row["verdict"] == verdict


def test_the_root_claim_says_it_was_measured_on_the_courses_own_images():
    claims = results.seed_claims(results.collected_recorded()).set_index("seed_section")
    row = claims[claims["the_seed_says"].str.contains("root")].iloc[0]
    assert "course's own final images" in row["conditions"] and "course's own final images" in row["the_data_says"]


def test_a_claims_conditions_say_what_its_figures_share_once():
    """1.1's heavy claim rests on three figures of one recording: its engine, builder and bases are said once,
    then what each figure adds (the VM's accelerator, the disk's caveat)."""
    recorded = "Docker 27.1.1, buildkit, stand-in bases"
    labels = {"minimal VM disk / alpine image": "", "VM memory / idle container memory": ", VM under KVM",
              "minimal VM disk, MB": ", the seed says GBs: a root filesystem only, no bootloader or free space"}
    figures = pd.DataFrame([{"label": label, "value": 5.0, "unit": "x", "direction": "at least", "target": 10.0, "met": False,
                             "conditions": recorded + extra} for label, extra in labels.items()])
    row = results.seed_claims(figures).set_index("the_seed_says").loc["VM: heavy (GBs). Container: lightweight (MBs)."]
    assert row["conditions"] == ("Docker 27.1.1, buildkit, stand-in bases; VM under KVM; "
                                 "the seed says GBs: a root filesystem only, no bootloader or free space")
    for claim in results.seed_claims(results.collected_recorded()).to_dict("records"):
        engines = re.findall(r"Docker \S+", claim["conditions"])
        assert len(engines) == len(set(engines)), claim["conditions"]


def test_the_readme_shows_the_verdicts_07_shows():
    table = results.readme_table()
    for claim in results.seed_claims(results.collected_recorded()).to_dict("records"):
        assert f"| {claim['seed_section']} | {claim['the_seed_says']} | {claim['verdict']} |" in table, claim['the_seed_says']


def test_the_readme_shows_the_recorded_figures():
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    start, end = readme.index(results.README_START), readme.index(results.README_END) + len(results.README_END)
    assert readme[start:end] == results.readme_table(), "run `dockerlab figures` and commit README.md"


@pytest.mark.parametrize("damage", ['{"rebuild ratio": {"label": "rebu', '["not", "figures"]', '{"rebuild ratio": 3}', '{"x": "y"}', '{"x": {}}',
                                    '{"x": {"label": "x", "value": "fast", "target": 1, "direction": "at most", "unit": "", "met": true}}'])
def test_a_damaged_headlines_file_is_a_course_error_naming_it(tmp_path, monkeypatch, damage):
    recording.reset(directory=tmp_path / "recorded")
    monkeypatch.setattr(results, "results_dir", lambda: tmp_path)
    (tmp_path / "headlines.json").write_text(damage)  # cut short by a kernel killed mid-write, or edited
    with pytest.raises(results.DockerlabError, match="headlines.json") as raised:
        results.collected()
    assert "Delete" in raised.value.fix
    with pytest.raises(results.DockerlabError, match="headlines.json"):
        results.headline("rebuild ratio", 0.01, target=0.1)


def test_headlines_are_saved_whole(tmp_path, monkeypatch):
    recording.reset(directory=tmp_path / "recorded")
    monkeypatch.setattr(results, "results_dir", lambda: tmp_path)
    results.headline("rebuild ratio", 0.01, target=0.1)
    assert [path.name for path in tmp_path.iterdir()] == ["headlines.json"]
    assert json.loads((tmp_path / "headlines.json").read_text())["rebuild ratio"]["value"] == 0.01


@pytest.mark.parametrize("headlines",
                         [{"x": "y"}, {"x": {}}, {"x": {"label": "x", "value": 1.0, "target": 1.0, "direction": "sideways", "unit": "", "met": True}}])
def test_damaged_headlines_in_a_recording_are_a_course_error_naming_the_file(tmp_path, monkeypatch, headlines):
    recorded = tmp_path / "recorded"
    recorded.mkdir()
    (recorded / "03_layer_caching.json").write_text(json.dumps({"format": 1, "provenance": {"format": 1}, "calls": [], "headlines": headlines}))
    recording.reset(directory=recorded)
    monkeypatch.setattr(results, "results_dir", lambda: tmp_path)
    for figures in (results.collected, results.collected_recorded, results.readme_table):
        with pytest.raises(results.DockerlabError, match=r"03_layer_caching\.json, headline 'x'") as raised:
            figures()
        assert raised.value.fix
