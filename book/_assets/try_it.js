// "Try it": the reader's own program, its Lagrangian, A and back substitution, live in the static page.
//
// Python (Pyodide, with sympy and lagrange_ad) runs in a module Web Worker (try_it_worker.mjs), so the
// page never waits on it; lagrange_ad.try_it.run_json does the work and this file only draws its answer:
// the table of steps, the graph (SVG), L, the conditions and A λ = e (typeset by the book's MathJax),
// back substitution one λ at a time, and the gradient next to central finite differences.
//
// Where it appears:
// - <div class="lad-tryit" data-kind="python" data-inputs="x w" data-at="x=0.5" data-text="...">
//   (book/try_it.md) becomes a component;
// - a chapter's kernel explorer that takes the reader's program (lagrange_ad.explorers'
//   sequence_explorer and lagrangian_explorer, CSS classes lad-sequence-explorer and
//   lad-lagrangian-explorer) is replaced on the static page by a component holding the same example.
//   JupyterLab never loads this file and keeps the ipywidgets explorer.
// Python loads once per page, when a component first comes near the screen; each component then runs
// its example. Stable hooks for tests and benchmarks, on .lad-tryit: data-python ("waiting", "loading",
// "ready", "failed"), data-state (the last run: "idle", "running", "done", "error") and data-run-ms
// (from the click to the typeset result, ms), split into data-answer-ms (until Python's answer is back;
// data-python-ms of it in Python), data-build-ms (drawing it), data-math-ms (MathJax) and data-fit-ms
// (fitting it to the column: the first layout). On the Lagrangian's section, data-derivative: the
// variable of the last ∂L/∂v shown ("error" if it failed).
(function () {
  "use strict";

  const STATIC = new URL(".", document.currentScript.src);  // .../_static/
  // A program that never makes a step (`while True: pass`) cannot be stopped inside Python here;
  // past this the worker is ended and started afresh, and the reader told why.
  const RUN_TIMEOUT_MS = 30000;
  const EXAMPLES = {
    python: "h = tanh(w * x)\nreturn x * h",
    equations: "z3 = w * x\nz4 = tanh(z3)\nz5 = z4 * z4",
  };
  const KIND_NAMES = { python: "Python function", equations: "equations" };

  // ---------------------------------------------------------------------------------------------
  // The worker, shared by every component of the page

  const python = {
    worker: null,
    ready: false,
    failed: null,
    status: "",
    timeoutMs: RUN_TIMEOUT_MS,
    nextId: 1,
    pending: new Map(),  // id -> {resolve, timer}
    listeners: new Set(),

    start() {
      if (this.worker) return;
      this.ready = false;
      this.failed = null;
      this.startedAt = performance.now();
      this.worker = new Worker(new URL("try_it_worker.mjs", STATIC), { type: "module" });
      this.worker.onmessage = (event) => this.receive(event.data);
      this.worker.onerror = (event) => {
        event.preventDefault();
        this.fail(`Python could not start in this browser: ${event.message || "the worker failed"}`);
      };
      this.tell("loading Python…");
    },

    receive(msg) {
      if (msg.type === "progress") {
        this.tell(msg.message);
      } else if (msg.type === "ready") {
        this.ready = true;
        this.readyAt = performance.now();
        this.readySeconds = msg.seconds;
        this.wheelBytes = msg.bytes;
        this.tell("Python is ready");
      } else if (msg.type === "failed") {
        this.fail(`Python could not be loaded: ${msg.message}`);
      } else if (msg.type === "result") {
        const job = this.pending.get(msg.id);
        if (!job) return;
        clearTimeout(job.timer);
        this.pending.delete(msg.id);
        let answer;
        try {
          answer = JSON.parse(msg.json);
        } catch (err) {  // e.g. a NaN, which JSON cannot carry
          answer = { ok: false, error: { kind: "other", line: null,
                                         message: `the answer from Python could not be read: ${err.message}` } };
        }
        job.resolve({ answer, seconds: msg.seconds });
      }
    },

    fail(message) {
      this.failed = message;
      this.tell(message);
    },

    tell(status) {
      this.status = status;
      for (const listener of this.listeners) listener();
    },

    // request: {op: "run", text, inputs, kind, at} or {op: "derivative", text, inputs, kind, variable}
    run(request) {
      const id = this.nextId++;
      return new Promise((resolve) => {
        const timer = setTimeout(() => this.restart(id), this.timeoutMs);
        this.pending.set(id, { resolve, timer });
        this.worker.postMessage({ id, ...request });
      });
    },

    restart(id) {
      // the program is still running after RUN_TIMEOUT_MS: end the worker, answer, start a new one
      const message = `your program ran for ${this.timeoutMs / 1000} s without finishing (a loop that makes no ` +
        "steps never reaches the step limit), so it was stopped and Python restarted. Change the program and " +
        "run it again.";
      this.worker.terminate();
      this.worker = null;
      for (const [pid, job] of this.pending) {
        clearTimeout(job.timer);
        job.resolve({ answer: { ok: false, error: { kind: "step-limit", message, line: null } }, seconds: 0,
                      restarted: pid === id });
      }
      this.pending.clear();
      this.start();
    },
  };

  // ---------------------------------------------------------------------------------------------
  // Small DOM helpers

  let uid = 0;
  function el(tag, attrs = {}, children = []) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key === "className") node.className = value;
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of [].concat(children)) if (child) node.append(child);
    return node;
  }

  function heading(text) {
    return el("p", { className: "lad-tryit-heading" }, el("b", { text }));
  }

  // boxes: other parts that may scroll sideways (tables on a phone), measured in the same layout;
  // copies: [from, to] pairs of math blocks with the same TeX: "to" gets a copy of "from"'s typeset
  // output instead of being typeset a second time (one MathJax call for everything, no work twice).
  // Returns how long MathJax took and how long fitting the result to the column took (ms).
  async function typeset(nodes, boxes = [], copies = []) {
    const mj = window.MathJax;
    if (!mj) return { mathMs: 0, fitMs: 0 };
    if (mj.startup && mj.startup.promise) await mj.startup.promise;
    const t0 = performance.now();
    if (mj.typesetClear) mj.typesetClear(nodes);
    await mj.typesetPromise(nodes);
    const made = copies.filter(([from]) => from.querySelector("mjx-container"));
    for (const [from, to] of made) to.replaceChildren(from.querySelector("mjx-container").cloneNode(true));
    const missed = copies.filter((pair) => !made.includes(pair)).map(([, to]) => to);
    if (missed.length) await mj.typesetPromise(missed);  // nothing to copy (MathJax failed on it): try it there
    const t1 = performance.now();
    fitMath(nodes.concat(copies.map(([, to]) => to)), boxes);
    return { mathMs: t1 - t0, fitMs: performance.now() - t1 };
  }

  // MathJax keeps a list of every formula it typeset: drop the ones of a result about to be replaced,
  // or the list (and the work of each typeset over it) grows with every run
  function forget(node) {
    const mj = window.MathJax;
    if (mj && mj.typesetClear && node.querySelector("mjx-container")) mj.typesetClear([node]);
  }

  // MathJax's first typeset of a kind of formula costs more than the next ones (measured: about 30 ms
  // more for a 10-step program's result): its CHTML output adds CSS rules for each character and
  // delimiter size the first time it draws one, so the browser restyles the page, then loads font files
  // it had not needed (and the stepper's \color loads a TeX extension). While Python loads, seconds in
  // which the page only waits, this typesets once, out of sight, formulas of the kinds the component
  // shows, so that the reader's first run does not pay for that. Nothing the reader will type is
  // guessed here: the samples are the package's constructs (L, ∂L/∂, a tall A, a highlighted entry)
  // and the Latin letters and digits. One small sample a task, so no task blocks the page for long.
  function warmSamples() {
    const tall = Array.from({ length: 12 }, (_, i) => `-1 & z_{${i + 1}}`).join(" \\\\ ");
    return [
      "\\mathcal{L}(z, \\lambda) = z_{10} - \\lambda_{1} \\left(z_{1} - x\\right) " +
        "- \\lambda_{12} \\left(z_{12} - \\tanh{\\left(z_{3} \\right)}\\right)",
      "\\begin{aligned}\\frac{\\partial \\mathcal{L}}{\\partial \\lambda_{4}} &= " +
        "\\tfrac{\\partial \\mathcal{L}}{\\partial z_n} + \\sqrt{z_{5}}\\, e^{z_{6}} = 0 \\\\[1ex] " +
        "&\\text{constraints } \\Longrightarrow\\quad \\lambda_{0} = 1\\end{aligned}",
      "\\log{\\left(z_{7} \\right)} \\sin{\\left(z_{8} \\right)} \\cos{\\left(z_{9} \\right)} " +
        "\\left(1 - \\tanh^{2}{\\left(z_{3} \\right)}\\right)",
      `A = \\begin{bmatrix}${tall}\\end{bmatrix}`,  // tall enough for brackets built of pieces
      "\\lambda = \\begin{bmatrix}\\lambda_{1} & \\cdots & {\\color{#c2185b}{\\lambda_{12}}} \\end{bmatrix}^{\\!\\top}",
      "abcdefghijklmnopqrstuvwxyz",
      "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
      "0123456789 + - = , . / \\cdot \\vdots \\ddots \\emptyset \\{ \\} [ ]",
    ];
  }

  let warming = null;
  function warmMath() {
    if (warming) return warming;
    const mj = window.MathJax;
    if (!mj || !mj.typesetPromise) return Promise.resolve();
    const box = el("div", { className: "lad-tryit-warm", "aria-hidden": "true" });
    document.body.append(box);
    const took = [];
    warming = (async () => {
      for (const tex of warmSamples()) {
        await new Promise((resolve) => setTimeout(resolve, 0));  // a task of its own
        const block = displayMath(tex);
        box.replaceChildren(block);
        const t0 = performance.now();
        await mj.typesetPromise([block]);
        took.push(performance.now() - t0);
        // its restyle and layout in the browser's next rendering, not in this task (a hidden tab has none)
        await Promise.race([new Promise((resolve) => requestAnimationFrame(resolve)),
                            new Promise((resolve) => setTimeout(resolve, 100))]);
        mj.typesetClear([block]);
      }
    })().catch(() => null).finally(() => {
      box.remove();
      python.mathWarmMs = took;  // for the benchmark: what the warm-up cost, sample by sample
    });
    return warming;
  }

  // A reader's program can make A wider than the text column: draw such a formula smaller, down to
  // MIN_MATH_PX, so it fits; only what is still too wide then scrolls inside its own box. All sizes are
  // read first, then all fonts written: one layout, not one per formula.
  const MIN_MATH_PX = 10;
  function fitMath(nodes, boxes = []) {
    const scrolling = boxes.filter((box) => box.scrollWidth > box.clientWidth + 1);
    const sizes = nodes.map((node) => {
      const math = node.querySelector("mjx-container");
      const room = node.clientWidth, needed = math ? math.scrollWidth : 0;
      if (!math || !room || needed <= room) return null;
      // MathJax sets its own font-size (matching the text's x-height) on the container: scale that
      const px = parseFloat(getComputedStyle(math).fontSize);
      return { math, px, room, needed, scale: Math.max(MIN_MATH_PX / px, (room - 2) / needed) };
    });
    sizes.forEach((size, k) => {
      if (!size) return;
      size.math.style.fontSize = `${(size.px * size.scale).toFixed(2)}px`;
      if (size.scale * size.needed > size.room) {
        // still too wide at the smallest size: it scrolls
        nodes[k].classList.add("lad-tryit-wide");
        reachable(nodes[k], "a formula wider than the page: scroll it sideways");
      }
    });
    for (const box of scrolling) reachable(box, box.dataset.ladLabel);
  }

  // A box whose content scrolls sideways must be reachable from the keyboard (and say what it is).
  function reachable(box, label) {
    box.tabIndex = 0;
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", label);
  }

  function displayMath(tex) {
    // Sphinx's MathJax setup typesets only inside its math classes
    return el("div", { className: "math notranslate nohighlight", text: `\\[${tex}\\]` });
  }

  // A number as the book prints it: 6 significant digits, the minus sign U+2212 (not a hyphen). Where a
  // test or a program reads the value, the element also carries it in data-value, as JSON wrote it.
  function number(x) {
    if (x === null) return "not finite";  // JSON has no NaN or infinity: the package sends null
    if (typeof x !== "number" || !isFinite(x)) return String(x);
    return Number(x.toPrecision(6)).toString().replace("-", "\u2212");
  }

  // z_n (or another variable), written as the book writes it: z with the index as a subscript
  function subscripted(letter, index) {
    return el("span", { className: "lad-tryit-var" }, [letter, el("sub", { text: String(index) })]);
  }

  // ---------------------------------------------------------------------------------------------
  // One component

  class TryIt {
    constructor(root, seed) {
      this.root = root;
      this.texts = { ...EXAMPLES, [seed.kind]: seed.text };
      const id = `lad-tryit-${++uid}`;
      root.classList.add("lad-tryit");
      root.setAttribute("role", "region");
      root.setAttribute("aria-label", "Try your own program: runs Python in this page");
      root.textContent = "";

      this.kindInputs = ["python", "equations"].map((kind) => el("input", {
        type: "radio", name: `${id}-kind`, value: kind, id: `${id}-kind-${kind}`, checked: kind === seed.kind,
      }));
      const kinds = el("fieldset", { className: "lad-tryit-kind" }, [
        el("legend", { text: "The program is" }),
        ...this.kindInputs.map((input) => el("span", {}, [
          input, el("label", { for: input.id, text: KIND_NAMES[input.value] })])),
      ]);
      this.text = el("textarea", {
        id: `${id}-text`, rows: 6, spellcheck: "false", autocapitalize: "off", autocomplete: "off",
        className: "lad-tryit-text",
      });
      this.text.value = seed.text;
      this.inputs = el("input", { type: "text", id: `${id}-inputs`, className: "lad-tryit-inputs",
                                  placeholder: "x w", autocomplete: "off", spellcheck: "false" });
      this.inputs.value = seed.inputs;
      this.at = el("input", { type: "text", id: `${id}-at`, className: "lad-tryit-at",
                              placeholder: "x=0.5, w=-1", autocomplete: "off", spellcheck: "false" });
      this.at.value = seed.at || "";
      this.button = el("button", { type: "submit", className: "lad-tryit-run", disabled: true, text: "Run" });
      this.status = el("span", { className: "lad-tryit-status", role: "status" });
      this.helpText = el("p", { className: "lad-tryit-help", id: `${id}-help` });
      this.helpText.innerHTML =
        "<i>Python function</i>: the body of a function of the inputs, ending in <code>return</code>. " +
        "<i>Equations</i>: one step a line, <code>name = expression</code>. Functions such as " +
        "<code>tanh</code>, <code>exp</code>, <code>log</code>, <code>sin</code> are available by name.";
      this.text.setAttribute("aria-describedby", this.helpText.id);

      const field = (label, input, hint) => el("div", { className: "lad-tryit-field" }, [
        el("label", { for: input.id, text: label }), input, hint ? el("span", { className: "lad-tryit-hint", text: hint }) : null]);
      this.form = el("form", { className: "lad-tryit-form" }, [
        kinds,
        field("Program", this.text),
        this.helpText,
        el("div", { className: "lad-tryit-row" }, [
          field("Inputs", this.inputs, "names, e.g. x w"),
          field("Values", this.at, "e.g. x=0.5, w=-1"),
        ]),
        el("div", { className: "lad-tryit-row" }, [this.button, this.status]),
      ]);
      this.error = el("div", { className: "lad-tryit-error", role: "alert" });
      this.output = el("div", { className: "lad-tryit-output", hidden: true });
      root.append(
        el("p", { className: "lad-tryit-title" }, el("b", { text: "Try your own program" })),
        this.form, this.error, this.output);

      for (const input of this.kindInputs) {
        input.addEventListener("change", () => {
          if (!input.checked) return;
          const old = this.kindInputs.find((i) => i !== input).value;
          this.texts[old] = this.text.value;
          this.text.value = this.texts[input.value];
        });
      }
      this.form.addEventListener("submit", (event) => {
        event.preventDefault();
        this.run();
      });
      this.autorun = true;
      this.setState("idle");
      this.update = () => this.onPython();
      python.listeners.add(this.update);
      this.onPython();
    }

    get kind() {
      return this.kindInputs.find((i) => i.checked).value;
    }

    setState(state) {
      this.root.dataset.state = state;
    }

    onPython() {
      // data-python: where Python is ("waiting" to be shown, "loading", "ready", "failed");
      // data-state: this component's last run ("idle", "running", "done", "error").
      const state = python.failed ? "failed" : python.ready ? "ready"
        : python.worker || python.status ? "loading" : "waiting";
      const running = this.root.dataset.state === "running";
      if (state !== this.root.dataset.python && !running) {
        this.status.textContent = {
          waiting: "Python loads when this part of the page is shown",
          loading: python.status,
          ready: "Python is ready",
          failed: python.failed,
        }[state];
      } else if (state === "loading" && !running) {
        this.status.textContent = python.status;
      }
      this.root.dataset.python = state;
      // the Run button works only when Python can answer; until then it says why it waits
      this.button.disabled = state !== "ready" || running;
      this.button.textContent = state === "ready" ? "Run" : state === "failed" ? "Run (Python failed to load)"
        : "Run (loading Python…)";
      if (state === "ready" && this.autorun) {
        this.autorun = false;
        this.run();
      }
    }

    async run() {
      if (!python.ready || this.root.dataset.state === "running") return;
      const clicked = performance.now();
      this.setState("running");
      this.button.disabled = true;
      if (this.diffButton) this.diffButton.disabled = true;  // its result is about to be replaced
      this.status.textContent = "running…";
      this.error.textContent = "";
      const request = { text: this.text.value, inputs: this.inputs.value, kind: this.kind, at: this.at.value };
      const { answer, seconds } = await python.run({ op: "run", ...request });
      this.root.dataset.answerMs = (performance.now() - clicked).toFixed(1);
      let state = "error";
      try {
        if (answer.ok) {
          // where the time went, for the benchmark: drawing the answer, MathJax, fitting it to the column
          this.program = request;  // what the shown result is of: ∂L/∂v is taken of this, not of later typing
          const times = await this.show(answer);
          for (const [key, ms] of Object.entries(times)) this.root.dataset[key] = ms.toFixed(1);
          this.status.textContent = `${answer.n} steps, computed in ${(seconds * 1000).toFixed(0)} ms`;
          state = "done";
        } else {
          this.showError(answer.error);
        }
      } catch (err) {  // a fault of this page's: still an error in the page, and the next run works
        this.showError({ kind: "other", line: null, message: `the result could not be shown: ${err.message}` });
      }
      this.root.dataset.runMs = (performance.now() - clicked).toFixed(1);
      this.root.dataset.pythonMs = (seconds * 1000).toFixed(1);
      this.setState(state);
      this.onPython();
    }

    showError(error) {
      const where = error.line ? `line ${error.line}: ` : "";
      const message = error.message.startsWith(where) ? error.message : where + error.message;
      this.output.hidden = true;
      forget(this.output);
      this.output.textContent = "";
      this.error.textContent = "";
      this.error.append(el("span", { "aria-hidden": "true", text: "⚠ " }), message);
      this.error.dataset.kind = error.kind;
      this.status.textContent = python.ready ? "the program has an error (see below); fix it and run again"
        : "restarting Python…";
    }

    async show(r) {
      const started = performance.now();
      const out = this.output;
      forget(out);
      out.textContent = "";
      const math = [];
      const mathBlock = (title, tex, cls) => {
        const block = displayMath(tex);
        math.push(block);
        return el("section", { className: `lad-tryit-section ${cls}` }, [heading(title), block]);
      };

      // the package's table writes its headings and formulas as inline TeX, \( … \)
      const table = el("div", { className: "lad-tryit-table mathjax_process" });
      table.innerHTML = r.table_html;
      math.push(table);
      const graph = el("div", { className: "lad-tryit-graph" });
      graph.innerHTML = r.graph_svg;
      out.append(
        el("p", { className: "lad-tryit-summary" }, [
          `${r.n} steps; the result `, subscripted("z", r.n), " = ",
          el("span", { "data-value": String(r.result), text: number(r.result) })]),
        el("section", { className: "lad-tryit-section lad-tryit-steps" }, [heading("The steps, with a(i) and b(i)"), table]),
        el("section", { className: "lad-tryit-section lad-tryit-graph-section" }, [heading("The graph"), graph]),
        this.differentiator(mathBlock("The Lagrangian", r.lagrangian_tex, "lad-tryit-lagrangian"), r.variables),
        mathBlock("Its stationarity conditions", r.conditions_tex, "lad-tryit-conditions"),
        r.system_full_tex ? this.longSystem(r, math) : mathBlock("The linear system A λ = e", r.system_tex, "lad-tryit-system"),
        this.stepper(r, this.program),
        this.gradient(r),
      );
      out.hidden = false;
      const gradientBox = out.querySelector(".lad-tryit-gradient-table-box");
      table.dataset.ladLabel = "the table of steps: scroll it sideways";
      gradientBox.dataset.ladLabel = "the gradient: scroll it sideways";
      // the stepper's first frame of a small program is A λ = e itself, already in the section above
      const frame = out.querySelector(".lad-tryit-frame");
      const system = out.querySelector(".lad-tryit-system > .math");
      const same = system && !r.system_full_tex && r.frames[0].tex === `\\begin{gathered}\n${r.system_tex}\n\\end{gathered}`;
      const built = performance.now();
      const times = await typeset(same ? math : math.concat([frame]), [table, gradientBox], same ? [[system, frame]] : []);
      return { buildMs: built - started, ...times };
    }

    // A long program's A λ = e is wider than the column written out: the package sends its first and
    // last rows and columns (the rest as ⋯ ⋮ ⋱) and a drawing of which entries are nonzero; the whole
    // system waits behind a disclosure, typeset when first opened, in a box that scrolls sideways.
    longSystem(r, math) {
      const block = displayMath(r.system_tex);
      math.push(block);
      const pattern = el("figure", { className: "lad-tryit-pattern" });
      pattern.innerHTML = r.pattern_svg;
      pattern.append(el("figcaption", {
        text: `Which entries of the ${r.n} × ${r.n} matrix A are nonzero: −1 on the diagonal, ∂f_k/∂z_i above it.` }));
      const full = displayMath(r.system_full_tex);
      const details = el("details", { className: "lad-tryit-full-system" }, [
        el("summary", { text: `Show the full A λ = e (${r.n} × ${r.n})` }), full]);
      let typeset_ = null;
      details.addEventListener("toggle", () => {
        if (details.open && !typeset_) typeset_ = typeset([full]);
      });
      return el("section", { className: "lad-tryit-section lad-tryit-system" }, [
        heading("The linear system A λ = e"),
        el("p", { className: "lad-tryit-note", text: `A has ${r.n} rows and columns: the first and last few are ` +
          "written out, ⋯ ⋮ ⋱ stand for the rest (the diagonal of −1 continues along ⋱)." }),
        block, pattern, details]);
    }

    // Differentiate L by one variable, as the kernel's Lagrangian explorer does (ch. 4): a select of
    // λ_1 … λ_n, z_1 … z_n and a button, under L; Python (lagrange_ad.try_it.derivative) takes sympy's
    // derivative of L for the program of this result and the page typesets it below the control.
    differentiator(section, variables) {
      const id = `${this.text.id}-wrt`;
      const select = el("select", { id, className: "lad-tryit-wrt" },
        variables.map((v) => el("option", { value: v.name, text: v.label })));
      const button = el("button", { type: "button", className: "lad-tryit-diff", text: "Differentiate" });
      const result = el("div", { className: "lad-tryit-derivative", "aria-live": "polite" });
      const error = el("div", { className: "lad-tryit-diff-error", role: "alert" });
      button.addEventListener("click", async () => {
        if (!python.ready || !this.program || this.root.dataset.state === "running") return;
        button.disabled = true;
        error.textContent = "";
        const { answer } = await python.run({ op: "derivative", ...this.program, variable: select.value });
        forget(result);
        result.textContent = "";
        if (answer.ok) {  // the formula names the variable: ∂L/∂z_3 = …
          const block = displayMath(answer.tex);
          result.append(block);
          await typeset([block]);
        } else {
          error.append(el("span", { "aria-hidden": "true", text: "⚠ " }), answer.error.message);
        }
        section.dataset.derivative = answer.ok ? answer.variable : "error";
        button.disabled = !python.ready;
      });
      this.diffButton = button;
      section.append(
        el("div", { className: "lad-tryit-row lad-tryit-wrt-row" }, [
          el("label", { for: id, text: "Differentiate L by" }), select, button]),
        error, result);
      return section;
    }

    // Back substitution, one frame a λ. The run's answer holds the opening frame (A λ = e) and every
    // caption; the other frames are most of a run's Python work, so they are asked for only when the
    // stepper comes near the screen or the reader steps (lagrange_ad.try_it.stepper_frames), for the
    // program this result is of.
    stepper(r, program) {
      const labels = r.frame_labels;
      let frames = r.frames;
      let more = null;
      const fetchFrames = () => {
        more = more || python.run({ op: "frames", ...program }).then(({ answer }) => {
          if (answer.ok) frames = answer.frames;
          return answer;
        });
        return more;
      };
      const section = el("section", { className: "lad-tryit-section lad-tryit-stepper" });
      const label = el("p", { className: "lad-tryit-frame-label" });
      const frame = el("div", { className: "lad-tryit-frame math notranslate nohighlight" });
      const live = el("p", { className: "lad-tryit-announce visually-hidden", "aria-live": "polite" });
      const arrow = (text) => el("span", { "aria-hidden": "true", text });
      const prev = el("button", { type: "button", className: "lad-tryit-prev" }, [arrow("◀ "), "Previous λ"]);
      const next = el("button", { type: "button", className: "lad-tryit-next" }, ["Next λ", arrow(" ▶")]);
      let k = 0;
      const show = async (announce) => {
        const shown = k;
        label.textContent = `${k + 1} / ${labels.length}: ${labels[k]}`;
        prev.disabled = k === 0;
        next.disabled = k === labels.length - 1;
        if (!frames[k]) {
          forget(frame);
          frame.textContent = "working out this step…";
          const answer = await fetchFrames();
          if (k !== shown) return;  // the reader stepped on meanwhile
          if (!answer.ok) {
            frame.textContent = `this step could not be worked out: ${answer.error.message}`;
            return;
          }
        }
        const f = frames[k];
        frame.textContent = `\\[${f.tex}\\]`;
        section.dataset.frame = String(k);  // the frame shown (tests wait for it)
        if (announce) live.textContent = `Step ${k + 1} of ${labels.length}: ${f.announcement}`;
        if (announce) await typeset([frame]);
      };
      prev.addEventListener("click", () => { if (k > 0) { k -= 1; show(true); } });
      next.addEventListener("click", () => { if (k < labels.length - 1) { k += 1; show(true); } });
      const near = new IntersectionObserver((entries) => {
        if (!entries.some((e) => e.isIntersecting)) return;
        near.disconnect();
        fetchFrames();
      }, { rootMargin: "300px 0px" });
      near.observe(section);
      section.append(heading("Back substitution, one λ at a time"),
                     el("div", { className: "lad-tryit-row" }, [prev, next]), label, frame, live);
      show(false);
      return section;
    }

    gradient(r) {
      const names = Object.keys(r.gradient);
      const rows = names.map((name) => el("tr", {}, [
        el("th", { scope: "row", text: name }),
        el("td", { text: number(r.at[name]), "data-value": String(r.at[name]) }),
        el("td", { text: number(r.gradient[name]), "data-value": String(r.gradient[name]) }),
        el("td", { text: number(r.finite_difference[name]), "data-value": String(r.finite_difference[name]) }),
      ]));
      const table = el("table", { className: "lad-tryit-gradient-table" }, [
        el("caption", { text: `The gradient by back substitution, and central differences with step ${r.fd_step}` }),
        el("thead", {}, el("tr", {}, ["input", "value", ["∂", subscripted("z", "n"), "/∂input"], "central difference"]
          .map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, rows),
      ]);
      return el("section", { className: "lad-tryit-section lad-tryit-gradient" }, [
        heading("The gradient, checked"), el("div", { className: "lad-tryit-gradient-table-box" }, table),
        el("p", { text: `Largest difference between the two: ${number(r.max_difference)}.` }),
      ]);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Finding the places for components

  // Python starts once MathJax has typeset the page, so the two never compete for the main thread.
  function mathReady() {
    const mj = window.MathJax;
    return mj && mj.startup && mj.startup.promise ? mj.startup.promise.catch(() => null) : Promise.resolve();
  }

  const nearScreen = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) {
      nearScreen.disconnect();
      python.tell("loading Python…");
      mathReady().then(() => {
        python.start();
        warmMath();
      });
    }
  }, { rootMargin: "600px 0px" });

  function mount(root, seed) {
    root.tryIt = new TryIt(root, seed);
    nearScreen.observe(root);
  }

  function seedOfExplorer(box) {
    const text = box.querySelector(".lad-explorer-text textarea");
    const inputs = box.querySelector(".lad-explorer-inputs input");
    const active = box.querySelector(".widget-toggle-buttons .mod-active");
    if (!text || !inputs) return null;
    const kind = active && /python/i.test(active.textContent) ? "python" : "equations";
    return { text: text.value, inputs: inputs.value, kind, at: "" };
  }

  function swapExplorers() {
    for (const box of document.querySelectorAll(".lad-sequence-explorer, .lad-lagrangian-explorer")) {
      if (box.dataset.ladTryit) continue;
      const seed = seedOfExplorer(box);
      if (!seed) continue;  // not drawn yet
      box.dataset.ladTryit = "replaced";
      const root = el("div");
      box.before(root);
      box.hidden = true;
      box.style.display = "none";  // the widget's own display rule would win over [hidden]
      mount(root, seed);
    }
  }

  function init() {
    for (const root of document.querySelectorAll("div.lad-tryit:not([data-state])")) {
      const d = root.dataset;
      const kind = d.kind === "equations" ? "equations" : "python";
      mount(root, { kind, text: d.text || EXAMPLES[kind], inputs: d.inputs || "x w", at: d.at || "" });
    }
    swapExplorers();
    // the widget manager draws the explorers after load
    new MutationObserver(swapExplorers).observe(document.body, { childList: true, subtree: true });
  }

  window.ladTryIt = { python };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
