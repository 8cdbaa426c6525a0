// Injected by tests/page.rs into a copy of a page, after axe-core: reads the page's
// DOM as Chromium built it, runs axe, and leaves the findings as JSON in
// <pre id="racelab-check"> for `--dump-dom` to carry out.
(async () => {
  const all = (root, selector) => [...root.querySelectorAll(selector)];
  const resolves = (a) => {
    const href = a.getAttribute("href") || "";
    return href.startsWith("#") && document.getElementById(href.slice(1)) !== null;
  };
  const result = {
    swimlanes: all(document, "svg.swimlane").map((svg) => ({
      lanes: all(svg, "g.lane").map((g) => g.dataset.thread),
      stepThreads: [...new Set(all(svg, "g.step").map((g) => g.dataset.thread))],
      steps: all(svg, "g.step").length,
      racing: all(svg, "g.step.racing").length,
      stale: all(svg, "g.step.stale").length,
      blocked: all(svg, "g.step.blocked").length,
      conflict: all(svg, "g.step.conflict").length,
      cancelled: all(svg, "g.step.cancelled").length,
      missingEdges: all(svg, ".missing-edge path").length,
      holds: all(svg, "rect.hold").length,
      titled: svg.querySelector(":scope > title") !== null && svg.querySelector(":scope > desc") !== null,
      lineNumbers: all(svg, "text.lineno").length,
      linkedLines: all(svg, "a.line-link").filter(resolves).length,
      width: svg.getBoundingClientRect().width,
    })),
    stepTables: all(document, "table.steps").map((table) => {
      const rows = all(table, "tbody tr");
      const withLine = rows.filter((tr) => tr.children[2].textContent.trim() !== "");
      return {
        rows: rows.length,
        withLine: withLine.length,
        linked: withLine.filter((tr) => {
          const a = tr.querySelector("a.line-link");
          return a !== null && resolves(a);
        }).length,
      };
    }),
    waitEdges: all(document, "svg.wait-for .wait-edge").map((g) => [g.dataset.from, g.dataset.to]),
    results: document.querySelector("table.results, pre.results") !== null,
    compileErrors: all(document, "pre.compile-error").length,
    gridCells: all(document, "table.grid td.cell").length,
    gridLinks: all(document, "table.grid td.cell a").map((a) => a.getAttribute("href")),
  };
  try {
    const axeResult = await axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
    });
    result.violations = axeResult.violations.map((v) => ({
      id: v.id,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
    }));
    result.passes = axeResult.passes.length;
  } catch (e) {
    result.axeError = String(e);
  }
  const out = document.createElement("pre");
  out.id = "racelab-check";
  out.textContent = JSON.stringify(result);
  document.body.appendChild(out);
})();
