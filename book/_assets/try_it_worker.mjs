// The "try it" component's Python: Pyodide in a module Web Worker, so the page never waits on it.
//
// Started by try_it.js as new Worker(".../_static/try_it_worker.mjs", {type: "module"}). Loads the
// Pyodide core from _static/pyodide/ and the bytecode wheels listed in _static/python/wheels.json
// (both made by scripts/fetch_assets.py), imports lagrange_ad.try_it, then answers messages:
//
//   in:  {id, op: "run", text, inputs, kind, at}       one run: lagrange_ad.try_it.run_json, with the
//                                                      opening frame of back substitution only
//        {id, op: "frames", text, inputs, kind, at}    all of its frames: try_it.frames_json
//        {id, op: "derivative", text, inputs, kind, variable}   ∂L/∂variable: try_it.derivative_json
//   out: {type: "progress", message}                   while loading
//        {type: "ready", seconds, bytes}               Python is ready
//        {type: "failed", message}                     Python could not be loaded (no retry here)
//        {type: "result", id, json, seconds}           run_json's answer (a JSON string)
//
// Nothing is fetched from anywhere but this server: the book works offline.
import { loadPyodide } from "./pyodide/pyodide.mjs";

const started = performance.now();
let bytes = 0;

function progress(message) {
  postMessage({ type: "progress", message });
}

async function fetchBytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const buffer = await response.arrayBuffer();
  bytes += buffer.byteLength;
  return buffer;
}

async function start() {
  const base = new URL("./", import.meta.url);
  progress("loading Python…");
  // the manifest is small and changes with every package build: always ask the server
  const manifestResponse = await fetch(new URL("python/wheels.json", base), { cache: "no-cache" });
  if (!manifestResponse.ok) throw new Error(`python/wheels.json: HTTP ${manifestResponse.status}`);
  const manifest = await manifestResponse.json();
  // fetch the wheels while Pyodide starts; "source" (a hash) in the URL keeps a stale copy out of the cache
  const wheels = manifest.wheels.map((w) =>
    fetchBytes(new URL(`python/${w.file}?v=${w.source.slice(0, 16)}`, base)));
  const pyodide = await loadPyodide({ indexURL: new URL("pyodide/", base).href });
  for (const [k, w] of manifest.wheels.entries()) {
    progress(`loading Python… (${w.file.split("-")[0]})`);
    pyodide.unpackArchive(await wheels[k], "wheel");
  }
  progress("loading Python… (importing lagrange_ad)");
  pyodide.runPython("from lagrange_ad.try_it import derivative_json, frames_json, run_json");
  const get = (name) => pyodide.globals.get(name);
  return { pyodide, runJson: get("run_json"), framesJson: get("frames_json"), derivativeJson: get("derivative_json") };
}

// Pyodide's files are counted by the page (PerformanceResourceTiming); the wheels are counted here.
const ready = start().then(
  (py) => {
    postMessage({ type: "ready", seconds: (performance.now() - started) / 1000, bytes });
    return py;
  },
  (err) => {
    postMessage({ type: "failed", message: String(err && err.message ? err.message : err) });
    return null;
  },
);

onmessage = async (event) => {
  const { id, op, text, inputs, kind, at, variable } = event.data;
  const py = await ready;
  if (!py) return;
  const t0 = performance.now();
  let json;
  try {
    json = op === "derivative" ? py.derivativeJson(text, inputs, kind, variable)
      : op === "frames" ? py.framesJson(text, inputs, kind, at)
      : py.runJson(text, inputs, kind, at, false);  // the other frames when asked for ("frames")
  } catch (err) {
    // run_json never raises for bad input; this is a fault of ours, still shown as an error
    json = JSON.stringify({ ok: false, error: { kind: "other", message: String(err.message || err), line: null } });
  }
  postMessage({ type: "result", id, json, seconds: (performance.now() - t0) / 1000 });
};
