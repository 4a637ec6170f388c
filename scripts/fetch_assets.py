"""Fetch the JavaScript (and the Python) the rendered book needs into ``book/_vendor/`` (offline book).

It also fetches axe-core, which only the browser tests use (the accessibility check), into
``tests/_vendor/``, so it does not end up in the built book's ``_static/``.

By default a Jupyter Book page loads MathJax and the ipywidgets HTML manager from
CDNs, so a reader without internet (or our sandboxed tests) sees raw ``$$`` and
dead widgets. We fetch both packages once from the npm registry with
``npm pack`` and keep only the files a page actually loads.

Run from anywhere::

    python scripts/fetch_assets.py          # fetch what is missing (idempotent)
    python scripts/fetch_assets.py --force  # fetch again

The "try it" component (book/_assets/try_it.js) runs the package in the page with Pyodide: the
Pyodide core comes from npm like MathJax (only the files a page loads); sympy and mpmath come from
PyPI (pinned, sha256 checked) and lagrange_ad's own wheel is built from this checkout. All three are
compiled to bytecode by Pyodide's own Python under Node (scripts/pyodide_compile.mjs) into
``book/_vendor/python/``, listed in its ``wheels.json``. The total a page fetches for Python is
checked against ``MAX_PYTHON_BYTES``.

``book/_vendor/`` is gitignored: it is generated, about 30 MB, and CI reaches npm and PyPI.
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
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
    # Python in the page (book/_assets/try_it_worker.mjs). npm's pyodide is the core only (no packages):
    # the five files a page loads, plus package.json for its licence (MPL-2.0).
    Asset(
        "pyodide",
        "314.0.7",
        "pyodide",
        ("package.json", "pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip",
         "pyodide-lock.json"),
    ),
)
PYODIDE = next(a for a in ASSETS if a.npm_name == "pyodide")
#: The Pyodide files a page loads (all of the asset but its licence carrier).
PYODIDE_LOADED = tuple(p for p in PYODIDE.keep if p != "package.json")


@dataclass(frozen=True)
class Wheel:
    """A pure-Python wheel from PyPI that the page's Python imports, pinned by its sha256."""

    name: str
    version: str
    sha256: str

    @property
    def filename(self) -> str:
        return f"{self.name}-{self.version}-py3-none-any.whl"


# What lagrange_ad's symbolic path needs besides the standard library (sympy's metadata wants
# mpmath<1.4). The versions and hashes are requirements.lock's; numpy has no wasm wheel on PyPI.
WHEELS = (
    Wheel("mpmath", "1.3.0", "a0b2b9fe80bbcd81a6647ff13108738cfb482d481d826cc0e02f5b35e5c88d2c"),
    Wheel("sympy", "1.14.0", "e091cc3e99d2141a0ba2847328f5479b05d94a6635cb96148ccb3f34671bd8f5"),
)
PYTHON_FOLDER = "python"  # book/_vendor/python/: the compiled wheels and wheels.json
MANIFEST = "wheels.json"
#: Issue 15: everything a page fetches to run Python (Pyodide's files and the wheels) stays under this.
MAX_PYTHON_BYTES = 25_000_000
COMPILER = REPO / "scripts" / "pyodide_compile.mjs"


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


def _run(cmd: list[str], what: str, cwd: Path | None = None) -> str:
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd)
    if proc.returncode != 0:
        raise FetchError(f"{what} failed (exit {proc.returncode}): `{' '.join(cmd)}`\n{proc.stderr.strip()[-2000:]}")
    return proc.stdout


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def package_fingerprint(repo: Path = REPO) -> str:
    """A hash of what goes into lagrange_ad's wheel: rebuild the page's copy when it changes."""
    digest = hashlib.sha256()
    for path in sorted([repo / "pyproject.toml", *(repo / "lagrange_ad").rglob("*.py")]):
        digest.update(str(path.relative_to(repo)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def download_wheel(wheel: Wheel, workdir: Path) -> Path:
    """``pip download`` one pinned wheel into ``workdir`` and check its sha256."""
    _run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
          "--dest", str(workdir), f"{wheel.name}=={wheel.version}"], f"downloading {wheel.filename} from PyPI")
    path = workdir / wheel.filename
    if not path.is_file():
        raise FetchError(f"pip download {wheel.name}=={wheel.version} gave no {wheel.filename}")
    if (got := sha256(path)) != wheel.sha256:
        raise FetchError(f"{wheel.filename}: sha256 {got} is not the pinned {wheel.sha256}")
    return path


def build_package_wheel(workdir: Path, repo: Path = REPO) -> Path:
    """lagrange_ad's own wheel, built from this checkout (``pip wheel``, no dependencies).

    Built from a copy of the package's files: setuptools never empties its ``build/`` folder, so a
    module deleted from the checkout would live on in a wheel built in place.
    """
    source = workdir / "source"
    source.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(repo / name, source / name)
    shutil.copytree(repo / "lagrange_ad", source / "lagrange_ad", ignore=shutil.ignore_patterns("__pycache__"))
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
          "--wheel-dir", str(workdir), str(source)], "building lagrange_ad's wheel")
    found = sorted(workdir.glob("lagrange_ad-*.whl"))
    if len(found) != 1:
        raise FetchError(f"pip wheel made {[p.name for p in found]} instead of one lagrange_ad wheel")
    return found[0]


def compile_wheels(wheels: list[Path], dest: Path, core: Path) -> None:
    """Rewrite ``wheels`` into ``dest`` as bytecode, with Pyodide's own Python under Node."""
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        raise FetchError("compiling the page's wheels needs Node.js (`node`): apt-get install nodejs")
    _run([node, str(COMPILER), str(core), str(dest), *map(str, wheels)], "compiling wheels with Pyodide")


def python_bytes(vendor: Path = VENDOR) -> int:
    """Bytes a page fetches to run Python: Pyodide's loaded files and every wheel in the manifest."""
    manifest = json.loads((vendor / PYTHON_FOLDER / MANIFEST).read_text())
    core = sum((vendor / PYODIDE.folder / name).stat().st_size for name in PYODIDE_LOADED)
    return core + sum((vendor / PYTHON_FOLDER / w["file"]).stat().st_size for w in manifest["wheels"])


def fetch_python(vendor: Path = VENDOR, force: bool = False, repo: Path = REPO) -> str:
    """Make ``vendor/python`` hold bytecode wheels of WHEELS and of lagrange_ad; return a report.

    Only what changed is redone: a pinned wheel once per Pyodide version, lagrange_ad's whenever its
    source changes (so the page always runs this checkout's package).
    """
    out = vendor / PYTHON_FOLDER
    path = out / MANIFEST
    old = json.loads(path.read_text()) if path.is_file() and not force else {}
    if old.get("pyodide") != PYODIDE.version:
        old = {}
    fingerprint = package_fingerprint(repo)
    kept = {w["file"]: w for w in old.get("wheels", []) if (out / w["file"]).is_file()}
    entries, todo = [], []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for wheel in WHEELS:
            entry = kept.get(wheel.filename)
            if entry is None or entry.get("source") != wheel.sha256:
                todo.append(download_wheel(wheel, tmp))
                entry = {"file": wheel.filename, "source": wheel.sha256}
            entries.append(entry)
        own = [w for w in kept.values() if w["file"].startswith("lagrange_ad-")]
        if own and own[0].get("source") == fingerprint:
            entries.append(own[0])
        else:
            built = build_package_wheel(tmp / "own", repo)
            todo.append(built)
            entries.append({"file": built.name, "source": fingerprint})
        if todo:
            out.mkdir(parents=True, exist_ok=True)
            compile_wheels(todo, out, vendor / PYODIDE.folder)
    for entry in entries:
        entry["bytes"] = (out / entry["file"]).stat().st_size
    for stale in set(p.name for p in out.glob("*.whl")) - {e["file"] for e in entries}:
        (out / stale).unlink()
    path.write_text(json.dumps({"pyodide": PYODIDE.version, "wheels": entries}, indent=1) + "\n")
    total = python_bytes(vendor)
    if total > MAX_PYTHON_BYTES:
        raise FetchError(f"a page would fetch {total / 1e6:.1f} MB for Python, over the {MAX_PYTHON_BYTES / 1e6:g} MB "
                         "budget (issue 15): drop something from the wheels")
    done = ", ".join(p.name for p in todo) or "nothing to redo"
    return f"python wheels: {done}; a page fetches {total / 1e6:.1f} MB for Python (limit {MAX_PYTHON_BYTES / 1e6:g})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="fetch even if up to date")
    parser.add_argument("--dest", type=Path, default=VENDOR, help="vendor folder (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        for asset in ASSETS:
            print(fetch(asset, TEST_VENDOR if asset.for_tests else args.dest, args.force))
        print(fetch_python(args.dest, args.force))
    except FetchError as exc:
        print(f"fetch_assets: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
