"""The files an exported deck or handout loads, copied into ``<out>/vendor/`` so the folder works with no internet.

- reveal.js from the ``sphinx-revealjs`` package (reveal.js is MIT licensed): its UMD build, stylesheets and themes
  (with their fonts) and the speaker-notes plugin;
- MathJax 2 from the ``jupyter-server-mathjax`` package (MathJax is Apache-2.0 licensed);
- the Persian font (Vazirmatn, SIL Open Font License) for right-to-left cells, from ``helpers.persian.font_files()``,
  which fetches and checksums it through the course's data layer, with a ``persian.css`` of ``@font-face`` rules.

Decks refer to all of these by relative URLs (``vendor/...``).
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
import shutil
from collections.abc import Mapping
from pathlib import Path

REVEAL_PACKAGE, REVEAL_SUBDIR = "sphinx_revealjs", "_static/revealjs"
MATHJAX_PACKAGE, MATHJAX_SUBDIR = "jupyter_server_mathjax", "static"
VENDOR_REVEAL = "vendor/reveal.js"
VENDOR_MATHJAX = "vendor/mathjax"
VENDOR_FONTS = "vendor/fonts"
PERSIAN_FONT_FAMILY = "Vazirmatn"
# The stylesheet with the Persian font's @font-face rules, written next to the font files; every page links it.
PERSIAN_FONT_CSS = f"{VENDOR_FONTS}/persian.css"
# jupyter-server-mathjax ships a trimmed MathJax: this combined configuration and the HTML-CSS output with the
# STIX-Web fonts (the CommonHTML output that nbconvert asks for by default is not included).
MATHJAX_URL = f"{VENDOR_MATHJAX}/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"

# The CSS weight of each font file that helpers.persian.font_files() may name.
FONT_WEIGHTS = {
    "thin": 100,
    "extralight": 200,
    "light": 300,
    "regular": 400,
    "medium": 500,
    "semibold": 600,
    "bold": 700,
    "extrabold": 800,
    "black": 900,
}
FONT_FORMATS = {".ttf": "truetype", ".otf": "opentype", ".woff": "woff", ".woff2": "woff2"}
# The SIL Open Font License must travel with the font: helpers.persian keeps it beside the font files.
FONT_LICENSE = "OFL.txt"

# Script, stylesheet and image references that point at the internet.
REMOTE_REFERENCE = re.compile(
    r"<(?:script|img|iframe)\b[^>]*\bsrc\s*=\s*[\"'](?P<src>(?:https?:)?//[^\"']+)"
    r"|<link\b[^>]*\bhref\s*=\s*[\"'](?P<href>(?:https?:)?//[^\"']+)"
    r"|\bimport\s*\(?\s*[\"'](?P<module>(?:https?:)?//[^\"']+)",
    re.IGNORECASE,
)


class PersianFontUnavailableError(RuntimeError):
    """The Persian font that right-to-left cells need could not be had."""


def remote_references(html: str) -> list[str]:
    """Every script, stylesheet, image or module URL in ``html`` that points at the internet.

    >>> remote_references('<script src="https://cdn.example/x.js"></script><script src="vendor/y.js"></script>')
    ['https://cdn.example/x.js']
    """
    return [next(url for url in match.groups() if url) for match in REMOTE_REFERENCE.finditer(html)]


def package_dir(package: str) -> Path:
    """The folder of an installed Python package, or a clear error naming what to install."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        distribution = package.replace("_", "-")
        raise RuntimeError(f"offline slides need the Python package {distribution}: pip install {distribution}")
    return Path(next(iter(spec.submodule_search_locations)))


def vendor_assets(out_dir: Path, fonts: Mapping[str, Path] | None = None) -> Path:
    """Copy reveal.js, MathJax and the Persian font files into ``out_dir/vendor``; return that folder.

    reveal.js and MathJax are copied once per installed version. ``fonts`` maps font weights (``"regular"``,
    ``"bold"``, ...) to font files, as :func:`persian_font_files` returns them; without it the decks get no Persian
    font (fine for notebooks with no right-to-left cells).
    """
    reveal_source = package_dir(REVEAL_PACKAGE) / REVEAL_SUBDIR
    mathjax_source = package_dir(MATHJAX_PACKAGE) / MATHJAX_SUBDIR
    vendor = out_dir / "vendor"
    # The stamp names the sources and their versions; when it matches, the copies are already the right ones.
    stamp = vendor / "SOURCES.json"
    wanted = {
        "reveal.js": {"from": f"{REVEAL_PACKAGE}/{REVEAL_SUBDIR}", "version": reveal_version(reveal_source)},
        "mathjax": {"from": f"{MATHJAX_PACKAGE}/{MATHJAX_SUBDIR}", "version": mathjax_version(mathjax_source)},
    }
    if not (stamp.is_file() and json.loads(stamp.read_text()) == wanted):
        shutil.rmtree(vendor, ignore_errors=True)
        skip_reveal = shutil.ignore_patterns("*.map", "*.esm.js", "markdown", "highlight", "math", "search", "zoom")
        for part in ("LICENSE", "dist", "plugin"):
            source, target = reveal_source / part, out_dir / VENDOR_REVEAL / part
            if source.is_dir():
                shutil.copytree(source, target, ignore=skip_reveal)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
        shutil.copytree(mathjax_source, out_dir / VENDOR_MATHJAX)
        stamp.write_text(json.dumps(wanted, indent=2) + "\n")
    vendor_fonts(out_dir, fonts or {})
    return vendor


def vendor_fonts(out_dir: Path, fonts: Mapping[str, Path]) -> Path:
    """Copy the Persian font files into ``out_dir/vendor/fonts`` and write their stylesheet; return it.

    The stylesheet has the ``@font-face`` rules and sets right-to-left and Persian blocks in the font.

    The stylesheet is always written (with no ``@font-face`` rules when there are no fonts), because every deck links
    it. The font's license (``OFL.txt`` beside a font file) is copied along.
    """
    unknown = sorted(set(fonts) - set(FONT_WEIGHTS))
    if unknown:
        raise ValueError(f"unknown font weight(s) {unknown}: expected keys among {sorted(FONT_WEIGHTS)}")
    folder = out_dir / VENDOR_FONTS
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rules = [
        f"/* {PERSIAN_FONT_FAMILY}, for right-to-left (Persian) cells. */",
        f'[lang="fa"], [dir="rtl"] {{ font-family: "{PERSIAN_FONT_FAMILY}", sans-serif; }}',
    ]
    for weight_name, path in sorted(fonts.items(), key=lambda item: FONT_WEIGHTS[item[0]]):
        path = Path(path)
        if not path.is_file():
            raise PersianFontUnavailableError(f"the {weight_name} Persian font file {path} does not exist")
        font_format = FONT_FORMATS.get(path.suffix.lower())
        if font_format is None:
            raise ValueError(f"{path}: a font file must end in one of {sorted(FONT_FORMATS)}")
        target = folder / f"{PERSIAN_FONT_FAMILY}-{weight_name}{path.suffix.lower()}"
        shutil.copy2(path, target)
        if (path.parent / FONT_LICENSE).is_file():
            shutil.copy2(path.parent / FONT_LICENSE, folder / FONT_LICENSE)
        rules.append(
            f'@font-face {{ font-family: "{PERSIAN_FONT_FAMILY}"; src: url("{target.name}") format("{font_format}"); '
            f"font-weight: {FONT_WEIGHTS[weight_name]}; font-style: normal; font-display: block; }}"
        )
    css = out_dir / PERSIAN_FONT_CSS
    css.write_text("\n".join(rules) + "\n", encoding="utf-8")
    return css


def persian_font_files() -> dict[str, Path]:
    """The Persian font files, ``{"regular": path, "bold": path, ...}``, from ``helpers.persian.font_files()``.

    That function fetches the font through the course's data layer (cache, mirror, checksums). A checkout without
    ``helpers.persian`` gets a :class:`PersianFontUnavailableError` that says so.
    """
    try:
        persian = importlib.import_module("helpers.persian")
    except ModuleNotFoundError as error:
        if error.name != "helpers.persian":
            raise
        raise PersianFontUnavailableError(
            "the notebooks have right-to-left (Persian) cells, and the slides ship a Persian font for them, which "
            "comes from helpers.persian.font_files(); this checkout has no helpers/persian.py"
        ) from error
    fonts = persian.font_files()
    if "regular" not in fonts:
        raise PersianFontUnavailableError(f"helpers.persian.font_files() named no 'regular' font: {sorted(fonts)}")
    return {weight: Path(path) for weight, path in fonts.items()}


def reveal_version(reveal_source: Path) -> str:
    """The reveal.js version, read from the banner at the top of its bundled build."""
    banner = (reveal_source / "dist" / "reveal.js").read_text(encoding="utf-8")[:200]
    found = re.search(r"reveal\.js (\d+\.\d+\.\d+)", banner)
    return found.group(1) if found else "unknown"


def mathjax_version(mathjax_source: Path) -> str:
    """The MathJax version, read from MathJax.js itself."""
    source = (mathjax_source / "MathJax.js").read_text(encoding="utf-8")
    found = re.search(r'version\s*[:=]\s*"(\d+\.\d+\.\d+)"', source)
    return found.group(1) if found else "unknown"
