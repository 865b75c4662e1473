"""Notebook 04's parallel-stages figure is explained from its own data: what the RUN steps spent their
time on under each builder, and how many CPUs they shared (a computed sentence, never typed)."""
import pytest

import dockerlab as dl
from dockerlab import experiments
from dockerlab.columns import BUILDER_BUILDS


def measured(cpus=2, side=(8.4, 8.3), alone=(4.86, 4.01)):
    # the shape of a live run on this 2-CPU machine (seconds from the build's log)
    rows = []
    for run in (1, 2, 3):
        rows.append({"builder": "buildkit", "run": run, "seconds": 8.8, "image_id": "sha256:b",
                     "run_steps": [{"stage": "part-a", "started": 0.33, "seconds": side[0]}, {"stage": "part-b", "started": 0.33, "seconds": side[1]}]})
        rows.append({"builder": "classic", "run": run, "seconds": 9.6, "image_id": "sha256:c",
                     "run_steps": [{"stage": "part-a", "started": 0.1, "seconds": alone[0]}, {"stage": "part-b", "started": 4.96, "seconds": alone[1]}]})
    table = BUILDER_BUILDS.frame(rows)
    table.attrs["cpus"] = cpus
    return table


def test_side_by_side_steps_that_slowed_each_other_down_are_explained_by_the_cpus_they_shared():
    said = experiments.parallel_explained(measured())
    for expected in ("part-a and part-b", "overlapping 8.3 s", "8.4 s and 8.3 s", "4.86 s and 4.01 s", "1.9x as long",
                     "together they took 8.4 s where one after the other took 8.87 s", "this engine has 2", "about 1.9 of them busy", "shared the same CPUs",
                     "BuildKit 8.8 s, the classic builder 9.6 s"):
        assert expected in said, (expected, said)


def test_steps_that_did_not_slow_each_other_down_say_the_cpus_had_room():
    said = experiments.parallel_explained(measured(cpus=4, side=(4.9, 4.0)))
    assert "had room for both" in said and "shared the same CPUs" not in said


def test_a_table_without_step_timings_is_refused():
    with pytest.raises(dl.DockerlabError, match="run_steps"):
        experiments.parallel_explained(BUILDER_BUILDS.frame([]).drop(columns=["run_steps"]))
    one_stage = measured()
    one_stage["run_steps"] = [[{"stage": "build", "started": 0.0, "seconds": 3.0}]] * len(one_stage)
    with pytest.raises(dl.DockerlabError, match="two stages"):
        experiments.parallel_explained(one_stage)
