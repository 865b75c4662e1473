"""Each line of a Dockerfile beside the image-history entry it made (``docker history``), matched by
the engine's own record of it, never by position: what :func:`dockerlab.images.dockerfile_layers`
shows. Pure: it reads a Dockerfile's text and a :func:`dockerlab.images.layers` table.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .builder import normalised_instruction
from .columns import DOCKERFILE_LAYERS, declares
from .dockerfile import parse as parse_dockerfile
from .errors import DockerlabError

if TYPE_CHECKING:  # the return annotations name it; pandas itself is imported where a table is made
    import pandas as pd

__all__ = ["match_layers", "NO_HISTORY_ONBUILD"]

# BuildKit keeps ONBUILD in the image config (Config.OnBuild) and writes no history entry for it; the
# classic builder writes one (measured on engine 20.10 by tests/engine/test_buildkit_live.py).
NO_HISTORY_ONBUILD = "(no history entry: ONBUILD is kept in the image config, for images built FROM this one)"


@declares(DOCKERFILE_LAYERS)
def match_layers(text: str, table, target: str | None = None) -> pd.DataFrame:
    """Pure: pair each instruction of the final stage of Dockerfile ``text`` (or of the stage named
    ``target``; read by BuildKit's own parser: comments, continuations, heredocs, parser directives,
    ARG before FROM) with the history entry it made, by the engine's own record of it (the
    instruction text, normalised; a COPY or ADD by its destination, as the classic builder records
    `COPY file:<sha256> in DEST`), never by position; the build labels the course adds are left out. A
    stage built `FROM` an earlier stage shows that stage's lines first (recursively, each marked
    `(stage NAME)`), between the external base image's row and its own lines.
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
    entries = [(normalised_instruction(row["instruction"]), row) for row in own.to_dict("records")]
    rows = [{"Dockerfile line": f"{arg.line}: {arg.original}", "layer": "before FROM: a build argument FROM may use", "size": 0}
            for arg in parsed.instructions if arg.keyword == "ARG" and arg.line < parsed.stages[0].line]
    chain = _stage_chain(parsed, final)  # `FROM base` builds on the stage `base`: its layers come first
    name = base["base"].iloc[0] if len(base) else chain[0].base
    rows.append({"Dockerfile line": f"{chain[0].line}: FROM {chain[0].base}", "layer": f"{name}: {len(base)} layers of the base image",
                 "size": int(base["size"].sum())})
    position = 0
    for stage in chain:
        inherited = stage is not final
        if stage is not chain[0]:
            rows.append({"Dockerfile line": f"{stage.line}: FROM {stage.base}" + (f" (stage {stage.name})" if inherited else ""),
                         "layer": f"(no layer of its own: it starts from the stage {stage.base}, the lines above)", "size": 0})
        for instruction in stage.instructions:
            wanted = normalised_instruction(instruction.history_text)
            written = instruction.original
            if instruction.heredocs:  # one line, with the heredoc summarised as BuildKit names the step
                body = instruction.heredocs[0].strip().split("\n")
                written = f"{instruction.text} ({body[0]}{'...' if len(body) > 1 else ''})"
            if inherited:
                written += f" (stage {stage.name})"
            found = next((index for index in range(position, len(entries)) if entries[index][0] == wanted), None)
            if found is None:
                missing = NO_HISTORY_ONBUILD if instruction.keyword == "ONBUILD" else "(no history entry)"
                rows.append({"Dockerfile line": f"{instruction.line}: {written}", "layer": missing, "size": 0})
                continue
            position = found + 1
            row = entries[found][1]
            rows.append({"Dockerfile line": f"{instruction.line}: {written}", "layer": row["instruction"], "size": int(row["size"])})
    return DOCKERFILE_LAYERS.frame(rows)


def _stage_chain(parsed, final) -> list:
    """The stages ``final`` is built on, oldest first, ending with ``final`` (`FROM base` names an earlier stage)."""
    chain = [final]
    while True:
        stage = chain[0]
        parent = next((earlier for earlier in parsed.stages[: stage.index] if earlier.name and earlier.name.lower() == stage.base.lower()), None)
        if parent is None:
            return chain
        chain.insert(0, parent)
