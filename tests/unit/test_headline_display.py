"""Headline figures as a learner reads them: a short line, a table for a list of them, units and about
three significant figures, and a stated reason beside every target."""
from __future__ import annotations

import pytest

from dockerlab import results, tables

RATIO = results.Headline("rebuild after a code edit, deps-first / code-first", 0.006335701321893257, 0.1, "at most")
SIZE = results.Headline("minimal VM disk, MB", 590.490477, 1000.0, "at least", " MB", "a root filesystem only")


def test_a_headline_repr_is_one_short_line_with_three_significant_figures():
    shown = repr([RATIO, SIZE])
    assert "0.00634" in shown and "590 MB" in shown and "0.006335701" not in shown and "590.49" not in shown
    assert repr(RATIO).count("\n") == 0 and len(repr(RATIO)) < 120
    assert "met" in repr(RATIO) and "missed" in repr(SIZE)


def test_a_list_of_headlines_renders_as_a_table_with_units_and_reasons():
    html = results.list_html([RATIO, SIZE])
    for expected in ("<table", "0.00634", "590 MB", "≥ 1000 MB", "≤ 0.1", "missed", "why this target", results.reason_for(SIZE.label)):
        assert expected in html, expected
    assert "..." not in html  # no cell cut short
    assert results.list_html([RATIO, "text"]) is None and results.list_html([]) is None and results.list_html("x") is None


def test_the_kernel_renders_lists_of_headlines_through_the_table(monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    tables.register_in_running_kernel({list: results.list_html})
    data, _ = shell.display_formatter.format([RATIO])
    assert "<table" in data["text/html"] and "0.00634" in data["text/html"]
    plain, _ = shell.display_formatter.format([1, 2])
    assert "text/html" not in plain


def test_every_recorded_headline_has_a_reason_for_its_target():
    figures = results.collected_recorded()
    assert len(figures)
    missing = sorted(set(figures["label"]) - set(results.TARGET_REASONS))
    assert not missing, f"add these to results.TARGET_REASONS: {missing}"
    assert (figures["why_this_target"] != results.NO_REASON).all()
    gone = set(results.TARGET_REASONS) - set(figures["label"]) - results.RECORDED_WHEN_SHOWN
    assert not gone, f"a reason for a headline that is no longer recorded: {sorted(gone)}"


def test_the_cache_mount_headline_is_the_one_recorded_only_when_shown():
    from dockerlab import experiments

    assert results.RECORDED_WHEN_SHOWN == {experiments.CACHE_MOUNT_LABEL} and experiments.CACHE_MOUNT_LABEL in results.TARGET_REASONS


@pytest.mark.parametrize("figure", [RATIO, SIZE])
def test_the_printed_line_and_the_tables_give_the_reason(figure):
    assert f"why this target: {results.reason_for(figure.label)}" in str(figure)
    assert results.table([figure]).loc[0, "why_this_target"] == results.reason_for(figure.label)
    assert results.reason_for(figure.label) in results.readme_table()
    assert "| why this target |" in results.readme_table()


def test_a_learners_own_headline_says_it_has_no_reason_recorded():
    assert results.reason_for("my own figure") == results.NO_REASON


def test_a_counted_unit_is_singular_for_exactly_one():
    lost = results.Headline("runs where the api lost the start-up race, seed + credentials", 5.0, 1.0, "at least", " runs")
    assert "5 runs (target at least 1 run: target met)" in str(lost) and "1 runs" not in repr(lost)
    row = results.shown([lost]).iloc[0]
    assert (row["measured"], row["target_text"]) == ("5 runs", "≥ 1 run")
    one = results.Headline("course final images running as root", 1.0, 0.0, "at most", " images")
    assert "1 image (target at most 0 images" in str(one)
    # symbols are not words: 1 s, 1 MB and 1x stay as they are
    assert [results.with_unit("1", 1.0, unit) for unit in (" s", " MB", "x", "")] == ["1 s", "1 MB", "1x", "1"]
    assert results.with_unit("1", 1.0, " lookups") == "1 lookup" and results.with_unit("2", 2.0, " lookups") == "2 lookups"
