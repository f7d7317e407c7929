// Shipyard's graph page: one performance series over pushes, drawn as plain SVG (no library, no CDN).
// Data: GET <base>/<project>/graphs/options (the project's series) and
//       GET <base>/<project>/graphs/series?series=<group key>&page=<page> (points and alerts).
// The choice lives in the URL (?branch=&test=&platform=&page=), so a graph can be linked to.
"use strict";

(function () {
  const body = document.body;
  const project = body.dataset.project;
  const base = body.dataset.base || "";
  const SVG = "http://www.w3.org/2000/svg";
  const $ = (id) => document.getElementById(id);
  const selects = { branch: $("branch"), test: $("test"), platform: $("platform"), page: $("page") };
  let groups = [];

  function platformLabel(g) {
    const p = g.platform;
    const label = `${p.os} ${p.osversion} ${p.processor} ${p.build_type}`;
    return g.product && g.product !== "Firefox" ? `${label} (${g.product})` : label;
  }

  function fill(select, values, wanted) {
    const unique = [...new Set(values)].sort();
    select.replaceChildren(...unique.map((v) => new Option(v, v)));
    if (wanted && unique.includes(wanted)) select.value = wanted;
  }

  function matching(level) {
    return groups.filter((g) =>
      (level < 1 || g.branch === selects.branch.value) &&
      (level < 2 || g.test === selects.test.value) &&
      (level < 3 || platformLabel(g) === selects.platform.value));
  }

  function refill(from, wanted) {
    if (from <= 0) fill(selects.branch, groups.map((g) => g.branch), wanted.branch);
    if (from <= 1) fill(selects.test, matching(1).map((g) => g.test), wanted.test);
    if (from <= 2) fill(selects.platform, matching(2).map(platformLabel), wanted.platform);
    if (from <= 3) fill(selects.page, matching(3).flatMap((g) => g.pages), wanted.page);
  }

  function chosenGroup() {
    return matching(3)[0];
  }

  function say(text) { $("message").textContent = text || ""; }

  function el(name, attrs, parent) {
    const node = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (parent) parent.appendChild(node);
    return node;
  }

  function fmtDate(unix) { return new Date(unix * 1000).toISOString().replace("T", " ").slice(0, 16) + " UTC"; }

  function hoverText(p) {
    return `revision ${p.revision}\n${fmtDate(p.push_date)}\nauthor ${p.author || p.pusher}\n${p.desc}\n` +
      `mean ${p.mean.toFixed(1)}` + (p.stddev == null ? "" : ` ± ${p.stddev.toFixed(1)}`) +
      (p.trend_mean == null ? "" : `, trend ${p.trend_mean.toFixed(1)}`);
  }

  function draw(data) {
    const chart = $("chart");
    chart.replaceChildren();
    const points = data.points;
    if (!points.length) { say("No data for this series yet."); return; }
    const W = 960, H = 420, M = { left: 64, right: 16, top: 16, bottom: 40 };
    // x: one slot per push (runs of a push share it), in push order
    const pushes = [...new Set(points.map((p) => p.push_id))].sort((a, b) => a - b);
    const slot = new Map(pushes.map((id, i) => [id, i]));
    const lows = points.map((p) => p.mean - (p.stddev || 0)), highs = points.map((p) => p.mean + (p.stddev || 0));
    for (const p of points) if (p.trend_mean != null) { lows.push(p.trend_mean); highs.push(p.trend_mean); }
    let lo = Math.min(...lows), hi = Math.max(...highs);
    const pad = (hi - lo) * 0.08 || Math.abs(hi) * 0.05 || 1;
    lo -= pad; hi += pad;
    const x = (id) => M.left + (pushes.length === 1 ? 0.5 : slot.get(id) / (pushes.length - 1)) * (W - M.left - M.right);
    const y = (v) => M.top + (hi - v) / (hi - lo) * (H - M.top - M.bottom);
    const svg = el("svg", { width: W, height: H, viewBox: `0 0 ${W} ${H}`, id: "graph", "data-points": points.length });
    // grid and axes
    const axis = el("g", { class: "axis" }, svg);
    for (let k = 0; k <= 5; k++) {
      const v = lo + (hi - lo) * k / 5;
      el("line", { class: "grid", x1: M.left, x2: W - M.right, y1: y(v), y2: y(v) }, axis);
      el("text", { x: M.left - 6, y: y(v) + 4, "text-anchor": "end" }, axis).textContent = v.toFixed(1);
    }
    el("line", { x1: M.left, x2: W - M.right, y1: H - M.bottom, y2: H - M.bottom }, axis);
    const every = Math.max(1, Math.ceil(pushes.length / 10));
    pushes.forEach((id, i) => {
      if (i % every) return;
      el("text", { x: x(id), y: H - M.bottom + 16, "text-anchor": "middle" }, axis).textContent = `push ${id}`;
    });
    el("text", { x: W / 2, y: H - 6, "text-anchor": "middle" }, axis).textContent = `${data.test} — ${data.page}`;
    // stddev band: one polygon over the runs, upper edge then lower edge back
    const withSd = points.filter((p) => p.stddev != null);
    if (withSd.length) {
      const upper = withSd.map((p) => `${x(p.push_id)},${y(p.mean + p.stddev)}`);
      const lower = withSd.slice().reverse().map((p) => `${x(p.push_id)},${y(p.mean - p.stddev)}`);
      el("polygon", { class: "band", points: upper.concat(lower).join(" ") }, svg);
    }
    el("polyline", { class: "series", points: points.map((p) => `${x(p.push_id)},${y(p.mean)}`).join(" ") }, svg);
    const trend = points.filter((p) => p.trend_mean != null);
    if (trend.length) {
      el("polyline", { class: "trend", points: trend.map((p) => `${x(p.push_id)},${y(p.trend_mean)}`).join(" ") }, svg);
    }
    // alerts: a dashed line at the push and a triangle on top, pointing the way the value moved
    const alertsLayer = el("g", { class: "alerts" }, svg);
    for (const a of data.alerts) {
      if (!slot.has(a.push_id)) continue;
      const ax = x(a.push_id);
      el("line", { class: `alert-line ${a.direction}`, x1: ax, x2: ax, y1: M.top, y2: H - M.bottom }, alertsLayer);
      const up = a.new_value > a.prev_value, ty = M.top + 10;
      const tri = up ? `${ax - 7},${ty + 6} ${ax + 7},${ty + 6} ${ax},${ty - 6}` : `${ax - 7},${ty - 6} ${ax + 7},${ty - 6} ${ax},${ty + 6}`;
      const marker = el("polygon", { class: `alert-marker ${a.direction}`, points: tri, "data-alert-id": a.id,
        "data-push-id": a.push_id }, alertsLayer);
      el("title", {}, marker).textContent =
        `${a.direction} ${a.magnitude.toFixed(1)}% at revision ${a.revision} (${a.status}, confidence ${a.confidence})`;
    }
    // points on top: each a link to its push's metrics summary, with its push in a tooltip
    const tooltip = $("tooltip");
    const layer = el("g", { class: "points" }, svg);
    for (const p of points) {
      const link = el("a", { href: base + p.summary_url, class: "point-link" }, layer);
      const dot = el("circle", { class: "point" + (p.test_evaluation === false ? " failed" : ""), cx: x(p.push_id),
        cy: y(p.mean), r: 4, "data-revision": p.revision, "data-push-id": p.push_id }, link);
      el("title", {}, dot).textContent = hoverText(p);
      dot.addEventListener("mouseenter", (ev) => {
        tooltip.textContent = hoverText(p);
        tooltip.hidden = false;
        const box = chart.getBoundingClientRect();
        tooltip.style.left = `${ev.clientX - box.left + 30}px`;
        tooltip.style.top = `${ev.clientY - box.top + 40}px`;
      });
      dot.addEventListener("mouseleave", () => { tooltip.hidden = true; });
    }
    chart.appendChild(svg);
    const rows = data.alerts.map((a) => {
      const tr = document.createElement("tr");
      tr.className = `alert-row ${a.direction}`;
      for (const v of [a.push_id, a.revision, a.direction, `${a.magnitude.toFixed(1)}%`, a.confidence, a.status]) {
        const td = document.createElement("td");
        td.textContent = v;
        tr.appendChild(td);
      }
      return tr;
    });
    $("alerts").tBodies[0].replaceChildren(...rows);
    say("");
  }

  async function getJSON(path) {
    const response = await fetch(base + path, { headers: { Accept: "application/json" } });
    const data = await response.json();
    if (!response.ok) throw new Error(data.message || data.status || response.statusText);
    return data;
  }

  async function show() {
    const group = chosenGroup(), page = selects.page.value;
    const params = new URLSearchParams({ branch: selects.branch.value, test: selects.test.value,
      platform: selects.platform.value, page });
    history.replaceState(null, "", `${location.pathname}?${params}`);
    if (!group || !page) { say("Nothing to show: no series matches."); body.dataset.state = "ready"; return; }
    body.dataset.state = "loading";
    try {
      const q = new URLSearchParams({ series: group.series, page });
      draw(await getJSON(`/${encodeURIComponent(project)}/graphs/series?${q}`));
    } catch (err) {
      say(`Could not load the series: ${err.message}`);
    }
    body.dataset.state = "ready";
  }

  async function start() {
    const wanted = Object.fromEntries(new URLSearchParams(location.search));
    try {
      groups = (await getJSON(`/${encodeURIComponent(project)}/graphs/options`)).series;
    } catch (err) {
      say(`Could not load the series list: ${err.message}`);
      body.dataset.state = "ready";
      return;
    }
    if (!groups.length) { say("This project has no performance series yet."); body.dataset.state = "ready"; return; }
    refill(0, wanted);
    ["branch", "test", "platform", "page"].forEach((name, level) => {
      selects[name].addEventListener("change", () => { refill(level + 1, {}); show(); });
    });
    await show();
  }

  start();
})();
