"""Fetch the JavaScript the rendered book needs into ``book/_vendor/`` (offline book).

It also fetches axe-core, which only the browser tests use (the accessibility check), into
``tests/_vendor/``, so it does not end up in the built book's ``_static/``.

By default a Jupyter Book page loads MathJax and the ipywidgets HTML manager from
CDNs, so a reader without internet (or our sandboxed tests) sees raw ``$$`` and
dead widgets. We fetch both packages once from the npm registry with
``npm pack`` and keep only the files a page actually loads.

Run from anywhere::

    python scripts/fetch_assets.py          # fetch what is missing (idempotent)
    python scripts/fetch_assets.py --force  # fetch again

``book/_vendor/`` is gitignored: it is generated, about 6 MB, and CI reaches npm.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENDOR = REPO / "book" / "_vendor"
TEST_VENDOR = REPO / "tests" / "_vendor"
STAMP = ".fetched-version"


@dataclass(frozen=True)
class Asset:
    """One npm package and the files of it the book serves."""

    npm_name: str
    version: str
    folder: str  # sub-folder of book/_vendor/; the book's _config.yml refers to it
    keep: tuple[str, ...]  # glob patterns relative to the package root
    for_tests: bool = False  # True: into tests/_vendor/ (the tests load it), not into the book

    @property
    def spec(self) -> str:
        return f"{self.npm_name}@{self.version}"


ASSETS = (
    Asset(
        "mathjax",
        "3.2.2",
        "mathjax",
        (
            "LICENSE",
            "es5/tex-mml-chtml.js",
            "es5/output/chtml/fonts/woff-v2/*",
            # loaded on demand: TeX extensions (autoload), MathML entities,
            # the context menu and the accessibility helpers it offers
            "es5/input/tex/extensions/*",
            "es5/input/mml/*",
            "es5/ui/*",
            "es5/a11y/*",
        ),
    ),
    # 1.0.15 is the html-manager released together with ipywidgets 8.1.9 / jupyterlab_widgets
    # 3.0.17 (same git commit). embed.js is the plain-script build: embed-amd.js needs
    # require.js and resolves its fonts against the wrong base URL.
    Asset(
        "@jupyter-widgets/html-manager",
        "1.0.15",
        "html-manager",
        # the package ships no LICENSE file; package.json carries its licence (BSD-3-Clause)
        ("package.json", "dist/embed.js", "dist/embed.js.LICENSE.txt", "dist/*.woff2", "dist/*.woff"),
    ),
    # The HTML manager has no Markdown parser: book/_assets/widget_markdown.js uses marked to render
    # Markdown shown inside widgets (JupyterLab renders it with marked too).
    Asset("marked", "15.0.12", "marked", ("LICENSE.md", "marked.min.js")),
    # The browser tests inject axe.min.js into every page and fail on serious/critical WCAG 2 A/AA
    # violations (tests/test_browser_layout.py).
    Asset("axe-core", "4.14.1", "axe-core", ("LICENSE", "axe.min.js"), for_tests=True),
)


class FetchError(RuntimeError):
    """npm could not deliver a package."""


def is_current(asset: Asset, vendor: Path = VENDOR) -> bool:
    """True when ``vendor/<folder>`` already holds this exact version."""
    stamp = vendor / asset.folder / STAMP
    return stamp.is_file() and stamp.read_text().strip() == asset.spec


def npm_pack(spec: str, workdir: Path) -> Path:
    """Download the tarball of ``spec`` into ``workdir`` with ``npm pack``; return its path."""
    npm = shutil.which("npm")
    if npm is None:
        raise FetchError(
            f"cannot fetch {spec}: the `npm` command is not on PATH. "
            "Install Node.js/npm (e.g. `apt-get install npm`) and run this script again."
        )
    cmd = [npm, "pack", spec, "--json", "--pack-destination", str(workdir)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=workdir)
    if proc.returncode != 0:
        raise FetchError(
            f"`{' '.join(cmd[1:])}` failed (exit {proc.returncode}); is the npm registry "
            f"reachable?\n{proc.stderr.strip()}"
        )
    try:
        filename = json.loads(proc.stdout)[0]["filename"]
    except (ValueError, LookupError) as exc:
        raise FetchError(f"`npm pack {spec}` printed no tarball name: {proc.stdout!r}") from exc
    # npm names scoped tarballs "scope-name-version.tgz" (no "@", "/" turned into "-")
    tarball = workdir / filename.lstrip("@").replace("/", "-")
    if not tarball.is_file():
        raise FetchError(f"`npm pack {spec}` reported {filename} but {tarball} does not exist")
    return tarball


def extract(tarball: Path, asset: Asset, dest: Path) -> int:
    """Copy the members of ``tarball`` that match ``asset.keep`` into ``dest``; return count."""
    count = 0
    with tarfile.open(tarball) as tar:
        for member in tar.getmembers():
            # npm tarballs put everything under "package/"
            rel = member.name.split("/", 1)[-1]
            if not member.isfile() or not any(fnmatch.fnmatch(rel, p) for p in asset.keep):
                continue
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(member) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)
            count += 1
    missing = [p for p in asset.keep if "*" not in p and not (dest / p).is_file()]
    if missing:
        raise FetchError(f"{asset.spec} has no {', '.join(missing)}; did the package layout change?")
    return count


def fetch(asset: Asset, vendor: Path = VENDOR, force: bool = False) -> str:
    """Make ``vendor/<asset.folder>`` hold ``asset``; return a one-line report."""
    if not force and is_current(asset, vendor):
        return f"{asset.spec}: up to date in {vendor / asset.folder}"
    with tempfile.TemporaryDirectory() as tmp:
        tarball = npm_pack(asset.spec, Path(tmp))
        # extract beside the target, then swap, so a failed fetch never leaves half a folder
        staging = Path(tmp) / "staging"
        count = extract(tarball, asset, staging)
        (staging / STAMP).write_text(asset.spec + "\n")
        final = vendor / asset.folder
        if final.exists():
            shutil.rmtree(final)
        final.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(staging), str(final))
    return f"{asset.spec}: {count} files into {final}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="fetch even if up to date")
    parser.add_argument("--dest", type=Path, default=VENDOR, help="vendor folder (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        for asset in ASSETS:
            print(fetch(asset, TEST_VENDOR if asset.for_tests else args.dest, args.force))
    except FetchError as exc:
        print(f"fetch_assets: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
