"""Headline figures: printed from measured data with their target, and kept for the summary notebook."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

from .errors import DockerlabError
from .paths import results_dir
from .recording import current, record_headline, recordings, summarise_provenance
from .theme import ERROR, SUCCESS

__all__ = ["Headline", "headline", "collected", "seed_claims", "SEED_CLAIMS"]


@dataclass(frozen=True)
class Headline:
    """One measured figure beside its target; ``met`` says whether the data meets it."""

    label: str
    value: float
    target: float
    direction: str  # "at most" or "at least"
    unit: str = ""

    @property
    def met(self) -> bool:
        return self.value <= self.target if self.direction == "at most" else self.value >= self.target

    def __str__(self) -> str:
        verdict = "target met" if self.met else "TARGET MISSED on this machine"
        return f"{self.label}: {self.value:.3g}{self.unit} (target {self.direction} {self.target:g}{self.unit}: {verdict})"

    def _repr_html_(self) -> str:
        colour = SUCCESS if self.met else ERROR
        return f"<p style='font-size:1.1em'><b>{self}</b></p>".replace("target met", f"<span style='color:{colour}'>target met</span>")


def headline(label: str, value: float, *, target: float, direction: str = "at most", unit: str = "") -> Headline:
    """A figure computed from this run's data, with its target; also saved to build/results/headlines.json
    (marked live or recorded: in recorded mode the data is a replayed recording)."""
    if direction not in ("at most", "at least"):
        raise DockerlabError(f"headline({label!r}): direction is {direction!r}.", fix="Use direction='at most' or 'at least'.")
    figure = Headline(label, float(value), float(target), direction, unit)
    store = results_dir() / "headlines.json"
    saved = json.loads(store.read_text()) if store.exists() else {}

    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    mode = current()
    saved[label] = {**asdict(figure), "met": figure.met, "mode": mode, ("measured_at" if mode == "live" else "replayed_at"): now}
    store.write_text(json.dumps(saved, indent=1))
    record_headline(label, saved[label])
    return figure


def collected():
    """Every headline figure of the course: measured live on this machine where a notebook has run
    here, otherwise the recorded figure (with when and where it was recorded)."""
    import pandas as pd


    rows = {}
    for name, content in recordings().items():
        source = "recorded " + summarise_provenance([content.get("provenance", {})])
        for label, figure in content.get("headlines", {}).items():
            rows[label] = {**figure, "notebook": name.removesuffix(".json"), "source": source}
    store = results_dir() / "headlines.json"
    for label, figure in (json.loads(store.read_text()) if store.exists() else {}).items():
        if figure.get("mode", "live") == "live":
            rows[label] = {**figure, "notebook": rows.get(label, {}).get("notebook", ""), "source": f"measured live here, {figure.get('measured_at', '')}"}
    columns = ["notebook", "label", "value", "unit", "direction", "target", "met", "source"]
    table = pd.DataFrame(list(rows.values()), columns=columns)
    return table.sort_values(["notebook", "label"], ignore_index=True)


# What the seed says, and which measured headlines speak to it.
SEED_CLAIMS = [
    ("1.1", "VM: slow boot. Container: instant boot.", ["VM boot / container start (median seconds)"]),
    ("1.1", "VM: heavy (GBs). Container: lightweight (MBs).", ["minimal VM disk / alpine image", "VM memory / idle container memory"]),
    ("2.2", "Install dependencies before copying source code: changing code does not re-install libraries.", ["rebuild after a code edit, deps-first / code-first"]),
    ("3.1", "Multi-stage: a 10MB image instead of 500MB (50x smaller).", ["Go: single-stage size / multi-stage (alpine) size", "Go: scratch image size / binary size"]),
    ("3.2", "`depends_on` orchestrates the api and its database.", ["runs where the api lost the start-up race, seed + credentials", "runs where the api lost the start-up race, + service_healthy"]),
    ("4", "Don't run as root: `USER appuser`.", ["course final images running as root"]),
    ("4", "Minimal images (distroless, alpine) reduce the attack surface.", ["packages: python:3.11 / distroless"]),
    ("4", "Keep secrets out of images (the leaked-secret exercise).", ["secret findings in the fixed images"]),
]


def seed_claims(figures):
    """The seed's claims beside the figures the course measured for them (input: ``collected()``)."""
    import pandas as pd

    by_label = {row["label"]: row for row in figures.to_dict("records")}
    rows = []
    for section, claim, labels in SEED_CLAIMS:
        measured = [
            f"{label}: {by_label[label]['value']:.3g}{by_label[label]['unit']} ({'meets' if by_label[label]['met'] else 'misses'} {by_label[label]['direction']} {by_label[label]['target']:g})"
            for label in labels if label in by_label
        ]
        missing = [label for label in labels if label not in by_label]
        rows.append({
            "seed section": section,
            "the seed says": claim,
            "we measured": "; ".join(measured) if measured else "not measured yet: run the notebook",
            "holds": all(by_label[label]["met"] for label in labels if label in by_label) if measured and not missing else None,
        })
    return pd.DataFrame(rows)
