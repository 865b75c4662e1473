"""How the BuildKit experiments are set up: one thing changed at a time, repeat counts from the environment."""
import pytest

import dockerlab as dl
from dockerlab import experiments


def test_cache_mount_variants_differ_only_by_the_mount():
    text = (dl.paths.app("layer-cache") / "Dockerfile").read_text()
    without, mounted = experiments._with_cache_mount(text)
    assert "--no-cache-dir" not in without and "--no-cache-dir" not in mounted
    changed = [(a, b) for a, b in zip(without.splitlines(), mounted.splitlines(), strict=False) if a != b]
    assert changed == [("RUN pip install -r requirements.txt", "RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt")]
    assert len(without.splitlines()) == len(mounted.splitlines()) == len(text.splitlines())


def test_cache_mount_needs_a_pip_install_line():
    with pytest.raises(dl.DockerlabError, match="pip install"):
        experiments._with_cache_mount("FROM alpine:3.20\nRUN true\n")


def test_repeat_count_comes_from_the_environment_when_not_given(monkeypatch):
    monkeypatch.delenv("DOCKERLAB_REPEAT", raising=False)
    assert experiments.repeats(3) == 3
    monkeypatch.setenv("DOCKERLAB_REPEAT", "1")
    assert experiments.repeats(3) == 1
    monkeypatch.setenv("DOCKERLAB_REPEAT", "zero")
    with pytest.raises(dl.DockerlabError, match="DOCKERLAB_REPEAT"):
        experiments.repeats(3)


def test_the_stages_app_has_a_stage_the_final_image_does_not_need():
    from dockerlab.builder import _final_lineage, _stages

    stages = _stages((dl.paths.app("stages") / "Dockerfile").read_text())
    assert [name for name, _ in stages] == ["build", "tests", "stage-2"]
    assert "tests" not in _final_lineage(stages, None)


def test_each_edit_is_text_never_built_before(tmp_path):
    """BuildKit's cache is keyed by content: the same edit twice would be a cache hit, not a rebuild."""
    target = tmp_path / "app.py"
    target.write_text("print(1)\n")
    experiments.edit_like_a_learner(target, "1")
    first = target.read_text()
    target.write_text("print(1)\n")
    experiments.edit_like_a_learner(target, "1")
    assert first != target.read_text() and first.startswith("print(1)\n# edit 1 (")
