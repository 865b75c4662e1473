"""Each table the course returns, its columns declared once: the key the code uses (snake_case, or the
words a table shows when its key is itself the label), the type, the unit and what it means.

The code builds the DataFrame from the declaration (:meth:`Table.frame`, which refuses a row with
another set of keys), the function's docstring lists the columns from it (:func:`declares` fills the
``{columns}`` placeholder), and the tests read recorded results against it (tests/unit/test_columns.py).
How a column reads on screen (MB, s, words) is :mod:`dockerlab.tables`' job, from the same keys.

A table kept inside a result is declared too: a column whose cells are tables (``dtype`` "table",
``holds`` naming their declaration) and a dataclass field that holds one (:func:`table_field`, its class
marked :func:`holds_tables`). Replay reads them through their declarations as it reads a returned table
(:mod:`dockerlab.recording.decorator`): a former key renamed, a missing column a RecordingStale.
"""
from __future__ import annotations

import dataclasses
import functools
import numbers
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import TableMismatch, a_kind

__all__ = ["Column", "Table", "declares", "table_field", "holds_tables", "TABLES", "LABELS", "LAYERS", "OWN_LAYERS", "DOCKERFILE_LAYERS", "COMPARE",
           "DIFF", "WASTED", "LINT", "AUDIT",
           "SECRETS", "SECRET_VARIANT_FINDINGS", "SBOM", "VULNERABILITIES", "STEPS", "PHASES", "HEADLINES",
           "HEADLINES_SHOWN", "COLLECTED", "COLLECTED_RECORDED", "SEED_CLAIM_VERDICTS", "DOCTOR", "VM_BOOTS", "STOPS",
           "NAME_LOOKUPS", "COMPOSE_NETWORK", "PUBLISHED_PORTS", "STORAGE_SURVIVAL", "WRITES", "PLATFORM_RUNS",
           "COMPOSE_PS", "CONTAINER_CHANGES", "MANIFEST_LAYERS",
           "CACHE_BUILDS", "CACHE_MOUNT_BUILDS", "IGNORE_BUILDS", "MULTI_STAGE", "STAGE_BUILDS", "BUILDER_BUILDS", "STARTS",
           "VM_AND_CONTAINER_RUNS", "KERNELS", "RUN_EACH", "RACE_RUNS", "RACE_SUMMARY", "PREPARED", "PACKAGE_COUNTS", "SUMMARY",
           "STOP_SUMMARY", "RECORDED_NOTEBOOKS", "SOLUTION_CHECKS", "RENDERED_NOTEBOOKS"]


@dataclass(frozen=True)
class Column:
    """One column: ``key`` in the DataFrame, ``dtype`` (str, int, float, bool, datetime, list, object), ``unit``
    ("bytes", "s", "count" or "") and what it means. ``formerly``: keys it was recorded under before (a
    recording of that shape still replays, the column renamed: :meth:`Table.adopt`). ``many``: a run of zero
    or more columns named by the data (one per package type, one per ``by`` column), ``key`` saying what
    names them in angle brackets; a table has at most one such column. ``label``: the header a learner
    reads when it is not the key's words (``_`` read as a space): ``dockerfile_line`` reads "Dockerfile
    line" (:func:`dockerlab.tables.label_of`, through :data:`LABELS`); a key reads the same in every table.
    ``holds``: for a column of dtype "table", the declaration of the table each cell holds (None: an empty cell)."""

    key: str
    dtype: str
    meaning: str
    unit: str = ""
    formerly: tuple[str, ...] = ()
    many: bool = False
    label: str = ""
    holds: Table | None = None

    def describe(self) -> str:
        """The column as a docstring lists it: key (dtype, unit): meaning. Returns a str. Raises nothing."""
        unit = f", {self.unit}" if self.unit else ""
        holds = f" (a table, one row per {self.holds.name}: {', '.join(self.holds.keys)})" if self.holds is not None else ""
        return f"{self.key} ({self.dtype}{unit}): {self.meaning}{holds}"


@dataclass(frozen=True)
class Table:
    """A table's columns in order. ``name`` says what one row is."""

    name: str
    columns: tuple[Column, ...]

    @property
    def keys(self) -> list[str]:
        """The column keys, in order."""
        return [column.key for column in self.columns]

    def frame(self, rows: Iterable[Mapping | tuple]):
        """A DataFrame with exactly these columns, in order, from rows as dicts (with exactly these
        keys) or tuples (in this order); for a table without a ``many`` column. Returns the DataFrame.
        Raises TableMismatch for a row with other keys: the code and the declaration disagree (a bug in
        the course, not the learner's input)."""
        import pandas as pd  # lazy: ~1 s at import, and `import dockerlab` loads this module

        rows = list(rows)
        keys = self.keys
        for row in rows:
            if isinstance(row, Mapping) and set(row) != set(keys):
                raise TableMismatch(self.name, "a row", sorted(row), keys)
        return pd.DataFrame(rows, columns=keys)

    def matches(self, keys: Iterable) -> bool:
        """Whether ``keys`` (a frame's columns, in order) are these columns: exactly, or with any run of
        keys not declared here standing for the ``many`` column. Returns a bool. Raises nothing."""
        keys = list(keys)
        at = next((index for index, column in enumerate(self.columns) if column.many), None)
        if at is None:
            return keys == self.keys
        before, after = self.keys[:at], self.keys[at + 1:]
        named_by_data = keys[len(before): len(keys) - len(after)]
        return (len(keys) >= len(before) + len(after) and keys[:len(before)] == before
                and keys[len(keys) - len(after):] == after and not set(named_by_data) & set(self.keys))

    def check(self, frame: Any, where: str) -> None:
        """Whether ``frame`` is a table of these columns, in order (see :meth:`matches`), and each table a
        column holds (``holds``) one of its declared columns; ``where`` names it in the error. Returns None.
        Raises TableMismatch when it is not (a value that is not a table: its type named as the columns found)."""
        if type(frame).__name__ != "DataFrame":
            raise TableMismatch(self.name, where, [f"({a_kind(type(frame).__name__)}, not a table)"], self.keys)
        if not self.matches(frame.columns):
            raise TableMismatch(self.name, where, list(frame.columns), self.keys)
        for column in self.columns:
            if column.holds is not None:
                for position, cell in enumerate(frame[column.key]):
                    if not is_missing(cell):
                        column.holds.check(cell, f"{where}, {column.key} of row {position}")

    def family_problem(self, frame) -> str | None:
        """What makes ``frame`` (a table with these columns) hold values of another family than declared, or
        None: a column declared ``int``/``float`` holds numbers (not text, not True/False), one declared ``str``
        holds text, one declared ``bool`` True/False; missing values (None, NaN) fit any column, and other dtypes are not checked. Returns the
        first such column in words. Raises nothing."""
        import pandas as pd  # lazy: ~1 s at import, and `import dockerlab` loads this module

        for column in self.columns:
            family = _FAMILIES.get(column.dtype)
            values = frame[column.key] if family and not column.many and column.key in frame.columns else None
            if not isinstance(values, pd.Series):  # not declared as a family, or a key held twice (matches() refuses that)
                continue
            if family == "number" and pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
                continue
            wrong = [value for value in values.dropna() if not _in_family(value, family)]
            if wrong:
                return f"column {column.key} is declared {column.dtype} but holds {type(wrong[0]).__name__} {wrong[0]!r:.40}"
        return None

    def adopt(self, frame):
        """``frame`` (a recorded table) with each column recorded under an earlier key (``formerly``)
        renamed to today's. Returns the frame (the same object when nothing was renamed). Raises nothing."""
        renamed = {old: column.key for column in self.columns for old in column.formerly if old in frame.columns}
        return frame.rename(columns=renamed) if renamed else frame

    def pick(self, mapping: Mapping) -> dict:
        """The declared columns of ``mapping`` (a record with more keys than the table shows), in order.
        Returns a dict. Raises TableMismatch when one is missing."""
        missing = [key for key in self.keys if key not in mapping]
        if missing:
            raise TableMismatch(self.name, "a record", sorted(mapping), self.keys)
        return {key: mapping[key] for key in self.keys}

    def doc(self) -> str:
        """The columns as a docstring lists them. Returns a str. Raises nothing."""
        return "Columns: " + "; ".join(column.describe() for column in self.columns) + "."


def is_missing(value: Any) -> bool:
    """Whether ``value`` is a missing value (None, NaN), which fits any column. Returns a bool. Raises nothing."""
    return value is None or (isinstance(value, float) and value != value)


# The dtype families a replayed table is checked for (Table.family_problem): number, text or truth (True/False).
_FAMILIES = {"int": "number", "float": "number", "str": "text", "bool": "truth"}


def _in_family(value: object, family: str) -> bool:
    if family == "text":
        return isinstance(value, str)
    if family == "truth":
        return isinstance(value, bool) or type(value).__name__ == "bool_"
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and type(value).__name__ != "bool_"


TABLES: dict[str, Table] = {}

# key -> the header a learner reads, for each declared column whose header is not its key's words (Column.label).
LABELS: dict[str, str] = {}


def declares(table: Table) -> Callable[[Callable], Callable]:
    """Mark a function as returning ``table`` (a DataFrame of its columns): its docstring's ``{columns}``
    is replaced by the declared columns, ``function.__table__`` names the table for the tests, and every
    DataFrame it returns is checked against the declaration (TableMismatch when they differ, so a
    column added or renamed in the code alone fails the first test that calls it). Returns the decorator.
    Raises nothing itself; the decorated function raises TableMismatch when a DataFrame it returns differs from
    ``table``."""

    def decorate(function: Callable) -> Callable:
        @functools.wraps(function)
        def checked(*arguments, **keywords):
            result = function(*arguments, **keywords)
            if type(result).__name__ == "DataFrame":  # what it returns is what it declares, at every call
                table.check(result, function.__qualname__)
            return result

        if checked.__doc__ and "{columns}" in checked.__doc__:
            checked.__doc__ = checked.__doc__.replace("{columns}", table.doc())
        checked.__table__ = table
        TABLES[f"{function.__module__}.{function.__qualname__}"] = table
        return checked

    return decorate


def table_field(table: Table, **options: Any) -> Any:
    """A dataclass field that holds a table (a DataFrame) of ``table``'s columns: its class is marked
    :func:`holds_tables`, which checks it when an object is made, and replay reads a recorded one through
    ``table`` (a former key renamed, a missing column a RecordingStale). ``options`` go to
    :func:`dataclasses.field` (``default=None``: the field may hold no table). Returns the field. Raises nothing."""
    return dataclasses.field(metadata={"table": table}, **options)


def holds_tables(kind: type) -> type:
    """Mark a dataclass whose fields hold tables (:func:`table_field`): ``kind.__tables__`` maps each such
    field's name to its table (replay reads recorded objects through it), and each object made is checked
    against it; a ``{columns}`` in its docstring (one table field) is replaced by the declared columns.
    Returns the class. Raises TypeError for a class that is not a dataclass or declares no
    table field; the objects it makes raise TableMismatch when a field holds a table of other columns (a bug
    in the course)."""
    if not dataclasses.is_dataclass(kind):
        raise TypeError(f"holds_tables: {kind.__qualname__} is not a dataclass (apply @dataclass first, below it).")
    declared = {field.name: field.metadata["table"] for field in dataclasses.fields(kind) if "table" in field.metadata}
    if not declared:
        raise TypeError(f"holds_tables: {kind.__qualname__} declares no field with table_field().")
    optional = {field.name for field in dataclasses.fields(kind) if field.default is None}
    made = kind.__init__

    @functools.wraps(made)
    def __init__(self, *arguments: Any, **keywords: Any) -> None:
        made(self, *arguments, **keywords)
        for name, table in declared.items():
            value = getattr(self, name)
            if not (value is None and name in optional):
                table.check(value, f"{kind.__qualname__}.{name}")

    kind.__init__ = __init__
    kind.__tables__ = declared
    if kind.__doc__ and "{columns}" in kind.__doc__ and len(declared) == 1:  # like declares(): the docstring lists the columns
        kind.__doc__ = kind.__doc__.replace("{columns}", next(iter(declared.values())).doc())
    return kind


def _table(name: str, *columns: tuple | Column) -> Table:
    table = Table(name, tuple(column if isinstance(column, Column) else Column(*column) for column in columns))
    LABELS.update({column.key: column.label for column in table.columns if column.label})
    return table


LAYERS = _table(
    "layer",
    ("instruction", "str", "the instruction that made the layer, as the image's history records it"),
    ("size", "int", "what the layer added", "bytes"),
    ("cumulative_size", "int", "the layers up to and including this one", "bytes"),
    ("created", "datetime", "when the layer was made (UTC)"),
    ("id", "str", "the history entry's image id, or <missing>"),
    ("base", "str", 'the base image the layer came with (" (stand-in)" for a course stand-in), "" for the image\'s own steps'),
)
OWN_LAYERS = _table(
    "layer, or the base image as one row",
    ("instruction", "str", 'the instruction, or "FROM base: N layers"'),
    ("size", "int", "what it added", "bytes"),
    ("layers", "int", "how many filesystem layers the row stands for (0 for a setting: ENV, LABEL, CMD)", "count"),
)
DOCKERFILE_LAYERS = _table(
    "Dockerfile line",
    Column("dockerfile_line", "str", "the line number and the instruction as written", formerly=("Dockerfile line",), label="Dockerfile line"),
    ("layer", "str", "the history entry it made, or why there is none"),
    ("size", "int", "what that entry added (0 without a layer)", "bytes"),
)
COMPARE = _table(
    "image",
    ("image", "str", "the image's name"),
    ("size", "int", "uncompressed, as the engine counts it", "bytes"),
    ("compressed", "int", "what a pull downloads (None when not asked for)", "bytes"),
    ("layers", "int", "how many layers", "count"),
    ("stand_in", "str", 'the stand-in base it was built on, or ""'),
    ("user", "str", 'the user it runs as ("root" when unset)'),
    ("runs", "str", "its entrypoint and command"),
)
DIFF = _table(
    "changed file",
    ("path", "str", "the file's path"),
    ("change", "str", "added, changed or removed"),
    ("size_in_a", "int", "its size in the first image (0 when absent)", "bytes"),
    ("size_in_b", "int", "its size in the second image (0 when absent)", "bytes"),
    ("bytes", "int", "the size difference", "bytes"),
)
WASTED = _table(
    "wasted file",
    ("path", "str", "the file's path"),
    ("wasted", "int", "bytes every pull downloads and no container sees", "bytes"),
    ("change", "str", "deleted or overwritten"),
    ("written_by", "str", "the layer that wrote it"),
    ("removed_by", "str", "the layer that deleted or overwrote it"),
    ("why", "str", "the same in a sentence"),
)
LINT = _table(
    "hadolint finding",
    ("rule", "str", "hadolint's rule (DL3006, ...)"),
    ("line", "int", "the Dockerfile line"),
    ("severity", "str", "error, warning, info or style"),
    ("instruction", "str", "the line's text"),
    ("message", "str", "hadolint's message"),
    ("why_it_matters", "str", "the course's reason to care"),
    ("not_applicable", "str", 'why the finding is a known false positive here, or ""'),
)
AUDIT = _table(
    "image",
    ("image", "str", "the image's name"),
    ("user", "str", "the user it runs as (with its uid)"),
    ("runs_as_root", "bool", "whether that user is uid 0"),
    ("shell", "str", 'the shells in /bin and /usr/bin, or "none"'),
    ("setuid_setgid_files", "int", "files with the setuid or setgid bit", "count"),
    ("packages", "int", "installed packages, all managers", "count"),
    ("dpkg_packages", "int", "Debian packages", "count"),
    ("apk_packages", "int", "Alpine packages", "count"),
    ("pip_packages", "int", "Python packages", "count"),
    ("package_database", "str", 'where the dpkg and apk counts come from: "dpkg", "dpkg status.d" (distroless), "apk", or '
                                '"none (no dpkg or apk database): not counted" (0 then means not recorded, not none installed)'),
    ("exposed_ports", "str", 'EXPOSEd ports, or "none"'),
    ("secret_looking_env", "str", 'names of environment variables that look like secrets, or "none"'),
    ("age_days", "float", "days since the image was created"),
    ("stand_in", "str", 'the stand-in base it was built on, or ""'),
    ("size", "int", "uncompressed", "bytes"),
)
SECRETS = _table(
    "finding",
    ("where", "str", "the file's path, ENV NAME, LABEL KEY, ARG NAME, CMD/ENTRYPOINT/ONBUILD/HEALTHCHECK..., or the history step"),
    ("what", "str", "what kind of secret it looks like (a file found by its name and its content: every reason, joined by \"; \")"),
    ("evidence", "str", "the matching text, masked (so is every secret value in the other columns)"),
    ("layer", "str", "the layer (instruction) that holds it"),
    ("still_in_image", "bool", "whether a pull still downloads it"),
    ("visible_in_final_filesystem", "bool", "whether a container sees it"),
    ("removed_by", "str", 'the layer that hid it, or ""'),
    ("bytes", "int", "the file's size (0 for env and history)", "bytes"),
)
SECRET_VARIANT_FINDINGS = _table(
    "way of handing a secret to a build",
    ("variant", "str", "ARG, ENV, COPY + rm, or a BuildKit secret mount"),
    Column("dockerfile_text", "str", "the Dockerfile built, its text", formerly=("dockerfile",)),
    ("image", "str", "the image built"),
    ("findings", "int", "what find_secrets found", "count"),
    ("where", "str", 'the places it named, "; "-joined'),
    ("token_found_in", "str", 'every place whose bytes hold the token, "" when none does'),
)
VULNERABILITIES = _table(
    "known vulnerability",
    ("id", "str", "the vulnerability's id (CVE-..., GHSA-...)"),
    ("package", "str", "the package it is in"),
    ("installed", "str", "the installed version"),
    ("severity", "str", "trivy's severity: LOW, MEDIUM, HIGH, CRITICAL or UNKNOWN"),
    ("fixed_in", "str", 'the version that fixes it, "" when none does yet'),
)
SBOM = _table(
    "package",
    ("name", "str", "the package's name"),
    ("version", "str", "its version"),
    ("type", "str", "deb, apk, python, go-module, ..."),
)
STEPS = _table(
    "Dockerfile step",
    ("step", "int", "its number in Dockerfile order"),
    ("stage", "str", "the stage's name, or BuildKit's stage-N"),
    ("vertex", "int", "BuildKit's #N (None on the classic builder)"),
    ("instruction", "str", "the instruction"),
    ("cached", "bool", "whether it came from the build cache"),
    ("seconds", "float", "how long it ran", "s"),
    ("size_added", "int", "what it added, from the image's history (None for a stage the image does not contain)", "bytes"),
)
PHASES = _table(
    "phase outside the steps",
    ("phase", "str", "what the time went on"),
    ("seconds", "float", "how long (negative: time two vertices ran at once, counted once)", "s"),
)

_WHY_THIS_TARGET = Column("why_this_target", "str", "where the target comes from", formerly=("why this target",))
_HEADLINE = (
    ("label", "str", "what the figure is"),
    ("value", "float", "the measured figure, in its unit"),
    ("unit", "str", 'the unit ("x" for a ratio, " s", " MB", ...)'),
)
HEADLINES = _table(
    "headline figure",
    *_HEADLINE,
    ("target", "float", "the figure's target"),
    ("direction", "str", '"at most" or "at least" the target'),
    ("met", "bool", "whether the figure meets its target"),
    ("condition", "str", "what the figure depends on (e.g. the VM's accelerator)"),
    _WHY_THIS_TARGET,
)
HEADLINES_SHOWN = _table(
    "headline figure, for the eye",
    ("figure", "str", "what the figure is"),
    ("measured", "str", "the figure, about three significant figures, with its unit"),
    Column("target_text", "str", "the target, with ≤ or ≥ and its unit", formerly=("target",), label="target"),
    ("verdict", "str", "met or missed"),
    _WHY_THIS_TARGET,
    ("condition", "str", "what the figure depends on"),
)
_COLLECTED = (
    ("notebook", "str", "the notebook that measures it"),
    *_HEADLINE,
    ("direction", "str", '"at most" or "at least" the target'),
    ("target", "float", "the figure's target"),
    ("met", "bool", "whether the figure meets its target"),
    _WHY_THIS_TARGET,
)
COLLECTED = _table(
    "headline figure of the course",
    *_COLLECTED,
    ("source", "str", "measured live here (when), or recorded (where and when)"),
    ("conditions", "str", "engine, builder, bases and the figure's own condition"),
)
COLLECTED_RECORDED = _table(
    "recorded headline figure",
    *_COLLECTED,
    ("conditions", "str", "engine, builder, bases and the figure's own condition"),
)
SEED_CLAIM_VERDICTS = _table(
    "claim of the seed",
    Column("seed_section", "str", "where the seed makes the claim", formerly=("seed section",)),
    Column("the_seed_says", "str", "the claim", formerly=("the seed says",)),
    Column("we_measured", "str", "each figure measured for it, with its target", formerly=("we measured",)),
    Column("the_data_says", "str", "what the figures show about the claim", formerly=("the data says",)),
    ("verdict", "str", "holds, partly holds, does not hold or not measured, by the claim's own rule"),
    ("conditions", "str", "engine, builder, bases, accelerator, and where the figures are narrower than the claim"),
)
DOCTOR = _table(
    "check of the machine",
    ("check", "str", "what was checked"),
    ("status", "str", "ok, warn, fail or info"),
    ("detail", "str", "what was found"),
    ("fix", "str", "what to do when it is not ok"),
)
VM_BOOTS = _table(
    "VM boot",
    ("kind", "str", "VM (qemu)"),
    ("accelerator", "str", "KVM, or software emulation (TCG)"),
    ("run", "int", "which boot"),
    ("seconds", "float", "from start to the first userspace line", "s"),
    ("memory_bytes", "int", "qemu's resident memory then", "bytes"),
)
STOPS = _table(
    "docker stop",
    ("variant", "str", "how the container was started (CMD form, handler, --init)"),
    ("run", "int", "which repeat"),
    ("pid1", "str", "PID 1's command line"),
    ("seconds", "float", "how long `docker stop` took", "s"),
    ("exit_code", "int", "the container's exit code (137: SIGKILL, 143: SIGTERM)"),
    Column("sigterm_handler_ran", "bool", "whether the app's own SIGTERM handler ran (its log says \"SIGTERM received\"); "
           "False also when SIGTERM's default action ended the app (exit 143)", formerly=("app_got_sigterm",), label="SIGTERM handler ran"),
)
NAME_LOOKUPS = _table(
    "network",
    Column("network_kind", "str", "default bridge or user-defined", formerly=("network",), label="network"),
    ("network_name", "str", "the network's name"),
    ("server", "str", "the server container's name"),
    ("attempts", "int", "lookups tried", "count"),
    ("resolved", "int", "lookups that succeeded", "count"),
    ("error", "str", "what a failed lookup said"),
    ("by_name", "object", "HTTP status of a GET by name, or the error"),
    ("by_ip", "object", "HTTP status of a GET by IP address, or the error"),
)
COMPOSE_NETWORK = _table(
    "network a Compose project created",
    ("network", "str", "its name (<project>_default)"),
    ("driver", "str", "its driver (bridge)"),
    ("services", "str", 'the services attached, ", "-joined'),
    ("attempts", "int", "lookups of the server's service name tried", "count"),
    ("resolved", "int", "lookups that succeeded", "count"),
    ("by_name", "object", "HTTP status of a GET by service name, or the error"),
    ("by_ip", "object", "HTTP status of a GET by IP address, or the error"),
)
PUBLISHED_PORTS = _table(
    "try of a port",
    Column("run_with", "str", "how the container was started (with or without -p)", formerly=("run",), label="run"),
    ("exposed", "str", "the ports the image EXPOSEs"),
    ("published", "str", "what `docker port` lists"),
    ("tried", "str", "the address requested"),
    ("answered", "str", '"HTTP 200" or the connection error'),
)
STORAGE_SURVIVAL = _table(
    "storage",
    ("storage", "str", "writable layer, named volume, bind mount or tmpfs"),
    ("path", "str", "where the file was written in the container"),
    ("after_restart", "bool", "the same container still sees it after a restart"),
    ("after_rm", "bool", "a new container sees it after the first was removed"),
    ("on_host", "object", "the bind mount's file is in the host folder after rm (None: not a host folder)"),
)
WRITES = _table(
    "timed write",
    ("storage", "str", "writable layer, named volume, bind mount or tmpfs"),
    ("run", "int", "which repeat"),
    ("bytes", "int", "written and fsynced", "bytes"),
    ("seconds", "float", "how long it took, timed inside the container", "s"),
    ("mb_per_s", "float", "10^6 bytes per second", "MB/s"),
)
PLATFORM_RUNS = _table(
    "run on a platform",
    ("platform", "str", "what the image was built for (--platform)"),
    ("architecture", "str", "what `docker image inspect` says"),
    ("engine", "str", "this engine's os/arch"),
    ("run", "int", "which repeat"),
    ("exit_code", "int", "the container's exit code"),
    ("output", "str", "the program's first line, or the error (exec format error)"),
    ("seconds", "float", "the work, as the program timed it (None when it did not run)", "s"),
)
COMPOSE_PS = _table(
    "container of a Compose project",
    ("service", "str", "the service it runs"),
    ("state", "str", "running, exited, ..."),
    ("health", "str", 'healthy, unhealthy, starting, or "" without a healthcheck'),
    ("exit_code", "int", "its exit code (0 while running)"),
    ("ports", "str", "published ports, address:host->container"),
    ("container", "str", "the container's name"),
)
CONTAINER_CHANGES = _table(
    "changed path",
    Column("change_kind", "str", "A (added), C (changed) or D (deleted), as `docker diff` prints it", formerly=("kind",), label="kind"),
    ("path", "str", "the path in the container"),
)
MANIFEST_LAYERS = _table(
    "layer in a registry manifest",
    ("digest", "str", "the layer blob's digest"),
    ("compressed_size", "int", "what a pull downloads for it", "bytes"),
    ("media_type", "str", "the blob's media type (gzip-compressed tar, ...)"),
)
CACHE_BUILDS = _table(
    "build of the layer-cache experiment",
    ("builder", "str", "buildkit or classic"),
    ("dockerfile", "str", "which Dockerfile (deps first, code first, ...)"),
    ("image", "str", "the tag built"),
    ("scenario", "str", "cold, none, code or requirements (the edit before the build)"),
    ("meaning", "str", "the scenario in words"),
    ("run", "int", "which repeat"),
    ("seconds", "float", "the whole build", "s"),
    ("steps", "int", "Dockerfile steps", "count"),
    ("rebuilt", "int", "steps that ran again (not from the cache)", "count"),
    ("rebuilt_steps", "list", "the instructions that ran again"),
    Column("step_detail", "table", "the build's step table", holds=STEPS),
)
CACHE_MOUNT_BUILDS = _table(
    "build of the cache-mount experiment",
    ("variant", "str", "with or without the cache mount"),
    ("run", "int", "which repeat"),
    ("scenario", "str", "cold or requirements"),
    ("meaning", "str", "the scenario in words"),
    ("seconds", "float", "the whole build", "s"),
    ("install_seconds", "float", "the pip step alone", "s"),
    ("install_bytes", "int", "what the pip step added to the image", "bytes"),
    ("cache_bytes", "int", "what BuildKit's cache mount holds after the build (None without the mount)", "bytes"),
    Column("dockerfile_text", "str", "the Dockerfile built, its text", formerly=("dockerfile",)),
)
IGNORE_BUILDS = _table(
    "variant of the .dockerignore experiment",
    ("variant", "str", "without or with .dockerignore"),
    ("image", "str", "the tag built"),
    ("context_bytes", "int", "build context sent, as the builder reports it", "bytes"),
    ("cold_seconds", "float", "the cold build", "s"),
    ("rebuild_after_git_change_seconds", "float", "the rebuild after a change inside .git alone", "s"),
    Column("copy_cached_after_git_change", "object", "whether COPY . . came from the cache (None without one)",
           formerly=("COPY . . cached after a .git change",),
           label="COPY . . cached after a .git change"),
    ("rebuilt_steps", "list", "the instructions that ran again"),
)
MULTI_STAGE = _table(
    "variant of a multi-stage experiment",
    ("variant", "str", "single stage, alpine, scratch, distroless, ..."),
    ("image", "str", "the tag built"),
    ("answer", "str", "what the image printed or served (only when checked)"),
    ("size", "int", "uncompressed", "bytes"),
    ("compressed", "int", "what a pull downloads", "bytes"),
    ("layers", "int", "how many layers", "count"),
    ("stand_in", "str", 'the stand-in base it was built on, or ""'),
    ("user", "str", 'the user it runs as ("root" when unset)'),
    ("runs", "str", "its entrypoint and command"),
    ("build_seconds", "float", "median cold build", "s"),
    ("build_min", "float", "fastest cold build", "s"),
    ("build_max", "float", "slowest cold build", "s"),
)
STAGE_BUILDS = _table(
    "cold build of the stage-skipping experiment",
    ("builder", "str", "buildkit or classic"),
    ("run", "int", "which repeat"),
    ("seconds", "float", "the whole build", "s"),
    ("stages_built", "list", "the stages that ran, in order"),
    ("steps_run", "int", "steps that ran", "count"),
)
BUILDER_BUILDS = _table(
    "cold build, one builder",
    ("builder", "str", "buildkit or classic"),
    ("run", "int", "which repeat"),
    ("seconds", "float", "the whole build", "s"),
    ("image_id", "str", "the image built"),
    ("run_steps", "list", "each RUN step that ran: {stage, started, seconds}, seconds from the build's start and its duration"),
)
STARTS = _table(
    "docker run --rm",
    ("image", "str", "the image run"),
    ("run", "int", "which run"),
    ("seconds", "float", "from create to exit (the container's removal not counted)", "s"),
)
VM_AND_CONTAINER_RUNS = _table(
    "VM boot or container run",
    ("kind", "str", "container or VM (qemu)"),
    ("accelerator", "str", "none for a container; KVM or software emulation (TCG) for the VM"),
    ("run", "int", "which run"),
    ("seconds", "float", "start to exit (container) or to userspace (VM)", "s"),
    ("memory_bytes", "int", "the container's cgroup plus its containerd shim, or qemu's resident memory", "bytes"),
)
KERNELS = _table(
    "image",
    ("image", "str", "the image run"),
    Column("kernel_inside_the_container", "str", "`uname -r` in a container of it", formerly=("kernel inside the container",)),
    Column("engine_host_kernel", "str", "`uname -r` of the engine's host", formerly=("engine host kernel",)),
    Column("same_kernel", "bool", "whether the two are one kernel", formerly=("same kernel",)),
)
RUN_EACH = _table(
    "environment",
    ("environment", "str", "what the image stands for"),
    ("image", "str", "the image run"),
    ("exit_code", "int", "the container's exit code"),
    ("output", "str", "stdout and stderr, stripped"),
)
RACE_RUNS = _table(
    "run of the start-up race",
    Column("compose_file", "str", "the file brought up", formerly=("compose file",)),
    ("run", "int", "which run"),
    ("db_ready_seconds", "float", "from the database container's start to Postgres being ready", "s"),
    ("api_started_after_db_seconds", "float", "from the database container's start to the api's", "s"),
    ("first_error_after_db_seconds", "float", "from the database container's start to the api's first failed connection (None: none failed)", "s"),
    ("failed_connections", "int", "the api's failed connection attempts", "count"),
    ("first_error", "str", "the api's first failed-connection line: the evidence (without one: the api's last line when it exited or "
                           "never served, the database's error line when it exited)"),
    ("cause", "str", 'what that evidence means (dockerlab.experiments.FAILURE_CAUSES; "" when nothing failed)'),
    ("lost_race", "bool", "whether the first failure came before the database was ready, with a cause a database not ready yet gives"),
    ("api_serving", "bool", "whether the api ended up serving"),
    ("api_exit_code", "object", "the api's exit code when it exited, else None"),
)
RACE_SUMMARY = _table(
    "compose file",
    Column("run_count", "int", "runs", "count", formerly=("runs",), label="runs"),
    Column("lost_race_runs", "int", "runs whose first failure was the race", "count", formerly=("lost_race",), label="lost race"),
    ("other_failures", "int", "runs that failed for another cause", "count"),
    ("causes", "str", 'each cause seen and how often, "; "-joined'),
    Column("api_serving_runs", "int", "runs that ended serving", "count", formerly=("api_serving",), label="api serving"),
)
PREPARED = _table(
    "catalogue image",
    ("image", "str", "the base image's name"),
    ("source", "str", "present (already here), pulled, stand-in (built here from Debian packages) or loaded (from a bundle)"),
    Column("is_stand_in", "bool", "whether the image here is a course stand-in, not the official image", formerly=("stand-in", "stand_in")),
    ("size", "int", "uncompressed, as the engine counts it", "bytes"),
    ("seconds", "float", "how long making it available took (0 when loaded from a bundle)", "s"),
    ("note", "str", 'what happened on the way (registry not asked, a replaced stand-in, ...), or ""'),
)
PACKAGE_COUNTS = _table(
    "image",
    Column("<package type>", "int", "packages of that type in the image's SBOM (deb, apk, python, ...): one column per type any image has",
           "count", many=True),
    ("total", "int", "all packages in the SBOM", "count"),
)
_MEDIAN_MIN_MAX = (
    ("median", "float", "the median of the runs", "s"),
    ("min", "float", "the fastest run", "s"),
    ("max", "float", "the slowest run", "s"),
    ("n", "int", "how many runs", "count"),
)
SUMMARY = _table(
    "group of runs",
    Column("<by>", "object", "the group: one column per name in ``by``", many=True),
    *_MEDIAN_MIN_MAX,
)
STOP_SUMMARY = _table(
    "way of starting a container, stopped",
    ("variant", "str", "how the container was started (CMD form, handler, --init)"),
    *_MEDIAN_MIN_MAX,
    ("pid1", "str", 'PID 1\'s command lines seen, " | "-joined'),
    Column("exit_codes", "str", 'the exit codes seen, "/"-joined (137: SIGKILL, 143: SIGTERM)', formerly=("exit_code",)),
    Column("sigterm_handler_ran", "bool", "whether the app's own SIGTERM handler ran in every run", label="SIGTERM handler ran"),
)
RECORDED_NOTEBOOKS = _table(
    "notebook recorded",
    ("notebook", "str", "the notebook's file name"),
    ("seconds", "float", "how long it ran", "s"),
    ("file", "str", 'the recording written (relative to the course folder), or "(no engine calls)"'),
    ("bytes", "int", "the recording's size (0 without one)", "bytes"),
)
SOLUTION_CHECKS = _table(
    "exercise's reference solution",
    ("exercise", "str", "the exercise's label"),
    ("passed", "bool", "whether the solution passed its check"),
    ("live", "str", 'what the live tier did ("measured" when recording)'),
    ("messages", "str", 'what the check said, " | "-joined, at most 200 characters (its verdict is ``passed``)'),
)
RENDERED_NOTEBOOKS = _table(
    "notebook executed for the site",
    ("notebook", "str", "the notebook's name (without .ipynb)"),
    ("title", "str", 'its first heading, or ""'),
    ("seconds", "float", "how long it ran", "s"),
    ("plots", "int", "the figures it drew", "count"),
)
