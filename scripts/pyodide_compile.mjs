// Compile pure-Python wheels to bytecode with Pyodide's own Python (run by scripts/fetch_assets.py).
//
//   node scripts/pyodide_compile.mjs PYODIDE_DIR OUT_DIR WHEEL...
//
// Each wheel is rewritten into OUT_DIR under the same name: every `.py` replaced by its `.pyc`
// (the sourceless "legacy" layout, importable without the source), `tests/` folders dropped, all
// other files kept. `import sympy` from source takes 4-8 s in a page; from bytecode about 1 s.
// The bytecode must come from the very Python that runs in the page (same magic number), hence
// Pyodide under Node rather than the machine's CPython.
import { readFileSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [coreDir, outDir, ...wheels] = process.argv.slice(2);
if (!coreDir || !outDir || wheels.length === 0) {
  console.error("usage: node pyodide_compile.mjs PYODIDE_DIR OUT_DIR WHEEL...");
  process.exit(2);
}
const { loadPyodide } = await import(pathToFileURL(join(resolve(coreDir), "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: resolve(coreDir) + "/" });

const COMPILE = `
import py_compile, warnings, zipfile

def compile_wheel(src, dst):
    """Rewrite wheel src into dst with .pyc for .py; tests/ dropped. Returns (files, compiled)."""
    files = compiled = 0
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            name = info.filename
            if "/tests/" in name or info.is_dir():
                continue
            data = zin.read(name)
            files += 1
            if name.endswith(".py"):
                with open("/tmp/module.py", "wb") as f:
                    f.write(data)
                with warnings.catch_warnings():  # sympy's own SyntaxWarnings are not ours to report
                    warnings.simplefilter("ignore")
                    py_compile.compile("/tmp/module.py", cfile="/tmp/module.pyc", dfile=name, doraise=True)
                with open("/tmp/module.pyc", "rb") as f:
                    zout.writestr(name + "c", f.read())
                compiled += 1
            else:
                zout.writestr(name, data)
    return files, compiled
`;
pyodide.runPython(COMPILE);
const compileWheel = pyodide.globals.get("compile_wheel");
for (const wheel of wheels) {
  const name = basename(wheel);
  pyodide.FS.writeFile(`/tmp/in-${name}`, new Uint8Array(readFileSync(wheel)));
  const [files, compiled] = compileWheel(`/tmp/in-${name}`, `/tmp/out-${name}`).toJs();
  writeFileSync(join(outDir, name), pyodide.FS.readFile(`/tmp/out-${name}`));
  console.log(`${name}: ${compiled} of ${files} files compiled to bytecode`);
}
