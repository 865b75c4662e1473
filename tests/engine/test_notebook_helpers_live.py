"""The helpers notebooks 00-02 call, on a real engine, with right and wrong answers for each checker."""
import pytest

import dockerlab as dl

GREETER_RIGHT = 'FROM python:3.11-slim\nWORKDIR /app\nCOPY greet.py .\nCMD ["python", "greet.py"]\n'
GREETER_WRONG = "FROM python:3.11-slim\n# TODO\n"


def test_greeter_exercise_right_and_wrong():
    greeter = dl.paths.app("greeter")
    assert dl.check.dockerfile_prints(greeter, "Hello, Docker learner!", dockerfile=GREETER_RIGHT).passed
    wrong = dl.check.dockerfile_prints(greeter, "Hello, Docker learner!", dockerfile=GREETER_WRONG)
    assert not wrong.passed and "COPY greet.py" in wrong.messages[0]  # the static tier names what to add
    broken = dl.check.dockerfile_prints(greeter, "Hello, Docker learner!", dockerfile="FROM python:3.11-slim\nCOPY nothing.py .\n")
    assert not broken.passed and "no nothing.py in the build context" in broken.messages[0] and broken.live == "not run"
    assert (greeter / "solution.Dockerfile").exists()
    assert dl.check.dockerfile_prints(greeter, "Hello, Docker learner!", dockerfile="solution.Dockerfile").passed


def test_numpy_exercise_right_and_wrong():
    app = dl.paths.app("numpy-versions")
    original = (app / "report.py").read_text()
    server = {"REQUIREMENTS": "requirements-server.txt"}
    fixed = original.replace("np.float_", "np.float64")
    assert dl.check.program_prints(app, "order total: 28.50", files={"report.py": fixed}, buildargs=server).passed
    wrong = dl.check.program_prints(app, "order total: 28.50", files={"report.py": original}, buildargs=server)
    assert not wrong.passed and "float_" in " ".join(wrong.messages)
    assert (app / "report.py").read_text() == original, "the app folder is never changed"


def test_os_release_exercise_right_and_wrong():
    right = dl.run("alpine:3.20", ["grep", "VERSION_ID", "/etc/os-release"])
    assert dl.check.output_contains(right, "VERSION_ID=3.20").passed
    assert not dl.check.output_contains(dl.run("alpine:3.20", ["echo", "hi"]), "VERSION_ID=3.20").passed


def test_works_on_my_machine_is_reproduced():
    app = dl.paths.app("numpy-versions")
    dl.build(app, buildargs={"REQUIREMENTS": "requirements-laptop.txt"}, tag="order-report:laptop", progress=False)
    dl.build(app, buildargs={"REQUIREMENTS": "requirements-server.txt"}, tag="order-report:server", progress=False)
    assert dl.run("order-report:laptop").output.splitlines() == ["numpy 1.26.4", "order total: 28.50"]
    server = dl.run("order-report:server")
    assert server.exit_code == 1 and "np.float_` was removed in the NumPy 2.0 release" in server.output


def test_containers_share_the_engine_kernel():
    table = dl.experiments.kernels(["alpine:3.20", "debian:bookworm-slim"])
    assert table["same_kernel"].all()


def test_a_container_is_ephemeral_and_its_image_immutable():
    image_before = dl.image_id("alpine:3.20")
    with dl.start("alpine:3.20", ["sleep", "300"]) as box:
        box.exec("echo slice > /note.txt")
        changes = box.diff()
        assert ("A", "/note.txt") in set(map(tuple, changes[["change_kind", "path"]].values))
        assert box.memory_usage() > 0
    assert "note.txt" not in dl.run("alpine:3.20", ["ls", "/"]).output
    assert dl.image_id("alpine:3.20") == image_before


def test_run_errors_are_course_errors():
    with pytest.raises(dl.DockerlabError, match="no image"):
        dl.run("dockerlab-nonexistent/image:1")
    with pytest.raises(dl.DockerlabError, match="command does not exist"):
        dl.run("alpine:3.20", ["/no/such/program"])


def test_dockerfile_layers_map_each_line(tmp_path):
    app = dl.paths.app("hello-python")
    dl.build(app, tag="hello-python:1", progress=False)
    table = dl.dockerfile_layers(app / "Dockerfile", "hello-python:1")
    assert [line.split(": ", 1)[1] for line in table["dockerfile_line"]] == [
        "FROM python:3.11-slim", "WORKDIR /app", "COPY requirements.txt .",
        "RUN pip install --no-cache-dir -r requirements.txt", "COPY . .", 'CMD ["python", "app.py"]',
    ]
    assert "(no history entry)" not in set(table["layer"])
    assert table.loc[3, "layer"].startswith("RUN pip install") and table.loc[3, "size"] > 100_000
    assert table["size"].sum() == dl.image_size("hello-python:1")  # the base's layers and ours, each once
    with_label = dl.build(app, tag="dockerlab-test/labelled:1", labels={"x": "y"}, progress=False)
    try:
        labelled = dl.dockerfile_layers(app / "Dockerfile", "dockerlab-test/labelled:1")
        assert list(labelled["layer"]) == list(table["layer"]) and with_label.image_id  # build labels shift nothing
    finally:
        dl.remove("dockerlab-test/labelled:1")


def test_local_registry_round_trip_by_digest(free_port):
    with dl.registry.local_registry(port=free_port) as registry:
        digest = registry.push("alpine:3.20", "course/alpine", tag="1")
        manifest = registry.manifest("course/alpine", digest)
        layers = dl.engine.client().api.inspect_image("alpine:3.20")["RootFS"]["Layers"]
        assert len(manifest) == len(layers) and manifest["compressed_size"].max() > 100_000
        dl.remove(f"{registry.host}/course/alpine:1")
        assert registry.pull("course/alpine", digest) == dl.image_id("alpine:3.20")
        dl.remove(f"{registry.host}/course/alpine@{digest}")
    with pytest.raises(dl.DockerlabError, match="in use"):
        with dl.registry.local_registry(port=free_port, name="dockerlab-test-a"):
            dl.registry.local_registry(port=free_port, name="dockerlab-test-b")


def test_minimal_vm_disk_is_measured_like_an_image():
    size = dl.vm.minimal_vm_disk()
    assert size > dl.vm.kernel_package_bytes() > 100_000_000
    assert size > 3 * dl.image_size("debian:bookworm-slim")
    layers = dl.layers(dl.vm.DISK_TAG)
    assert any("linux-image-amd64" in instruction for instruction in layers["instruction"])
