"""The HTML the course renders takes its colours from JupyterLab's theme variables (with fallbacks)."""
from __future__ import annotations

import re
from pathlib import Path

import dockerlab
from dockerlab.recording import Mode

PACKAGE = Path(dockerlab.__file__).parent
HEX = re.compile(r"#[0-9a-fA-F]{3,8}\b")
FALLBACK = re.compile(r"var\(--jp-[a-z0-9-]+,\s*#[0-9a-fA-F]{3,8}\)")


def test_no_colour_in_rendered_html_is_a_bare_hex_value():
    bare = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "plots.py":  # matplotlib figures are PNGs, not HTML
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if line.lstrip().startswith("#"):
                continue
            for match in HEX.finditer(FALLBACK.sub("", line)):
                bare.append(f"{path.relative_to(PACKAGE)}:{number}: {match.group()}")
    assert not bare, "colours outside var(--jp-..., fallback):\n" + "\n".join(bare)


def test_the_recorded_banner_sets_its_text_colour_with_its_background():
    banner = Mode("recorded", "no Docker engine answers here")._repr_html_()
    style = re.search(r"style='([^']*)'", banner).group(1)
    declarations = dict(part.split(":", 1) for part in style.split(";") if part.strip())
    assert declarations["color"].startswith("var(--jp-content-font-color0,")
    # translucent, so the theme's own background shows through (pale yellow was unreadable in dark)
    assert declarations["background"].startswith("rgba(") and declarations["background"].rstrip(")").endswith("0.12")
