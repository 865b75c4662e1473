"""Each line of a Dockerfile beside the image-history entry it made (``docker history``), matched by
the engine's own record of it, never by position: what :func:`dockerlab.images.dockerfile_layers`
shows. Pure: it reads a Dockerfile's text and a :func:`dockerlab.images.layers` table.

How the builders write an entry (engine 20.10, measured by tests/engine/test_dockerfile_layers_live.py):
BuildKit writes the instruction with its variables expanded (`WORKDIR /srv/app`, `ENV A=1` for `env A 1`,
`EXPOSE map[8080/tcp:{}]`, `CMD ["/bin/sh" "-c" "echo hi"]`, `HEALTHCHECK &{...}`), a RUN as
`RUN |N ARG=value ... SHELL... COMMAND # buildkit`; the classic builder writes
`SHELL... #(nop)  INSTRUCTION` (under the SHELL in effect, e.g. `/bin/sh -o pipefail -c #(nop)  LABEL ...`)
and a RUN without its keyword (`|N ARG=value ... SHELL... COMMAND`, an exec-form RUN as its words). So
an entry is known by its instruction keyword and its content; lines and entries are aligned in order
(a sequence alignment: each line takes at most one later entry of its own keyword, the closest in content),
and a RUN, COPY or ADD is paired only with an entry whose content is the same command or destination.
"""
from __future__ import annotations

import difflib
import json
import re
from typing import TYPE_CHECKING

from .columns import DOCKERFILE_LAYERS, declares
from .dockerfile import parse as parse_dockerfile
from .errors import DockerlabError

if TYPE_CHECKING:  # the return annotations name it; pandas itself is imported where a table is made
    import pandas as pd

__all__ = ["match_layers", "history_instruction", "history_builder", "makes_layer", "named_base", "NO_HISTORY_ONBUILD"]

# BuildKit keeps ONBUILD in the image config (Config.OnBuild) and writes no history entry for it; the
# classic builder writes one (measured on engine 20.10 by tests/engine/test_buildkit_live.py).
NO_HISTORY_ONBUILD = "(no history entry: ONBUILD is kept in the image config, for images built FROM this one)"

_KEYWORDS = {"ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL", "MAINTAINER",
             "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"}
_NOP = re.compile(r"^(.*?)\s#\(nop\)\s+")  # the classic builder's config-only entry, under any SHELL
_BUILDKIT = re.compile(r"\s*# buildkit$")
_SHELL_WORD = re.compile(r"(?:^|\s)((?:/\S*/)?(?:sh|bash|ash|dash|zsh|ksh|mksh|pwsh|powershell|cmd)(?:\.exe)?)\s")
_SHELL_PREFIX = re.compile(r"^(?:/\S*/)?(?:sh|bash|ash|dash|zsh|ksh|mksh|pwsh|powershell|cmd)(?:\.exe)?(?:\s+\S+)*?\s+(?:-c|-Command|/S /C|/C)\s")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_ARGS = re.compile(r"^\|(\d+)\s")
# the content a RUN, COPY or ADD must share with its entry (a token sequence ratio, 0..1)
_SAME_CONTENT = 0.6


def history_instruction(created_by: str, comment: str = "") -> str:
    """The instruction a history entry (``CreatedBy``, as `docker history --no-trunc` prints it) records,
    as a learner writes it: `/bin/sh -c #(nop)  CMD ["x"]` (under any SHELL) -> `CMD ["x"]`;
    `|2 A=a b B=2 /bin/sh -o pipefail -c make` and BuildKit's `RUN |1 A=b /bin/sh -c make # buildkit` ->
    `RUN make`; an exec-form RUN keeps its words. An empty entry is "(base layer)" (": imported" when
    ``comment`` says so). Returns a str. Raises nothing."""
    text = _BUILDKIT.sub("", (created_by or "").strip())
    if not text:
        return "(base layer: imported)" if "import" in (comment or "").lower() else "(base layer)"
    nop = _NOP.match(text)
    if nop and nop.group(1).split(" ", 1)[0] not in _KEYWORDS:  # `SHELL... #(nop)  CMD ...`
        return text[nop.end():].strip()
    keyword, _, rest = text.partition(" ")
    if keyword in _KEYWORDS:  # BuildKit's own form
        return text if keyword != "RUN" else "RUN " + _command_of(rest)
    return "RUN " + _command_of(text)  # the classic builder's RUN: no keyword


def history_builder(history: list[dict]) -> str:
    """Which builder made an image, by its newest history entry (``history`` newest first, as the engine's API and
    `docker history` give it): "buildkit" when it names its instruction first (`LABEL ...`, `RUN ... # buildkit`),
    "classic" when it is `SHELL... #(nop)  INSTRUCTION` or a RUN without its keyword (`/bin/sh -c make`); "" when
    no entry says. The builders follow a FROM differently (:meth:`dockerlab.dockerfile.Dockerfile.base_stage`).
    Returns a str. Raises nothing."""
    for entry in history:
        text = str(entry.get("CreatedBy") or "").strip()
        if not text:
            continue
        if _BUILDKIT.search(text):
            return "buildkit"
        nop = _NOP.match(text)
        if nop and nop.group(1).split(" ", 1)[0] not in _KEYWORDS:
            return "classic"
        return "buildkit" if text.split(" ", 1)[0] in _KEYWORDS else "classic"
    return ""


# Instructions that make a filesystem layer (one of the image's RootFS layers); the others (ENV, LABEL,
# CMD, EXPOSE, USER, ARG, ...) only change the image's config, and `docker history` shows them as 0 B rows.
_LAYER_KEYWORDS = {"RUN", "COPY", "ADD", "WORKDIR"}


def makes_layer(instruction: str, size: int) -> bool:
    """Whether a history row (its instruction as :func:`history_instruction` gives it, and its size in
    bytes) made a filesystem layer, as `docker inspect`'s RootFS counts them: any row that added bytes;
    a base layer, RUN, COPY or ADD even when it added 0 bytes (BuildKit keeps it: the alpine stand-in's
    `RUN echo ok ...` is one of its 2 layers); a WORKDIR except `WORKDIR /` (it makes its directory in a
    layer; "/" exists already). Rows that only change the config (ENV, LABEL, CMD, ...) make none.
    The rule reads the row alone, so a builder that drops a step's empty layer is not seen; the engine
    tests compare it with RootFS for the course's images. Returns a bool. Raises nothing."""
    if size > 0 or instruction.startswith("(base layer"):
        return True
    keyword, _, rest = instruction.strip().partition(" ")
    if keyword == "WORKDIR":
        return rest.strip() not in ("", "/")
    return keyword in _LAYER_KEYWORDS


def _command_of(run: str) -> str:
    """A RUN entry's command: without the build arguments it saw (`|N NAME=value ...`, a value may hold
    spaces) and the SHELL's words (`/bin/sh -o pipefail -c `)."""
    text = run.strip()
    args = _ARGS.match(text)
    if args:
        rest = text[args.end():]
        shell = _SHELL_WORD.search(rest)
        if shell and _SHELL_PREFIX.match(rest[shell.start(1):]):
            text = rest[shell.start(1):]
        else:  # an exec-form RUN: N assignments, a value running on until the next NAME=
            words, taken = rest.split(" "), 0
            while words and taken < int(args.group(1)):
                words.pop(0)
                taken += 1
                while words and taken < int(args.group(1)) and not _ASSIGNMENT.match(words[0]):
                    words.pop(0)
            text = " ".join(words)
    prefix = _SHELL_PREFIX.match(text)
    return (text[prefix.end():] if prefix else text).strip()


def _tokens(keyword: str, text: str) -> tuple[str, ...]:
    """An instruction's content as words both forms share: JSON and Go-map punctuation dropped, a
    SHELL's words dropped from a RUN, CMD, ENTRYPOINT or HEALTHCHECK, ports with their protocol, a COPY
    or ADD as its destination alone (the classic builder records `COPY file:<sha256> in DEST`)."""
    text = text.strip()
    if keyword in ("COPY", "ADD"):
        classic = re.search(r"(?:file|dir|multi):[0-9a-f]{64} in (.+)$", text)
        if classic:
            return ("in", classic.group(1).strip())
        words = [word for word in text.split() if not word.startswith("--")]
        if text.startswith("["):
            try:
                words = [str(word) for word in json.loads(text)]
            except ValueError:
                pass
        return ("in", words[-1]) if words else ()
    if text.startswith("["):  # exec form, as written
        try:
            loaded = json.loads(text)
            if isinstance(loaded, list):
                text = " ".join(str(word) for word in loaded)
        except ValueError:
            pass
    text = re.sub(r'map\[|:\{\}|&\{|[\[\]{}",]', " ", text)
    text = text.replace("'\\x00'", " ").replace("CMD-SHELL", " ")
    text = text.strip()
    if keyword in ("RUN", "CMD", "ENTRYPOINT", "HEALTHCHECK"):
        text = _command_of(text)
    words = text.split()
    if keyword == "EXPOSE":
        words = [word if "/" in word else word + "/tcp" for word in words]
    return tuple(words)


def _expand(text: str, values: dict[str, str]) -> str:
    """$NAME, ${NAME}, ${NAME:-default} and ${NAME:+word} as the Dockerfile's own variables give them
    (a build argument given on the command line is not known here: it stays as written)."""
    def value(match: re.Match) -> str:
        name = match.group(1) or match.group(4)
        if match.group(2):
            have = values.get(name, "")
            return (match.group(3) if not have else have) if match.group(2) in (":-", "-") else (match.group(3) if have else "")
        return values.get(name, match.group(0))
    return re.sub(r"\$(?:\{(\w+)(?:(:?[-+])([^}]*))?\}|(\w+))", value, text)


def _pattern(text: str, values: dict[str, str], unsure: set[str]) -> str | None:
    """A regular expression for ``text`` once the builder expands it, when a variable in it is
    ``unsure`` (a build argument whose value the build may have been given: any text, its default
    included); None when every variable's value is known."""
    variable = re.compile(r"\$(?:\{(\w+)(?:(:?[-+])([^}]*))?\}|(\w+))")
    if not any((match.group(1) or match.group(4)) in unsure for match in variable.finditer(text)):
        return None
    parts, end = [], 0
    for match in variable.finditer(text):
        parts.append(re.escape(text[end:match.start()]))
        name = match.group(1) or match.group(4)
        parts.append(".*" if name in unsure else re.escape(_expand(match.group(0), values)))
        end = match.end()
    parts.append(re.escape(text[end:]))
    return "".join(parts)


def _assignments(instruction) -> list[tuple[str, str | None]]:
    """ENV/ARG's (NAME, value) pairs: BuildKit's parser gives ENV as NAME, value, NAME, value (the
    legacy `ENV NAME value` too) and ARG as `NAME=value` or `NAME` (value None)."""
    args = list(instruction.args)
    if instruction.keyword == "ENV":
        return [(name, _unquoted(value)) for name, value in zip(args[0::2], args[1::2], strict=False)]
    pairs = []
    for arg in args:
        name, equal, value = arg.partition("=")
        pairs.append((name, _unquoted(value) if equal else None))
    return pairs


def _unquoted(value: str) -> str:
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'" else value


@declares(DOCKERFILE_LAYERS)
def match_layers(text: str, table, target: str | None = None, buildargs: dict[str, str] | None = None, builder: str | None = None) -> pd.DataFrame:
    """Pure: pair each instruction of the final stage of Dockerfile ``text`` (or of the stage named
    ``target``; read by BuildKit's own parser: comments, continuations, heredocs, parser directives,
    ARG before FROM) with the history entry it made, by the engine's own record of it: the entry's
    instruction keyword and content (variables expanded as the builder expands them, the SHELL's words
    and the build arguments a RUN saw left out; a COPY or ADD by its destination, as the classic
    builder records `COPY file:<sha256> in DEST`), lines and entries kept in order; never by position.
    Entries the Dockerfile did not write (build labels) are left out, except a base image's ONBUILD
    trigger the FROM ran (``table.attrs["base_onbuild"]``: the base image's config OnBuild, as
    :func:`dockerlab.images.dockerfile_layers` gives it): a row `N: FROM base (ran the base image's ONBUILD trigger)`
    right after the FROM, with the trigger's layer and size, so the rows' sizes add up to the image's.
    Build arguments are expanded as the builder expands them: ``buildargs`` (the values the build was
    given), else the ARG's default, ENV values, and, where a value may have been given on the command
    line, any value in its place (a `COPY a.txt $DEST/` matches `COPY a.txt /srv/` when the image was
    built with DEST=/srv); the FROM row shows the base as built (the image the history names).
    A stage built `FROM` an earlier stage shows that stage's lines first (recursively, each marked
    `(stage NAME)`), between the external base image's row and its own lines; which stage a FROM names follows the
    builder that made the image (``builder``, else ``table.attrs["builder"]`` as :func:`history_builder` read it,
    else BuildKit): the classic builder takes `FROM BUILDER` for the stage `builder`, BuildKit for an image.
    {columns} Returns the DataFrame. Raises DockerlabError for a ``target`` the file has no stage of."""
    parsed = parse_dockerfile(text)
    final = parsed.final if target is None else parsed.stage(target)
    if final is None:
        names = ", ".join(stage.name for stage in parsed.stages if stage.name) or "none has a name"
        raise DockerlabError(f"The Dockerfile has no stage named {target!r} (its stages: {names}).",
                             fix="Name the stage the image was built with (`docker build --target NAME`), or leave target out for the last one.")
    own = table[table["base"] == ""] if "base" in table else table
    own = own[~own["instruction"].str.startswith("LABEL " + "org.dockerlab.")]
    base = table[table["base"] != ""] if "base" in table else table.iloc[:0]
    entries = []
    for row in own.to_dict("records"):
        shown = history_instruction(row["instruction"])
        keyword = shown.partition(" ")[0]
        entries.append((keyword, _tokens(keyword, shown.partition(" ")[2]), row))
    rows = [{"dockerfile_line": f"{arg.line}: {arg.original}", "layer": "before FROM: a build argument FROM may use", "size": 0}
            for arg in parsed.instructions if arg.keyword == "ARG" and arg.line < parsed.stages[0].line]
    builder = builder or getattr(table, "attrs", {}).get("builder") or "buildkit"
    chain = _stage_chain(parsed, final, builder)  # `FROM base` builds on the stage `base`: its layers come first
    name = base["base"].iloc[0] if len(base) else chain[0].base
    given = {str(key): str(value) for key, value in (buildargs or {}).items()}
    built = _built_base(parsed, chain[0], given, name if len(base) else None)
    count = sum(makes_layer(instruction, size) for instruction, size in zip(base["instruction"], base["size"], strict=True))
    rows.append({"dockerfile_line": f"{chain[0].line}: FROM {built}", "layer": f"{name}: {count} layer{'s' * (count != 1)} of the base image",
                 "size": int(base["size"].sum())})
    lines = _lines(parsed, chain, given)
    pairs = _align(lines, entries)
    first = min(pairs.values(), default=len(entries))  # the FROM runs the triggers before the stage's own lines
    triggers = _triggers(table)
    for keyword, tokens, row in entries[:first]:
        if any(keyword == trigger[0] and _similarity(tokens, trigger[1]) >= _SAME_CONTENT for trigger in triggers):
            rows.append({"dockerfile_line": f"{chain[0].line}: FROM {built} (ran the base image's ONBUILD trigger)",
                         "layer": row["instruction"], "size": int(row["size"])})
    index = 0
    for stage in chain:
        inherited = stage is not final
        if stage is not chain[0]:
            rows.append({"dockerfile_line": f"{stage.line}: FROM {stage.base}" + (f" (stage {stage.name})" if inherited else ""),
                         "layer": f"(no layer of its own: it starts from the stage {stage.base}, the lines above)", "size": 0})
        for instruction in stage.instructions:
            written = instruction.original
            if instruction.heredocs:  # one line, with the heredoc summarised as BuildKit names the step
                summary = instruction.heredocs[0].strip().split("\n")
                written = f"{instruction.text} ({summary[0]}{'...' if len(summary) > 1 else ''})"
            if inherited:
                written += f" (stage {stage.name})"
            found = pairs.get(index)
            index += 1
            if found is None:
                missing = NO_HISTORY_ONBUILD if instruction.keyword == "ONBUILD" else "(no history entry)"
                rows.append({"dockerfile_line": f"{instruction.line}: {written}", "layer": missing, "size": 0})
            else:
                row = entries[found][2]
                rows.append({"dockerfile_line": f"{instruction.line}: {written}", "layer": row["instruction"], "size": int(row["size"])})
    return DOCKERFILE_LAYERS.frame(rows)


def named_base(text: str, target: str | None = None, buildargs: dict[str, str] | None = None, builder: str = "buildkit") -> str | None:
    """The image the final stage (or ``target``) of Dockerfile ``text`` is built FROM, through the earlier
    stages it names as ``builder`` follows a FROM, with the build arguments as built (``buildargs``, else the defaults); None for
    scratch, an unknown target, or text the parser cannot read. Raises nothing."""
    try:
        parsed = parse_dockerfile(text)
    except DockerlabError:
        return None
    final = parsed.final if target is None else parsed.stage(target)
    if final is None:
        return None
    chain = _stage_chain(parsed, final, builder)
    given = {str(key): str(value) for key, value in (buildargs or {}).items()}
    name = _built_base(parsed, chain[0], given, None)
    return None if not name or name.lower() == "scratch" or "$" in name else name


def _triggers(table) -> list[tuple[str, tuple[str, ...]]]:
    """(keyword, content tokens) of each ONBUILD trigger of the base image (``table.attrs["base_onbuild"]``)."""
    found = []
    for trigger in getattr(table, "attrs", {}).get("base_onbuild") or []:
        keyword, _, body = history_instruction(trigger).partition(" ")
        found.append((keyword, _tokens(keyword, body)))
    return found


def _built_base(parsed, stage, given: dict[str, str], named: str | None) -> str:
    """The FROM's image as built: its words with the build arguments given (else the ARG defaults before
    FROM); when a variable in it could have been given another value and the history names the base
    image, that name."""
    first = next(instruction for instruction in parsed.instructions if instruction.keyword == "FROM" and instruction.line == stage.line)
    word = next((arg for arg in first.args if not arg.startswith("--")), stage.base)
    if "$" not in word:
        return stage.base
    values = {**parsed.global_args, **given}
    expanded = _expand(word, values)
    unsure = {name for name in re.findall(r"\$\{?(\w+)", word) if name not in given}
    return named.split(" ")[0] if unsure and named else expanded  # the name without the course's "(stand-in)"


def _lines(parsed, chain: list, given: dict[str, str] | None = None) -> list[tuple]:
    """(stage, instruction, keyword, content tokens) of each instruction of ``chain``, in build order,
    its variables expanded as the builder expands them (the build arguments ``given``, else ENV and ARG
    values so far; never in a RUN). A COPY or ADD whose destination holds a build argument not
    ``given`` carries a pattern with any value in its place (the build may have been given one)."""
    given = given or {}
    lines = []
    values: dict[str, str] = {}
    unsure: set[str] = set()
    for stage in chain:
        for instruction in stage.instructions:
            keyword = instruction.keyword
            if keyword in ("ARG", "ENV"):
                for key, value in _assignments(instruction):
                    if keyword == "ARG" and key in given:
                        values[key] = given[key]
                        unsure.discard(key)
                        continue
                    value = parsed.global_args.get(key) if value is None else value
                    depends = any(name in unsure for name in re.findall(r"\$\{?(\w+)", value or ""))
                    if keyword == "ARG" or depends:  # an ARG's value may come from the command line
                        unsure.add(key)
                    else:
                        unsure.discard(key)
                    if value is not None:
                        values[key] = _expand(value, values)
            written = instruction.original if keyword == "ONBUILD" or not instruction.heredocs else instruction.history_text
            body = written.split(None, 1)[1] if len(written.split(None, 1)) > 1 else ""
            if keyword != "ONBUILD":
                for flag in instruction.flags:
                    body = body.replace(flag, "", 1)
                pattern = None
                if keyword in ("COPY", "ADD"):
                    destination = _tokens(keyword, body)
                    pattern = _pattern(destination[1], values, unsure) if destination else None
                body = body if keyword == "RUN" else _expand(body, values)
            else:
                pattern = None
            lines.append((stage, instruction, keyword, _tokens(keyword, body), pattern))
    return lines


def _similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    if a == b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _align(lines: list, entries: list) -> dict[int, int]:
    """The order-keeping pairing of lines with entries that pairs the most lines, then the closest in
    content: a line pairs only with an entry of its keyword, a RUN, COPY or ADD only with one of the
    same content. Among equal pairings the later entries are taken (a base image the course could not
    name leaves its entries first). Returns {line index: entry index}."""
    n, m = len(lines), len(entries)
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            best = max(score[i + 1][j], score[i][j + 1])
            pair = _pair(lines[i], entries[j])
            if pair is not None:
                best = max(best, 1 + pair + score[i + 1][j + 1])
            score[i][j] = best
    pairs, i, j = {}, 0, 0
    while i < n and j < m:
        if abs(score[i][j] - score[i][j + 1]) < 1e-9:
            j += 1  # the same without this entry: leave it, a later one serves
        elif abs(score[i][j] - score[i + 1][j]) < 1e-9:
            i += 1
        else:
            pairs[i] = j
            i, j = i + 1, j + 1
    return pairs


def _pair(line, entry) -> float | None:
    keyword, tokens = line[2], line[3]
    if keyword != entry[0]:
        return None
    similarity = _similarity(tokens, entry[1])
    pattern = line[4]
    if pattern is not None and similarity < 1 and len(entry[1]) == 2 and re.fullmatch(pattern, entry[1][1], re.DOTALL):
        similarity = 0.95  # the destination with a build argument's value the command line gave
    if keyword in ("RUN", "COPY", "ADD") and similarity < _SAME_CONTENT:
        return None
    return similarity


def _stage_chain(parsed, final, builder: str = "buildkit") -> list:
    """The stages ``final`` is built on, oldest first, ending with ``final`` (`FROM base` names an earlier stage, as ``builder`` matches it)."""
    chain = [final]
    while True:
        stage = chain[0]
        parent = parsed.base_stage(stage, builder)
        if parent is None:
            return chain
        chain.insert(0, parent)
