"""The `dockerlab` command: doctor, prepare, record, render, cheatsheet, clean."""
from __future__ import annotations

import argparse
import json
import os
import sys
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as installed

from .bases import prepare
from .cleanup import cleanup
from .cheatsheet import commands as cheatsheet_commands
from .cheatsheet import write as write_cheatsheet
from .course import render
from . import recording
from .errors import DockerlabError
from .paths import COURSE_ROOT
from .results import README_END, README_START, fill_run_times, readme_table
from .exercises.record import record_solutions
from .readiness import doctor
from .recorder import record_notebooks, recorded_bytes

__all__ = ["main"]


def _doctor(arguments: argparse.Namespace) -> int:
    report = doctor(room=arguments.room)
    if arguments.json:
        print(json.dumps(report.as_dict(), indent=1))
        return 0 if report.ok else 1
    print(report.text())
    if arguments.room:
        print(f"(checked in {report.seconds:.1f} s)")
    return 0 if report.ok else 1


def _prepare(arguments: argparse.Namespace) -> int:
    table = prepare(
        arguments.only or None,
        pull=not arguments.no_pull,
        save=arguments.save,
        load=arguments.load,
        progress=not arguments.quiet,
    )
    registry = table.attrs.get("registry")
    if registry is not None:
        print(f"registry: {'reachable' if registry.reachable else 'unreachable: ' + registry.reason}")
    print(table.to_string(index=False))
    if arguments.save:
        print(f"bundle written: {arguments.save}")
    return 0


def _clean(arguments: argparse.Namespace) -> int:
    removed = cleanup(bases=arguments.bases)
    failed = removed.pop("not removed")
    kept = removed.pop("kept")
    print(", ".join(f"{count} {kind}" for kind, count in removed.items()) + " removed"
          + ("" if arguments.bases else "; stand-in base images kept (dockerlab clean --bases removes them too)"))
    for line in kept:
        print(f"kept: {line}")
    for line in failed:
        print(f"not removed: {line}", file=sys.stderr)
    return 1 if failed else 0


def _record(arguments: argparse.Namespace) -> int:
    if arguments.exercises:
        table = record_solutions(arguments.only or None)
        print(table.to_string(index=False))
        print(f"data/recorded/ now holds {recorded_bytes() / 1e6:.2f} MB")
        return 0
    table = record_notebooks(arguments.only or None, timeout=arguments.timeout)
    print(table.to_string(index=False))
    print(f"recorded in {table['seconds'].sum():.0f} s; data/recorded/ now holds {recorded_bytes() / 1e6:.2f} MB")
    return 0


def _cheatsheet(arguments: argparse.Namespace) -> int:
    path = write_cheatsheet()
    print(f"{len(cheatsheet_commands())} commands -> {path}")
    return 0


def _figures(arguments: argparse.Namespace) -> int:
    readme = COURSE_ROOT / "README.md"
    text = readme.read_text()
    start, end = text.index(README_START), text.index(README_END) + len(README_END)
    readme.write_text(fill_run_times(text[:start] + readme_table() + text[end:]))
    guide = COURSE_ROOT / "docs" / "instructor.md"
    guide.write_text(fill_run_times(guide.read_text()))
    print(f"headline figures and run times from data/recorded/ -> {readme}, {guide}")
    return 0


def _render(arguments: argparse.Namespace) -> int:
    table = render(arguments.out, arguments.only or None, timeout=arguments.timeout)
    print(table.to_string(index=False))
    print(f"total: {table['seconds'].sum():.0f} s; HTML course: {arguments.out or 'build'}/html/index.html")
    return 0


def _notebook_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--only", nargs="+", metavar="NOTEBOOK", help="only these notebooks (file names or prefixes such as 03)")
    command.add_argument("--timeout", type=int, default=1800, help="seconds one cell may take")


EXIT_CODES = """exit codes:
  0    done (doctor: no check failed)
  1    a check failed, or the command could not do its work (the message says what and what to do)
  2    the command line is wrong (unknown command or option)
  130  interrupted (Ctrl-C)"""


def version() -> str:
    try:
        return installed("dockerlab")
    except PackageNotFoundError:
        return "unknown (not installed: pip install -e .)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dockerlab", description="The dockerlab course's helper command.", epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"dockerlab {version()}")
    commands = parser.add_subparsers(dest="command", required=True)

    doctor = commands.add_parser("doctor", help="check this machine for the course (exit 1 when a check fails)")
    doctor.add_argument("--room", action="store_true",
                        help="the instructor's check before a workshop: stricter, runs a container, ends with one line to read aloud")
    doctor.add_argument("--json", action="store_true", help="the same rows as JSON (ok, summary, checks: check, status, detail, fix)")
    doctor.set_defaults(run=_doctor)

    prepare = commands.add_parser("prepare", help="make every base image available: present, pulled, or a stand-in")
    prepare.add_argument("--only", nargs="+", metavar="NAME", help="only these catalogue images (and what they build on)")
    prepare.add_argument("--no-pull", action="store_true", help="never contact a registry")
    prepare.add_argument("--save", metavar="FILE", help="afterwards, write all images into one bundle (for a workshop room)")
    prepare.add_argument("--load", metavar="FILE", help="first, load a bundle written by --save")
    prepare.add_argument("--quiet", action="store_true", help="no progress bars")
    prepare.set_defaults(run=_prepare)

    record = commands.add_parser("record", help="run the notebooks live and write their results to data/recorded/ (for recorded mode)")
    _notebook_options(record)
    record.add_argument("--exercises", action="store_true", help="instead, check each exercise's reference solution live into data/recorded/exercises.json "
                                                                 "(--only takes exercise numbers and replaces only their entries)")
    record.set_defaults(run=_record)

    render = commands.add_parser("render", help="execute every notebook and publish them as static HTML with an index page")
    render.add_argument("--out", help="folder for executed/ and html/ (default: build/)")
    _notebook_options(render)
    render.set_defaults(run=_render)

    figures = commands.add_parser("figures",
                                  help="write README.md's headline figures and the recorded run times (README, instructor guide) from data/recorded/")
    figures.set_defaults(run=_figures)

    sheet = commands.add_parser("cheatsheet", help="write notebooks/cheatsheet.md from the notebooks' %%docker cells")
    sheet.set_defaults(run=_cheatsheet)

    clean = commands.add_parser("clean", help="remove what the course created: its containers, networks, volumes and images (stand-in bases are kept)")
    clean.add_argument("--bases", action="store_true", help="also remove the stand-in base images (minutes to build again)")
    clean.add_argument("--keep-bases", action="store_true", help=argparse.SUPPRESS)  # the default now; accepted for old scripts
    clean.set_defaults(run=_clean)
    return parser


# Commands that act on the engine: they never replay recordings (with no engine they say how to start one).
ENGINE_COMMANDS = {"prepare", "record", "clean"}


def main(argv: list[str] | None = None) -> int:
    """The `dockerlab` command: run the subcommand ``argv`` names (default: sys.argv). Returns the exit
    code: 0 done, 1 a DockerlabError (printed with its fix, no traceback), 130 interrupted. Engine
    commands (prepare, record, clean) always run live.
    Raises SystemExit (exit code 2, with argparse's message) for a command line it cannot read; any other exception a
    subcommand raises is a bug, and propagates."""
    arguments = build_parser().parse_args(argv)
    if arguments.command in ENGINE_COMMANDS:
        os.environ["DOCKERLAB_MODE"] = "live"
        recording.reset()
    try:
        return arguments.run(arguments)
    except DockerlabError as error:
        print(f"dockerlab {arguments.command}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"dockerlab {arguments.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
