"""scripts/ensure-docker-engine installs the venv's Compose plugin only where none is, or over the course's
own earlier copy: a Compose plugin the learner installed is never replaced (issue 16 item 7). The script's
function runs as itself, as a non-root user with a home of its own and a stand-in `docker` command."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path


SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "ensure-docker-engine"


def install(tmp_path: Path, venv_compose: str, docker_has_compose: bool = False) -> tuple[Path, str]:
    text = SCRIPT.read_text()
    function = re.search(r"^install_compose_plugin\(\) \{.*?^\}$", text, re.S | re.M).group(0)
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True, exist_ok=True)
    (venv / "bin" / "docker-compose").write_text(venv_compose)
    (venv / "bin" / "docker-compose").chmod(0o755)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "docker").write_text(f"#!/bin/sh\n[ \"$1\" = compose ] && {'exit 0' if docker_has_compose else 'exit 1'}\nexit 0\n")
    (bin_dir / "docker").chmod(0o755)
    (bin_dir / "id").write_text("#!/bin/sh\necho 1000\n")  # not root: the plugin goes under $HOME
    (bin_dir / "id").chmod(0o755)
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    program = f"set -euo pipefail\nsay() {{ echo \"$*\"; }}\nvenv={venv}\n{function}\ninstall_compose_plugin\n"
    finished = subprocess.run(["bash", "-c", program], capture_output=True, text=True,
                              env={"HOME": str(home), "PATH": f"{bin_dir}:/usr/bin:/bin"})
    assert finished.returncode == 0, finished.stderr
    return home / ".docker" / "cli-plugins" / "docker-compose", finished.stdout


def test_installed_where_there_is_none(tmp_path):
    plugin, _ = install(tmp_path, "#!/bin/sh\necho course 1\n")
    assert plugin.read_text() == "#!/bin/sh\necho course 1\n"


def test_the_learners_own_plugin_is_kept(tmp_path):
    plugin = tmp_path / "home" / ".docker" / "cli-plugins" / "docker-compose"
    plugin.parent.mkdir(parents=True)
    plugin.write_text("#!/bin/sh\necho my own compose\n")
    _, said = install(tmp_path, "#!/bin/sh\necho course 1\n")
    assert plugin.read_text() == "#!/bin/sh\necho my own compose\n"
    assert "keeping" in said and "not the course's copy" in said


def test_the_courses_earlier_copy_is_updated(tmp_path):
    plugin, _ = install(tmp_path, "#!/bin/sh\necho course 1\n")
    install(tmp_path, "#!/bin/sh\necho course 2\n")
    assert plugin.read_text() == "#!/bin/sh\necho course 2\n"


def test_a_compose_plugin_installed_elsewhere_is_used_as_it_is(tmp_path):
    plugin, _ = install(tmp_path, "#!/bin/sh\necho course 1\n", docker_has_compose=True)
    assert not plugin.exists()
