"""A RUN's or a container command's redirections stay with their command (the exercise checks read them)."""
from __future__ import annotations

from dockerlab.dockerfile import runs_pip_install, shell_commands


def test_redirections_follow_the_command_with_their_descriptor():
    assert shell_commands("cat /etc/os-release > /dev/null 2>&1; grep x f >> out 2> err") == [
        ["cat", "/etc/os-release", ">", "/dev/null", "2>&", "1"], ["grep", "x", "f", ">>", "out", "2>", "err"]]
    assert shell_commands("""sh -c 'cat /etc/os-release > /dev/null'""") == [["cat", "/etc/os-release", ">", "/dev/null"]]


def test_a_redirected_install_is_still_an_install_and_a_heredoc_script_still_read():
    assert runs_pip_install("RUN pip install -r requirements.txt > /tmp/pip.log")
    assert ["pip", "install", "x"] in shell_commands("RUN bash <<EOF\npip install x\nEOF")
