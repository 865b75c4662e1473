"""Headline figures: printed from measured data with their target, and kept for the summary notebook."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

from .errors import DockerlabError
from .paths import notebook_number, results_dir
from .recording import current, record_headline, recordings, summarise_provenance
from .theme import ERROR, SUCCESS

__all__ = [
    "Headline", "headline", "table", "collected", "collected_recorded", "conditions", "seed_claims", "SEED_CLAIMS", "verdict",
    "VERDICT_RULE", "readme_table", "README_START", "README_END",
]


@dataclass(frozen=True)
class Headline:
    """One measured figure beside its target; ``met`` says whether the data meets it."""

    label: str
    value: float
    target: float
    direction: str  # "at most" or "at least"
    unit: str = ""
    condition: str = ""  # what the figure depends on beyond the recording's own conditions (e.g. "VM under TCG")

    @property
    def met(self) -> bool:
        return self.value <= self.target if self.direction == "at most" else self.value >= self.target

    def __str__(self) -> str:
        verdict = "target met" if self.met else "TARGET MISSED on this machine"
        return f"{self.label}: {self.value:.3g}{self.unit} (target {self.direction} {self.target:g}{self.unit}: {verdict})"

    def _repr_html_(self) -> str:
        colour = SUCCESS if self.met else ERROR
        return f"<p style='font-size:1.1em'><b>{self}</b></p>".replace("target met", f"<span style='color:{colour}'>target met</span>")


def table(figures: list[Headline]):
    """Several headline figures as one table (columns: label, value, unit, target, direction, met,
    condition), the way a notebook shows a list of them."""
    import pandas as pd

    return pd.DataFrame([{**asdict(figure), "met": figure.met} for figure in figures],
                        columns=["label", "value", "unit", "target", "direction", "met", "condition"])


def headline(label: str, value: float, *, target: float, direction: str = "at most", unit: str = "", condition: str = "") -> Headline:
    """A figure computed from this run's data, with its target; also saved to build/results/headlines.json
    (marked live or recorded: in recorded mode the data is a replayed recording). ``condition`` says
    what the figure depends on (e.g. the VM's accelerator). Raises DockerlabError for another direction."""
    if direction not in ("at most", "at least"):
        raise DockerlabError(f"headline({label!r}): direction is {direction!r}.", fix="Use direction='at most' or 'at least'.")
    figure = Headline(label, float(value), float(target), direction, unit, condition)
    store = results_dir() / "headlines.json"
    saved = json.loads(store.read_text()) if store.exists() else {}

    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    mode = current()
    saved[label] = {**asdict(figure), "met": figure.met, "mode": mode, ("measured_at" if mode == "live" else "replayed_at"): now}
    store.write_text(json.dumps(saved, indent=1))
    record_headline(label, saved[label])
    return figure


def conditions(provenance: dict, figure: dict | None = None) -> str:
    """The conditions a recorded figure was measured under, in one phrase: engine, builder, stand-in
    bases (or official ones), and the figure's own condition (such as a VM's accelerator)."""
    parts = [f"Docker {provenance.get('engine_version', '?')}"]
    if provenance.get("builder"):
        parts.append(provenance["builder"].split(" (")[0])
    parts.append("stand-in bases" if provenance.get("stand_in_bases") else "official bases")
    if figure and figure.get("condition"):
        parts.append(figure["condition"])
    return ", ".join(parts)


def collected():
    """Every headline figure of the course: measured live on this machine where a notebook has run
    here, otherwise the recorded figure (with when and where it was recorded). Columns: notebook, label,
    value, unit, direction, target, met, source, conditions. Raises RecordingStale when a recording file is
    in another format."""
    import pandas as pd


    rows = {}
    for name, content in recordings().items():
        provenance = content.get("provenance", {})
        source = "recorded " + summarise_provenance([provenance])
        for label, figure in content.get("headlines", {}).items():
            rows[label] = {**figure, "notebook": name.removesuffix(".json"), "source": source, "conditions": conditions(provenance, figure)}
    store = results_dir() / "headlines.json"
    for label, figure in (json.loads(store.read_text()) if store.exists() else {}).items():
        if figure.get("mode", "live") == "live":
            rows[label] = {**figure, "notebook": rows.get(label, {}).get("notebook", ""), "source": f"measured live here, {figure.get('measured_at', '')}",
                           "conditions": figure.get("condition", "") or "this machine"}
    columns = ["notebook", "label", "value", "unit", "direction", "target", "met", "source", "conditions"]
    table = pd.DataFrame(list(rows.values()), columns=columns)
    return table.sort_values(["notebook", "label"], ignore_index=True)


# What the seed says, and which measured headlines speak to it.
SEED_CLAIMS = [
    ("1.1", "VM: slow boot. Container: instant boot.", ["VM boot / container start (median seconds)"]),
    ("1.1", "VM: heavy (GBs). Container: lightweight (MBs).", ["minimal VM disk / alpine image", "VM memory / idle container memory", "minimal VM disk, MB"]),
    ("2.2", "Install dependencies before copying source code: changing code does not re-install libraries.", ["rebuild after a code edit, deps-first / code-first"]),
    ("3.1", "Multi-stage: a 10MB image instead of 500MB (50x smaller).", ["Go: single-stage size / multi-stage (alpine) size", "Go: scratch image size / binary size"]),
    ("3.2", "`depends_on` orchestrates the api and its database.", ["runs where the api lost the start-up race, seed + credentials", "runs where the api lost the start-up race, + service_healthy"]),
    ("4", "Don't run as root: `USER appuser`.", ["course final images running as root"]),
    ("4", "Minimal images (distroless, alpine) reduce the attack surface.", ["packages: python:3.11 / distroless"]),
    ("4", "Keep secrets out of images (the leaked-secret exercise).", ["secret findings in the fixed images"]),
]


VERDICT_RULE = (
    "holds: every figure for the claim was measured and meets its target; does not hold: every measured "
    "figure misses its target; partly holds: some meet and some miss (or are not measured yet); not measured: none is"
)


def verdict(met: list[bool], expected: int) -> str:
    """The verdict on one claim from its figures' ``met`` flags (``expected``: how many figures it has).
    See VERDICT_RULE."""
    if not met:
        return "not measured"
    if all(met) and len(met) == expected:
        return "holds"
    if not any(met):
        return "does not hold"
    return "partly holds"


def seed_claims(figures):
    """The seed's claims beside the figures the course measured for them (input: ``collected()``).
    Columns: seed section, the seed says, we measured (each figure with its target), verdict
    (computed by :func:`verdict`, never typed), conditions (engine, builder, bases, accelerator)."""
    import pandas as pd

    by_label = {row["label"]: row for row in figures.to_dict("records")}
    rows = []
    for section, claim, labels in SEED_CLAIMS:
        found = [by_label[label] for label in labels if label in by_label]
        measured = [
            f"{row['label']}: {row['value']:.3g}{row['unit']} ({'meets' if row['met'] else 'misses'} {row['direction']} {row['target']:g})"
            for row in found
        ]
        rows.append({
            "seed section": section,
            "the seed says": claim,
            "we measured": "; ".join(measured) if measured else "not measured yet: run the notebook",
            "verdict": verdict([bool(row["met"]) for row in found], len(labels)),
            "conditions": "; ".join(sorted({row.get("conditions", "") for row in found if row.get("conditions")})),
        })
    return pd.DataFrame(rows)


README_START = "<!-- headline figures: generated by `dockerlab figures`, do not edit -->"
README_END = "<!-- end of headline figures -->"


def readme_table(figures=None) -> str:
    """The README's table of headline figures, from the recordings (Markdown, between the markers). Raises
    RecordingStale when ``figures`` is not given and a recording file is in another format."""
    figures = collected_recorded() if figures is None else figures
    lines = [README_START, "", "| figure (notebook) | measured | target | verdict | conditions |", "|---|---|---|---|---|"]
    for row in figures.to_dict("records"):
        target = f"{'≤' if row['direction'] == 'at most' else '≥'} {row['target']:g}{row['unit']}"
        lines.append(f"| {row['label']} ({notebook_number(row['notebook']) or row['notebook']}) | {row['value']:.3g}{row['unit']} | {target} | "
                     f"{'met' if row['met'] else 'missed'} | {row.get('conditions', '')} |")
    return "\n".join([*lines, "", README_END])


def collected_recorded():
    """Like :func:`collected`, from the recordings only (what the README shows); no source column. Raises
    RecordingStale when a recording file is in another format."""
    import pandas as pd

    rows = []
    for name, content in recordings().items():
        provenance = content.get("provenance", {})
        for figure in content.get("headlines", {}).values():
            rows.append({**figure, "notebook": name.removesuffix(".json"), "conditions": conditions(provenance, figure)})
    columns = ["notebook", "label", "value", "unit", "direction", "target", "met", "conditions"]
    return pd.DataFrame(rows, columns=columns).sort_values(["notebook", "label"], ignore_index=True)
