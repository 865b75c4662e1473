"""Headline figures: printed from measured data with their target, and kept for the summary notebook."""
from __future__ import annotations

from typing import TYPE_CHECKING

import html
import json
import re
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

from .errors import DockerlabError
from .paths import notebook_number, results_dir
from .recording.arguments import check_public
from .recording.store import write_whole
from .recording import current, record_headline, recordings, summarise_provenance
from .recording.entries import headline_problem
from .tables import significant, to_html
from .columns import COLLECTED, COLLECTED_RECORDED, HEADLINES, HEADLINES_SHOWN, SEED_CLAIM_VERDICTS, declares
from .theme import ERROR, SUCCESS, status_css

if TYPE_CHECKING:  # the return annotations name it; pandas itself is imported where a table is made
    from pathlib import Path

    import pandas as pd

__all__ = [
    "Headline", "Evidence", "Claim", "headline", "table", "collected", "collected_recorded", "conditions", "seed_claims", "SEED_CLAIMS", "verdict",
    "VERDICT_RULE", "RECORDED_WHEN_SHOWN", "with_unit", "readme_table", "run_times", "fill_run_times", "RUN_COLUMN", "README_START", "README_END", "shown",
    "list_html", "TARGET_REASONS", "reason_for",
]

# Why each headline's target is what it is: the learner reads this beside the target (in the headline's
# line, in 07's tables and in README), so no target is a bare number. Keyed by the headline's label.
TARGET_REASONS = {
    "VM boot / container start (median seconds)":
        "the seed says VM 'slow boot', container 'instant boot' without a number; the course reads that as at least one order of magnitude (10x)",
    "VM memory / idle container memory":
        "the seed says VM 'heavy', container 'lightweight' without a number; the course reads that as at least one order of magnitude (10x)",
    "minimal VM disk / alpine image":
        "the seed says GBs for a VM and MBs for a container: GB against MB is at least one order of magnitude (10x)",
    "minimal VM disk, MB":
        "the seed says a VM is 'heavy (GBs)': 1000 MB is the smallest size that is GBs",
    "docker stop, shell-form CMD (median seconds)":
        "a shell-form CMD does not pass SIGTERM on, so docker stop waits out its 10 s grace period: 9 s or more means it waited",
    "docker stop, exec-form CMD (median seconds)":
        "the app itself gets SIGTERM and exits at once: well under the 10 s grace period (2 s leaves room for a slow machine)",
    "name lookups that succeeded on the default bridge":
        "Docker's default bridge has no DNS for container names: every lookup should fail",
    "share of name lookups that succeeded on a user-defined network":
        "a user-defined network resolves container names: every lookup should succeed",
    "rebuild after a code edit, deps-first / code-first":
        "the seed says deps-first keeps the install cached; Docker's own tutorial shows 16.1 s -> 1.2 s, so the course asks for 10x faster (0.10)",
    "rebuild after a requirements edit, with cache mount / without":
        "a cache mount should never make the rebuild slower: 1.0 (no faster) is the bar; faster is the mount's point",
    "Go: single-stage size / multi-stage (alpine) size":
        "the seed claims 500 MB -> 10 MB (50x smaller)",
    "Stage skipping: BuildKit seconds / classic builder seconds":
        "BuildKit does not build a stage the target does not need (here a 20 s test stage); the classic builder builds every "
        "stage: skipping it should save at least an order of magnitude (0.1)",
    "Parallel stages: BuildKit seconds / classic builder seconds":
        "BuildKit runs two independent stages at once, the classic builder one after the other: with two equal stages the "
        "ideal is 0.5; 0.75 leaves room for the 2 cores being shared with BuildKit's own work",
    "Go: scratch image size / binary size":
        "scratch adds nothing to the binary, so its image can be no smaller than the binary: within 5 % of it (1.05)",
    "runs where the api lost the start-up race, seed + credentials":
        "to show that depends_on alone does not wait for the database, the race has to be lost at least once in 5 runs",
    "runs where the api lost the start-up race, + service_healthy":
        "with condition: service_healthy the api should never start before the database accepts connections: 0 runs",
    "course final images running as root":
        "the seed says don't run as root (USER appuser): the course's own final images should all follow it",
    "packages: python:3.11 / distroless":
        "the seed says minimal images reduce the attack surface; the course asks for at least an order of magnitude fewer packages (10x)",
    "secret findings in the fixed images":
        "the seed says keep secrets out of images: a fixed image should hold none",
    "secret findings with a BuildKit secret mount":
        "a secret mount exists only while its RUN step runs: the image should hold no trace of the token",
}
NO_REASON = "no reason recorded for this target"

# Headlines a notebook records only when its data can show what the target tests: the cache mount's
# speed-up needs a mount that held pip's downloads (experiments.cache_mount_verdict); where pip kept
# nothing (a proxy strips the index's caching headers) 03 says "not shown" and records no figure.
RECORDED_WHEN_SHOWN = frozenset({"rebuild after a requirements edit, with cache mount / without"})


def reason_for(label: str) -> str:
    """Why the target of the headline ``label`` is what it is (:data:`TARGET_REASONS`); for a label the
    table does not know (a learner's own headline), says so. Returns the reason's text. Raises nothing."""
    return TARGET_REASONS.get(label, NO_REASON)



def with_unit(number: str, value: float, unit: str) -> str:
    """``number`` (the text of ``value``) followed by ``unit``, a counted word made singular for exactly one:
    "1 run", "2 runs", "0 images", "1 lookup"; symbols ("x", " MB", " s") as they are. Returns a str. Raises nothing."""
    word = unit.strip()
    if value == 1 and unit.startswith(" ") and len(word) > 2 and word.isalpha() and word.islower() and word.endswith("s"):
        unit = unit[:-1]
    return f"{number}{unit}"


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

    @property
    def reason(self) -> str:
        """Why the target is what it is (see :func:`reason_for`)."""
        return reason_for(self.label)

    def __str__(self) -> str:
        verdict = "target met" if self.met else "TARGET MISSED on this machine"
        return (f"{self.label}: {with_unit(significant(self.value), self.value, self.unit)} "
                f"(target {self.direction} {with_unit(format(self.target, 'g'), self.target, self.unit)}: {verdict})"
                f" - why this target: {self.reason}")

    def __repr__(self) -> str:
        return (f"<Headline {self.label}: {with_unit(significant(self.value), self.value, self.unit)}, "
                f"target {self.direction} {with_unit(format(self.target, 'g'), self.target, self.unit)}, {'met' if self.met else 'missed'}>")

    def _repr_html_(self) -> str:
        verdict = "target met" if self.met else "TARGET MISSED on this machine"
        marked = f"<span style='{status_css(SUCCESS if self.met else ERROR)}'>{verdict}</span>"
        return f"<p style='font-size:1.1em'><b>{html.escape(str(self)).replace(verdict, marked, 1)}</b></p>"


@declares(HEADLINES)
def table(figures: list[Headline]) -> pd.DataFrame:
    """Several headline figures as one table, the way a notebook shows a list of them, with the raw
    values. Returns a DataFrame. {columns} Raises nothing."""
    return HEADLINES.frame({**asdict(figure), "met": figure.met, "why_this_target": figure.reason} for figure in figures)


@declares(HEADLINES_SHOWN)
def shown(figures: list[Headline]) -> pd.DataFrame:
    """Headline figures for the eye: one row each, the value to about three significant figures with its
    unit. Returns a DataFrame. {columns} Raises nothing."""
    return HEADLINES_SHOWN.frame([{
        "figure": figure.label,
        "measured": with_unit(significant(figure.value), figure.value, figure.unit),
        "target_text": f"{'≤' if figure.direction == 'at most' else '≥'} {with_unit(format(figure.target, 'g'), figure.target, figure.unit)}",
        "verdict": "met" if figure.met else "missed",
        "why_this_target": figure.reason,
        "condition": figure.condition,
    } for figure in figures])


def list_html(value) -> str | None:
    """A notebook's HTML view of a list: a table (:func:`shown`) when every item is a Headline. Returns
    None for any other list, which IPython then shows as it always does. Raises nothing."""
    if not isinstance(value, list) or not value or not all(isinstance(item, Headline) for item in value):
        return None
    return to_html(shown(value))


def headline(label: str, value: float, *, target: float, direction: str = "at most", unit: str = "", condition: str = "") -> Headline:
    """A figure computed from this run's data, with its target; also saved to build/results/headlines.json
    (marked live or recorded: in recorded mode the data is a replayed recording). ``condition`` says
    what the figure depends on (e.g. the VM's accelerator). Returns the Headline. Raises DockerlabError for
    another direction, or when build/results/headlines.json is damaged (it names the file)."""
    if direction not in ("at most", "at least"):
        raise DockerlabError(f"headline({label!r}): direction is {direction!r}.", fix="Use direction='at most' or 'at least'.")
    figure = Headline(label, float(value), float(target), direction, unit, condition)
    store = results_dir() / "headlines.json"
    saved = _saved_headlines(store)

    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    mode = current()
    saved[label] = {**asdict(figure), "met": figure.met, "mode": mode, ("measured_at" if mode == "live" else "replayed_at"): now}
    write_whole(store, json.dumps(saved, indent=1))  # whole or not at all: a kernel stopped mid-write leaves the old file
    record_headline(label, saved[label])
    return figure


def _saved_headlines(store: Path) -> dict[str, dict]:
    """The figures :func:`headline` saved in ``store`` (build/results/headlines.json): label -> figure,
    {} when there is no file. Raises DockerlabError naming the file when it is not what headline() writes
    (cut short, not JSON, edited)."""
    if not store.exists():
        return {}
    try:
        saved = json.loads(store.read_text())
    except (OSError, UnicodeDecodeError, ValueError) as error:
        saved, why = None, f"{type(error).__name__}: {' '.join(str(error).split())}"
    else:
        why = "not an object of figures"
    if isinstance(saved, dict):  # each figure as a recording's headlines are checked (one check: recording.entries)
        why = next((f"{label!r} is {problem}" for label, figure in saved.items() if (problem := headline_problem(figure))), None)
    if why is not None:
        raise DockerlabError(f"{store} cannot be read as the headline figures the notebooks saved ({why}).",
                             fix=f"Delete {store}: each notebook saves its figures there again when it runs.")
    return saved


def conditions(provenance: dict, figure: dict | None = None) -> str:
    """The conditions a recorded figure was measured under, in one phrase: engine, builder, stand-in
    bases (or official ones), and the figure's own condition (such as a VM's accelerator).
    Returns a str. Raises nothing."""
    parts = [f"Docker {provenance.get('engine_version', '?')}"]
    if provenance.get("builder"):
        parts.append(provenance["builder"].split(" (")[0])
    parts.append("stand-in bases" if provenance.get("stand_in_bases") else "official bases")
    if figure and figure.get("condition"):
        parts.append(figure["condition"])
    return ", ".join(parts)


@declares(COLLECTED)
def collected() -> pd.DataFrame:
    """Every headline figure of the course: measured live on this machine where a notebook has run
    here, otherwise the recorded figure (with when and where it was recorded). Returns a DataFrame
    (why_this_target from :func:`reason_for`). {columns} Raises RecordingStale when a recording file
    is in another format, and DockerlabError when build/results/headlines.json is damaged (it names the file)."""

    rows = {}
    for name, content in recordings().items():
        provenance = content.get("provenance", {})
        source = "recorded " + summarise_provenance([provenance])
        for label, figure in content.get("headlines", {}).items():
            rows[label] = {**figure, "notebook": name.removesuffix(".json"), "source": source, "conditions": conditions(provenance, figure)}
    store = results_dir() / "headlines.json"
    for label, figure in _saved_headlines(store).items():
        if figure.get("mode", "live") == "live":
            rows[label] = {**figure, "notebook": rows.get(label, {}).get("notebook", ""), "source": f"measured live here, {figure.get('measured_at', '')}",
                           "conditions": figure.get("condition", "") or "this machine"}
    table = COLLECTED.frame(COLLECTED.pick({**row, "why_this_target": reason_for(row["label"])}) for row in rows.values())
    return table.sort_values(["notebook", "label"], ignore_index=True)


@dataclass(frozen=True)
class Evidence:
    """One measured headline as evidence about a seed claim. ``supports_when``: "met" when the figure
    meeting its target supports the claim, "missed" when meeting it shows the claim wrong (the target was
    set to detect the fault: "the api lost the race at least once"). ``supports`` and ``contradicts`` say,
    in words, what the figure shows either way. ``partial_when``: a condition, as the figure's recorded
    conditions name it, under which the figure flatters the claim (a VM under software emulation boots far
    slower than under KVM), so it supports the claim only partly; ``partial`` says why."""

    label: str
    supports_when: str = "met"
    supports: str = ""
    contradicts: str = ""
    partial_when: str = ""
    partial: str = ""

    def is_partial(self, conditions: str) -> bool:
        """Whether the figure was measured under ``partial_when`` (its recorded ``conditions`` name it).
        Returns a bool. Raises nothing."""
        return bool(self.partial_when) and self.partial_when in (conditions or "")

    def supports_claim(self, met: bool) -> bool:
        """Whether the figure (``met``: it meets its target) supports the claim. Returns a bool. Raises nothing."""
        return met if self.supports_when == "met" else not met

    def finding(self, met: bool) -> str:
        """What the figure shows about the claim, in words ("" when there is nothing to add).
        Returns a str. Raises nothing."""
        return self.supports if self.supports_claim(met) else self.contradicts


@dataclass(frozen=True)
class Claim:
    """A seed claim, the headlines that are evidence about it, and what the measurement covers."""

    section: str
    says: str
    evidence: tuple[Evidence, ...]
    condition: str = ""  # what the figures measured, where that is narrower than the claim

    @property
    def labels(self) -> list[str]:
        return [item.label for item in self.evidence]


# What the seed says, and which measured headlines speak to it, in which direction.
# How notebook 01 names software emulation in a figure's condition ("VM under ..."), from the recorded
# accelerator column (dockerlab.vm.ACCELERATOR_NAMES["tcg"]; a unit test keeps the two the same).
TCG = "software emulation (TCG)"

SEED_CLAIMS = [
    Claim("1.1", "VM: slow boot. Container: instant boot.", (
        Evidence("VM boot / container start (median seconds)", partial_when=TCG,
                 partial="the VM ran under software emulation (TCG), which boots far slower than KVM: the ratio overstates "
                         "how slowly a VM boots, so the claim holds at most partly until a VM is measured under KVM"),)),
    Claim("1.1", "VM: heavy (GBs). Container: lightweight (MBs).", (
        Evidence("minimal VM disk / alpine image"), Evidence("VM memory / idle container memory"),
        Evidence("minimal VM disk, MB", contradicts="a minimal VM disk is hundreds of MB, not GBs"))),
    Claim("2.2", "Install dependencies before copying source code: changing code does not re-install libraries.",
          (Evidence("rebuild after a code edit, deps-first / code-first"),)),
    Claim("3.1", "Multi-stage: a 10MB image instead of 500MB (50x smaller).",
          (Evidence("Go: single-stage size / multi-stage (alpine) size"), Evidence("Go: scratch image size / binary size"))),
    Claim("3.2", "`depends_on` orchestrates the api and its database.", (
        Evidence("runs where the api lost the start-up race, seed + credentials", supports_when="missed",
                 supports="depends_on alone made the api wait for the database",
                 contradicts="depends_on alone does not wait for the database to be ready: the api started first and failed"),
        Evidence("runs where the api lost the start-up race, + service_healthy",
                 supports="with condition: service_healthy (and a healthcheck) the api waited for the database",
                 contradicts="even with condition: service_healthy the api started before the database was ready")),
        condition="seed's file with the api's missing password added (as written it cannot connect at all)"),
    Claim("4", "Don't run as root: `USER appuser`.", (
        Evidence("course final images running as root", supports="the course's own final images all run as a non-root user",
                 contradicts="some of the course's own final images run as root"),),
          condition="measured on the course's own final images (they follow the advice), not on a container escape"),
    Claim("4", "Minimal images (distroless, alpine) reduce the attack surface.", (Evidence("packages: python:3.11 / distroless"),),
          condition="attack surface counted as packages in the image"),
    Claim("4", "Keep secrets out of images (the leaked-secret exercise).", (Evidence("secret findings in the fixed images"),)),
]


VERDICT_RULE = (
    "each claim names its figures and, for each, whether meeting the target supports the claim or shows it wrong "
    "(results.SEED_CLAIMS); holds: every figure was measured and supports the claim; does not hold: no measured "
    "figure supports it; partly holds: some support it and some do not (or are not measured yet), or a figure was "
    "measured under a condition that flatters the claim (a VM under software emulation, TCG, boots far slower than "
    "under KVM: the claim then at most partly holds, and its conditions say why); not measured: none is"
)


def verdict(supports: list[bool], expected: int, partial: bool = False) -> str:
    """The verdict on one claim from whether each measured figure supports it (``expected``: how many
    figures it has; ``partial``: a figure was measured under a condition that flatters the claim, so it
    can at most partly hold). See VERDICT_RULE. Returns "holds", "partly holds", "does not hold" or
    "not measured". Raises nothing."""
    if not supports:
        return "not measured"
    if all(supports) and len(supports) == expected:
        return "partly holds" if partial else "holds"
    if not any(supports):
        return "does not hold"
    return "partly holds"


def _shared_once(texts: list[str]) -> list[str]:
    """The conditions of a claim's figures (each as :func:`conditions` words it: "Docker 27.1, buildkit,
    stand-in bases, VM under ...") with what they share said once: the parts every one begins with, then
    each figure's own further parts; repeats and empty texts dropped. Returns a list of str, in order.
    Raises nothing."""
    texts = list(dict.fromkeys(text for text in texts if text))
    parts = [text.split(", ") for text in texts]
    shared = 0
    while parts and all(len(each) > shared and each[shared] == parts[0][shared] for each in parts):
        shared += 1
    if len(texts) < 2 or not shared:
        return texts
    return list(dict.fromkeys([", ".join(parts[0][:shared]), *(", ".join(each[shared:]) for each in parts if each[shared:])]))


@declares(SEED_CLAIM_VERDICTS)
def seed_claims(figures: pd.DataFrame) -> pd.DataFrame:
    """The seed's claims beside the figures the course measured for them (input: ``collected()``); the
    verdict is computed by :func:`verdict` from the claim's own rule, never typed. Returns a DataFrame.
    {columns} Raises KeyError for a table without collected's columns."""

    by_label = {row["label"]: row for row in figures.to_dict("records")}
    rows = []
    for claim in SEED_CLAIMS:
        found = [(item, by_label[item.label]) for item in claim.evidence if item.label in by_label]
        measured = [
            f"{row['label']}: {with_unit(significant(row['value']), row['value'], row['unit'])} "
            f"({'meets' if row['met'] else 'misses'} {row['direction']} {row['target']:g})"
            for _, row in found
        ]
        findings = [item.finding(bool(row["met"])) for item, row in found]
        conditions_seen = _shared_once([row.get("conditions", "") for _, row in found])
        partial = [item.partial for item, row in found if item.is_partial(row.get("conditions", ""))]
        rows.append({
            "seed_section": claim.section,
            "the_seed_says": claim.says,
            "we_measured": "; ".join(measured) if measured else "not measured yet: run the notebook",
            "the_data_says": "; ".join(finding for finding in findings if finding),
            "verdict": verdict([item.supports_claim(bool(row["met"])) for item, row in found], len(claim.evidence), partial=bool(partial)),
            "conditions": "; ".join(dict.fromkeys([*([claim.condition] if claim.condition else []), *conditions_seen, *partial])),
        })
    return SEED_CLAIM_VERDICTS.frame(rows)


RUN_COLUMN = "recorded run"
_NOTEBOOK_CELL = re.compile(r"^\W*(\d\d[a-z]?)[ _·]")


def run_times() -> dict[str, float]:
    """How long each recorded notebook took to execute live when it was recorded (seconds, from its
    recording's provenance ``run_seconds``), by notebook number ("02a"); a notebook recorded before
    run times were kept, or with no engine calls, is absent. Raises RecordingStale when a recording
    file is in another format."""
    times = {}
    for name, content in recordings().items():
        seconds = content.get("provenance", {}).get("run_seconds")
        if seconds is not None:
            times[notebook_number(name.removesuffix(".json")) or name] = float(seconds)
    return times


def fill_run_times(markdown: str, times: dict[str, float] | None = None) -> str:
    """``markdown`` with the "recorded run" column of each table that has one filled from :func:`run_times`
    ("130 s", footnote marks kept); a notebook with no recorded time gets "—", and a "**total**" row the
    sum. Used for README.md and docs/instructor.md by ``dockerlab figures``. Raises RecordingStale as
    :func:`run_times` does."""
    times = run_times() if times is None else times
    lines, column, total = markdown.split("\n"), None, 0.0
    for number, line in enumerate(lines):
        cells = line.split("|")[1:-1] if line.startswith("|") else None
        if cells is None:
            column = None
            continue
        names = [cell.strip() for cell in cells]
        if RUN_COLUMN in names:
            column, total = names.index(RUN_COLUMN), 0.0
            continue
        if column is None or set(line) <= set("|-: "):
            continue
        notebook = next((found.group(1) for cell in names if (found := _NOTEBOOK_CELL.match(cell))), None)
        marks = re.sub(r"[^¹²³⁴⁵⁶⁷⁸⁹]", "", names[column])
        if names[0] == "**total**":
            cells[column] = f" **{total:.0f} s ({total / 60:.0f} min)** "
        elif notebook is not None:
            seconds = times.get(notebook)
            total += seconds or 0.0
            cells[column] = f" {seconds:.0f} s{marks} " if seconds is not None else f" —{marks} "
        lines[number] = "|" + "|".join(cells) + "|"
    return "\n".join(lines)


README_START = "<!-- headline figures: generated by `dockerlab figures`, do not edit -->"
README_END = "<!-- end of headline figures -->"


def readme_table(figures=None) -> str:
    """The README's table of headline figures, then the seed's claims with the verdicts 07 shows
    (:func:`seed_claims`), from the recordings (Markdown, between the markers). Raises RecordingStale when
    ``figures`` is not given and a recording file is in another format."""
    figures = collected_recorded() if figures is None else figures
    lines = [README_START, "", "| figure (notebook) | measured | target | against its target | why this target | conditions |", "|---|---|---|---|---|---|"]
    for row in figures.to_dict("records"):
        target = f"{'≤' if row['direction'] == 'at most' else '≥'} {with_unit(format(row['target'], 'g'), row['target'], row['unit'])}"
        measured = with_unit(format(row['value'], '.3g'), row['value'], row['unit'])
        lines.append(f"| {row['label']} ({notebook_number(row['notebook']) or row['notebook']}) | {measured} | {target} | "
                     f"{'met' if row['met'] else 'missed'} | {reason_for(row['label'])} | {row.get('conditions', '')} |")
    lines += ["", "The seed's claims, with the verdict each claim's rule computes from these figures (as notebook 07 shows them):", "",
              "| seed section | the seed says | verdict | the data says | conditions |", "|---|---|---|---|---|"]
    for claim in seed_claims(figures).to_dict("records"):
        lines.append(f"| {claim['seed_section']} | {claim['the_seed_says']} | {claim['verdict']} | {claim['the_data_says'] or '—'} | {claim['conditions']} |")
    return "\n".join([*lines, "", README_END])


@declares(COLLECTED_RECORDED)
def collected_recorded() -> pd.DataFrame:
    """Like :func:`collected`, from the recordings only (what the README shows); no source column. Returns a
    DataFrame. {columns} Raises RecordingStale when a recording file is in another format."""

    rows = []
    for name, content in recordings().items():
        provenance = content.get("provenance", {})
        for figure in content.get("headlines", {}).values():
            rows.append({**figure, "notebook": name.removesuffix(".json"), "conditions": conditions(provenance, figure),
                         "why_this_target": reason_for(figure["label"])})
    return COLLECTED_RECORDED.frame(COLLECTED_RECORDED.pick(row) for row in rows).sort_values(["notebook", "label"], ignore_index=True)


check_public(globals(), "results")  # the one argument check, for every public function here
