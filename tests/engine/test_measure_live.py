"""dockerlab's numbers agree with the engine's own."""
import json
import subprocess
import time
import urllib.request

import pytest

import dockerlab as dl

APP_DOCKERFILE = (
    "FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements.txt .\n"
    "RUN head -c 30000000 /dev/urandom | sha256sum > /checksum\n"
    "COPY . .\nCMD [\"python\", \"app.py\"]\n"
)


@pytest.fixture
def app(tmp_path):
    (tmp_path / "requirements.txt").write_text("# no dependencies\n")
    (tmp_path / "app.py").write_text('print("hello")\n')
    return tmp_path


def test_classic_cached_column_matches_the_engines_cache_messages(app, created):
    tag = created.image("dockerlab-test/cache:latest")
    cold = dl.build(app, APP_DOCKERFILE, tag=tag, nocache=True, builder="classic", progress=False)
    warm = dl.build(app, APP_DOCKERFILE, tag=tag, builder="classic", progress=False)
    (app / "app.py").write_text('print("edited")\n')
    edited = dl.build(app, APP_DOCKERFILE, tag=tag, builder="classic", progress=False)
    for result in (cold, warm, edited):
        engine_says = sum(line.strip() == "---> Using cache" for line in result.log)
        assert sum(step.cached for step in result.build_steps) == engine_says
    assert list(cold.steps["cached"]) == [False] * 6
    assert list(warm.steps["cached"][1:]) == [True] * 5
    assert list(edited.steps["cached"][1:]) == [True, True, True, False, False]


def test_classic_step_seconds_add_up_to_the_build_time(app, created):
    result = dl.build(app, APP_DOCKERFILE, tag=created.image("dockerlab-test/timing:latest"), nocache=True, builder="classic", progress=False)
    assert sum(step.seconds for step in result.build_steps) == pytest.approx(result.seconds, rel=0.10)
    assert result.steps.loc[result.steps["instruction"].str.startswith("RUN head"), "size_added"].iloc[0] > 0


@pytest.mark.parametrize("image", ["python:3.11-slim", "alpine:3.20", "postgres:15"])
def test_layers_equal_docker_history(image):
    cli = subprocess.run(
        ["docker", "history", "--no-trunc", "--human=false", "--format", "{{.CreatedBy}}\t{{.Size}}", image],
        capture_output=True, text=True, check=True,
    ).stdout.splitlines()
    table = dl.layers(image)
    assert list(table["size"])[::-1] == [int(line.rsplit("\t", 1)[1]) for line in cli]
    expected = [dl.layerfs.clean_instruction(line.rsplit("\t", 1)[0]) for line in cli][::-1]
    assert [row for row in table["instruction"] if not row.startswith("(base")] == [row for row in expected if not row.startswith("(base")]


@pytest.mark.parametrize("image", ["python:3.11-slim", "alpine:3.20", "postgres:15", "golang:1.21"])
def test_own_layers_counts_the_filesystem_layers_docker_inspect_lists(image):
    rootfs = len(dl.layerfs.inspect_image(image)["RootFS"]["Layers"])
    table = dl.layers(image)
    assert dl.images.own_layers(table)["layers"].sum() == dl.images.own_layers(table, all_layers=True)["layers"].sum() == rootfs


def test_a_deleted_10_mb_file_counts_as_wasted(tmp_path, created):
    tag = created.image("dockerlab-test/waste:latest")
    dl.build(tmp_path, "FROM alpine:3.20\nRUN head -c 10000000 /dev/urandom > /big\nRUN rm /big\n", tag=tag, progress=False)
    waste = dl.wasted_space(tag)
    assert waste.total_bytes >= 10_000_000
    assert waste.offenders.iloc[0]["path"] == "/big" and waste.efficiency < 0.5


def test_compressed_size_matches_what_a_registry_stores(created, free_port):
    """The compressed size we compute agrees with the layer sizes in the manifest after a real push."""
    client = dl.engine.client()
    created.run("registry:2", ports={"5000/tcp": ("127.0.0.1", free_port)})
    for _ in range(60):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{free_port}/v2/", timeout=2)
            break
        except OSError:
            time.sleep(0.3)
    repository = f"127.0.0.1:{free_port}/course/python"
    client.api.tag("python:3.11-slim", repository, "measured")
    created.image(f"{repository}:measured")
    events = list(client.api.push(repository, tag="measured", stream=True, decode=True))
    assert not any("error" in event for event in events)
    request = urllib.request.Request(
        f"http://127.0.0.1:{free_port}/v2/course/python/manifests/measured",
        headers={"Accept": "application/vnd.docker.distribution.manifest.v2+json"},
    )
    manifest = json.loads(urllib.request.urlopen(request, timeout=10).read())
    pushed = sum(layer["size"] for layer in manifest["layers"])
    ours = dl.image_size("python:3.11-slim", compressed=True)
    assert ours == pytest.approx(pushed, rel=0.05)
    assert ours < dl.image_size("python:3.11-slim")


def test_a_failing_run_raises_build_failed_and_drops_the_stale_tag(tmp_path, created):
    tag = created.image("dockerlab-test/fails:latest")
    dl.build(tmp_path, "FROM alpine:3.20\nRUN echo first version\n", tag=tag, progress=False)
    with pytest.raises(dl.BuildFailed) as caught:
        dl.build(tmp_path, "FROM alpine:3.20\nRUN echo about to fail\nRUN exit 3\n", tag=tag, nocache=True, progress=False)
    error = caught.value
    assert (error.step, error.instruction, error.exit_code) == (3, "RUN exit 3", 3)
    assert any("about to fail" in line for line in error.log_tail) and len(error.log_tail) <= 30
    assert "RUN command failed" in error.fix
    assert dl.bases.resolve.image_state(tag)[0] == "missing", "the tag must not point at the earlier image"


@pytest.mark.parametrize(
    "dockerfile, words",
    [
        ("FROM alpine:3.20\nFORM nothing\n", "syntax error"),
        ("FROM alpine:3.20\nCOPY missing.txt /\n", "not in the build context"),
        ("FROM dockerlab-nonexistent/base:1.0\n", "FROM line"),
    ],
)
def test_bad_dockerfiles_get_clear_errors(tmp_path, dockerfile, words):
    with pytest.raises(dl.DockerlabError) as caught:
        dl.build(tmp_path, dockerfile, progress=False)
    assert words in (caught.value.fix or "") or words in str(caught.value)
    assert "Traceback" not in str(caught.value)


def test_layer_cache_experiment_shows_deps_first_wins(app, created):
    naive = "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN head -c 30000000 /dev/urandom | sha256sum > /checksum\nCMD [\"python\", \"app.py\"]\n"
    client = dl.engine.client()

    def untagged() -> set[str]:
        return {image.id for image in client.images.list(filters={"dangling": True, "label": "org.dockerlab.course=1"})}

    before = untagged()
    results = dl.experiments.layer_cache(app, {"deps first": APP_DOCKERFILE, "code first": naive}, repeat=1)
    for tag in set(results["image"]):
        created.image(tag)
    assert untagged() <= before, "each build replaced the one before it under its tag: no <none> image per scenario"
    assert (app / "app.py").read_text() == 'print("hello")\n', "the learner's files are never edited"
    code_edit = results[results["scenario"] == "code"].set_index("dockerfile")
    assert not any(step.startswith("RUN head") for step in code_edit.loc["deps first", "rebuilt_steps"])
    assert any(step.startswith("RUN head") for step in code_edit.loc["code first", "rebuilt_steps"])
    assert (results.loc[results["scenario"] == "none", "rebuilt"] == 0).all()
    dl.plots.cache_timeline(results)
    dl.plots.build_times(dl.experiments.summary(results, ["dockerfile", "scenario"]))


def test_start_time_runs_real_containers():
    before = len(dl.engine.client().containers.list(all=True))
    times = dl.experiments.start_time("alpine:3.20", n=3)
    assert len(times) == 3 and (times["seconds"] > 0).all()
    assert len(dl.engine.client().containers.list(all=True)) == before


def test_multi_stage_experiment_measures_each_variant_and_compare_and_diff_show_what_a_stage_left_behind(tmp_path, created):
    (tmp_path / "main.go").write_text('package main\nimport "fmt"\nfunc main() { fmt.Println("hi") }\n')
    builder = "FROM golang:1.21 AS builder\nWORKDIR /app\nCOPY main.go .\nRUN CGO_ENABLED=0 go build -o /app/hi main.go\n"
    table = dl.experiments.multi_stage(tmp_path, {
        "single": builder + 'CMD ["/app/hi"]\n',
        "scratch": builder + 'FROM scratch\nCOPY --from=builder /app/hi /hi\nCMD ["/hi"]\n',
    })
    for tag in table["image"]:
        created.image(tag)
    sizes = table.set_index("variant")["size"]
    assert sizes["single"] > 50 * sizes["scratch"]
    assert (table["build_seconds"] > 0).all()
    dl.plots.size_comparison(table)
    dl.plots.layer_sizes({name: dl.layers(image) for name, image in zip(table["variant"], table["image"], strict=True)})
    # compare and diff on the same two images (one Go build for both checks: CI's time is tight)
    single, multi = table.set_index("variant")["image"][["single", "scratch"]]
    compared = dl.compare(single, multi)
    assert compared.loc[0, "size"] > 50 * compared.loc[1, "size"]
    assert (compared["compressed"] < compared["size"]).all()
    changes = dl.diff(single, multi)
    removed = changes[changes["change"] == "removed"]
    assert removed["path"].str.startswith("/usr/lib/go-1.21").any()
    assert "/hi" in set(changes.loc[changes["change"] == "added", "path"])
    assert changes["bytes"].is_monotonic_decreasing
