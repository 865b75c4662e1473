"""Colours for the HTML the course renders, as JupyterLab theme variables with fallbacks.

In JupyterLab the ``--jp-*`` variables follow the theme (light, dark, high contrast); in plain
HTML (nbconvert, the static site before its stylesheet loads) the fallback after the comma is used.
Each pair was picked to keep text at a contrast ratio of at least 4.5 on JupyterLab's light
(white) and dark (near-black) notebook backgrounds: success-color0 is 7.9 / 4.6, error-color1 5.0 / 5.1.
"""
from __future__ import annotations

__all__ = ["TEXT", "SUCCESS", "WARN", "ERROR"]

TEXT = "var(--jp-content-font-color0, #1f2328)"
SUCCESS = "var(--jp-success-color0, #1a7f37)"
WARN = "var(--jp-warn-color0, #9a6700)"  # orange-900 on white is 3.8: used in bold only
ERROR = "var(--jp-error-color1, #cf222e)"
INFO = "var(--jp-info-color0, #0969da)"
