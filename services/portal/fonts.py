"""@font-face rules for the Vazirmatn files found in CLUB_PORTAL_FONT_DIR (served at /fonts/).

The font is vendored once, for the documents service (services/documents/fonts); the portal
serves the same files. When the directory holds none, the rules are empty and the stylesheet's
system fonts are used."""

from __future__ import annotations

import pathlib
import re

FAMILY = "Vazirmatn"
WEIGHTS = {"thin": 100, "extralight": 200, "light": 300, "regular": 400, "medium": 500, "semibold": 600,
           "bold": 700, "extrabold": 800, "black": 900}
FORMATS = {".woff2": "woff2", ".woff": "woff", ".ttf": "truetype"}  # preferred first
_STATIC = re.compile(rf"^{FAMILY}-([A-Za-z]+)$")
_VARIABLE = re.compile(rf"^{FAMILY}(\[wght\]|-Variable)$", re.IGNORECASE)


def face_rules(font_dir: pathlib.Path) -> str:
    """One @font-face per weight (or one for a variable font), the best format of each."""
    if not font_dir.is_dir():
        return ""
    chosen: dict[str, tuple[int, pathlib.Path]] = {}  # weight range -> (format rank, file)
    for path in sorted(font_dir.rglob("*")):
        rank = list(FORMATS).index(path.suffix.lower()) if path.suffix.lower() in FORMATS else -1
        if rank < 0:
            continue
        stem = path.stem
        if _VARIABLE.match(stem):
            weight = "100 900"
        elif (match := _STATIC.match(stem)) and match.group(1).lower() in WEIGHTS:
            weight = str(WEIGHTS[match.group(1).lower()])
        else:
            continue
        if weight not in chosen or rank < chosen[weight][0]:
            chosen[weight] = (rank, path)
    rules = []
    for weight, (_, path) in sorted(chosen.items()):
        url = "/fonts/" + path.relative_to(font_dir).as_posix().replace("[", "%5B").replace("]", "%5D")
        rules.append(f"@font-face {{ font-family: {FAMILY}; font-style: normal; font-weight: {weight}; "
                     f"font-display: swap; src: url(\"{url}\") format(\"{FORMATS[path.suffix.lower()]}\"); }}")
    return "\n".join(rules) + ("\n" if rules else "")
