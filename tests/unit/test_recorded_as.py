"""matching.recorded_as: whether a history entry records a given Dockerfile line (how an interrupted classic build knows
its own images from another process's built on the same base). Entries as the classic builder wrote them on engine
20.10.24 (tests/fixtures/history_constructs.json) and as `docker commit` writes them."""
import json
from pathlib import Path

import pytest

from dockerlab.matching import recorded_as

HISTORY = json.loads((Path(__file__).parents[1] / "fixtures" / "history_constructs.json").read_text())


@pytest.mark.parametrize("created_by, line", [
    ("/bin/sh -c echo abc > /made", "RUN echo abc > /made"),
    ("|2 GREETING=hello world N=1 /bin/sh -o pipefail -c head -c 4000 /dev/urandom | cat > /p && echo $GREETING",
     "RUN head -c 4000 /dev/urandom | cat > /p && echo $GREETING"),
    ("/bin/sh -c #(nop)  ENV A=1", "env A 1"),
    ('/bin/sh -c #(nop)  ENV B=two words C=3', 'ENV B="two words" C=3'),
    ("/bin/sh -o pipefail -c #(nop)  LABEL a=b c d=e f", 'LABEL a=b "c d"="e f"'),
    ("/bin/sh -o pipefail -c #(nop) COPY file:8b8f5ad9e2834df2ca9e0de36ad7e759b2ca28f36c9e835b253c279e03898f7e in /d.bin ", "COPY data.bin /d.bin"),
    ("/bin/sh -c #(nop) WORKDIR /srv/app", "WORKDIR /srv/app"),
])
def test_an_entry_records_the_line_that_made_it(created_by, line):
    assert recorded_as(created_by, line)


@pytest.mark.parametrize("created_by, line", [
    ("/bin/sh", "RUN echo abc > /made"),  # a learner's `docker commit` of a shell container
    ("true", "RUN echo abc > /made"),
    ("/bin/sh -c echo other > /made", "RUN echo abc > /made"),  # another build's RUN on the same base
    ("/bin/sh -c #(nop)  ENV Y=2", "ENV X=1"),
    ("/bin/sh -c #(nop)  LABEL a=b", "ENV a=b"),  # another keyword
    ("/bin/sh -c #(nop) COPY file:8b8f5ad9e2834df2ca9e0de36ad7e759b2ca28f36c9e835b253c279e03898f7e in /other ", "COPY data.bin /d.bin"),
])
def test_an_entry_does_not_record_another_line(created_by, line):
    assert not recorded_as(created_by, line)


def test_every_line_of_the_constructs_dockerfile_is_recorded_by_an_entry_of_its_classic_build():
    # left out: lines whose entry the builder rewrites (variables expanded, a relative WORKDIR made absolute, exec
    # forms and Go-printed values): strict matching does not take them (test below), so such a step's image is left
    # on a Ctrl-C rather than risk removing another process's image
    lines = [line for line in HISTORY["cases"]["constructs"].replace("\\\n", " ").splitlines()
             if line.strip() and "$" not in line and line != "WORKDIR sub"
             and not line.upper().startswith(("FROM", "ARG", "EXPOSE", "HEALTHCHECK", "CMD", "ENTRYPOINT", "VOLUME", "USER", "SHELL", "RUN ["))]
    assert len(lines) == 9
    entries = [entry["CreatedBy"] for entry in HISTORY["history"]["constructs/classic"]]
    missing = [line for line in lines if not any(recorded_as(entry, line) for entry in entries)]
    assert not missing, missing


def test_a_line_whose_variables_the_builder_expanded_is_not_taken_for_its_entry():
    assert not recorded_as("/bin/sh -c #(nop) WORKDIR /srv/app", "WORKDIR $DIR")
