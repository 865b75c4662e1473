"""Colours for the HTML the course renders, as JupyterLab theme variables with fallbacks.

In JupyterLab the ``--jp-*`` variables follow the theme (light, dark, high contrast); in plain
HTML (nbconvert, the static site before its stylesheet loads) the fallback after the comma is used.

Status text (ok, warn, failed) is written in the theme's text colour, and the status colour marks it
as a bar beside the text (:func:`status_css`): JupyterLab's own status colours fall below a contrast
ratio of 4.5 as text on some of its backgrounds (warn-color0 on white is 3.8, success-color0 on the
dark theme's table rows 3.9), while its text colours stay above 10 on both.
"""
from __future__ import annotations

__all__ = ["TEXT", "SUCCESS", "WARN", "ERROR", "INFO", "status_css"]

TEXT = "var(--jp-content-font-color0, #1f2328)"
SUCCESS = "var(--jp-success-color0, #1a7f37)"
WARN = "var(--jp-warn-color0, #9a6700)"
ERROR = "var(--jp-error-color1, #cf222e)"
INFO = "var(--jp-info-color0, #0969da)"


def status_css(colour: str) -> str:
    """CSS for a status word: the theme's text colour (readable in every theme), bold, with ``colour``
    (SUCCESS, WARN, ERROR, INFO) as a bar on its left. Returns the declarations, without braces. Raises nothing."""
    return f"color: {TEXT}; font-weight: bold; border-left: 0.3em solid {colour}; padding-left: 0.3em"
