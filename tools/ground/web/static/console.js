// RPO FSW web console: plain JavaScript, no build step, no third-party code.
// Everything is generated from /api/dictionary (the packet dictionary);
// live data comes over the /ws websocket (see tools/ground/web/app.py).
"use strict";

const KEY = document.querySelector('meta[name="console-key"]').content;
const SEVERITIES = ["debug", "info", "warning", "error", "critical"];
let DICT = null;
const PACKETS = {};        // name -> telemetry packet description
const latest = {};         // name -> latest packet state from the server
const boxes = {};          // name -> {box, rows: {field: {tr, value}}}
const charts = [];         // {key, field, samples, canvas, box}
let events = [];
const history = {};        // id -> entry
let alarmList = [];
let linkState = null;

function $(sel) { return document.querySelector(sel); }
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

function fmtNumber(v) {
  if (typeof v !== "number") return String(v);
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return (a !== 0 && (a < 1e-3 || a >= 1e6)) ? v.toExponential(4) : v.toPrecision(6);
}
function fmtValue(f) {
  if (f.text !== undefined) return f.text;
  const v = f.value;
  if (Array.isArray(v)) return "[" + v.map(fmtNumber).join(", ") + "]";
  return fmtNumber(v);
}

// -- tabs -------------------------------------------------------------------------------------
function showTab(name) {
  document.querySelectorAll("nav#tabs button").forEach(b =>
    b.classList.toggle("active", b.dataset.tab === name));
  document.querySelectorAll("section.tab").forEach(s =>
    s.classList.toggle("hidden", s.id !== "tab-" + name));
  if (name === "charts") drawCharts();
}

// -- telemetry pages --------------------------------------------------------------------------
function seriesKeys(key, f) {
  // f.series are PACKET.field[i]; an instance box (HEARTBEAT[adcs]) has its own
  return f.series.map(k => key + k.slice(k.indexOf(".")));
}

function makeBox(p, key) {
  const tbody = el("tbody");
  const rows = {};
  for (const f of p.fields) {
    const value = el("td", {class: "value", text: "-"});
    const name = el("td", {text: f.name, title: f.description + (f.limits ? "\nlimits: " + f.limits.text : "")});
    const tools = el("td");
    const keys = seriesKeys(key, f);
    for (const k of keys) {
      const b = el("button", {class: "chart", title: "strip chart of " + k, type: "button",
                              text: keys.length > 1 ? "\u2197" + k.slice(k.lastIndexOf("[")) : "\u2197"});
      b.addEventListener("click", () => { addChart(k); showTab("charts"); });
      tools.append(b);
    }
    const tr = el("tr", {"data-field": f.name}, name, value, el("td", {class: "unit", text: f.unit}), tools);
    tbody.append(tr);
    rows[f.name] = {tr, value};
  }
  const meta = el("span", {class: "meta", text: "no data"});
  const box = el("div", {class: "packet empty hidden", "data-packet": key, "data-apid": p.apid},
    el("h4", {title: p.description}, el("span", {text: key}), meta),
    el("table", {}, tbody));
  const before = b => Number(b.dataset.apid) > p.apid ||
    (Number(b.dataset.apid) === p.apid && b.dataset.packet > key);
  const after = [...$("#packets").children].find(before);
  $("#packets").insertBefore(box, after || null);
  boxes[key] = {box, rows, meta, packet: p.name};
  const keys = $("#chart-key");
  for (const f of p.fields) for (const k of seriesKeys(key, f))
    keys.append(el("option", {value: k, text: k + (f.unit ? ` [${f.unit}]` : "")}));
  return boxes[key];
}

function buildTelemetry() {
  const filter = $("#packet-filter");
  for (const p of DICT.telemetry) {
    PACKETS[p.name] = p;
    filter.append(el("option", {value: p.name, text: `${p.name} (0x${p.apid.toString(16).padStart(3, "0")})`}));
    if (!p.instance) makeBox(p, p.name);  // one box per source appears with its first packet
  }
  filter.addEventListener("change", applyPacketFilter);
  $("#show-empty").addEventListener("change", applyPacketFilter);
}

function applyPacketFilter() {
  const only = $("#packet-filter").value;
  const empty = $("#show-empty").checked;
  for (const [key, b] of Object.entries(boxes)) {
    const has = key in latest;
    b.box.classList.toggle("hidden", only ? b.packet !== only : !(has || empty));
  }
}

function updatePacket(key, st) {
  latest[key] = st;
  let b = boxes[key];
  if (!b && PACKETS[st.packet]) b = makeBox(PACKETS[st.packet], key);
  if (!b) return;
  b.box.classList.remove("empty");
  b.meta.textContent = `0x${st.apid.toString(16).padStart(3, "0")} seq ${st.seq} ${st.utc}`;
  for (const [fname, f] of Object.entries(st.fields)) {
    const row = b.rows[fname];
    if (!row) continue;
    row.value.textContent = fmtValue(f);
    row.tr.className = f.level ? "level-" + f.level : "";
  }
}

// -- charts -----------------------------------------------------------------------------------
function parseKey(key) {
  // PACKET[instance].field[index]: the box's key, the packet, the field, the element
  const m = /^(([A-Z0-9_]+)(?:\[[^\]]*\])?)\.([A-Za-z0-9_]+)(?:\[(\d+)\])?$/.exec(key);
  return m ? {box: m[1], packet: m[2], field: m[3], index: m[4] === undefined ? null : Number(m[4])} : null;
}

async function addChart(key) {
  if (charts.some(c => c.key === key)) return;
  const k = parseKey(key);
  if (!k || !PACKETS[k.packet]) return;
  const field = PACKETS[k.packet].fields.find(f => f.name === k.field);
  const canvas = el("canvas", {width: 900, height: 180});
  const last = el("span", {class: "last"});
  const close = el("button", {type: "button", text: "\u00d7", title: "remove"});
  const box = el("div", {class: "chart-box", "data-key": key},
    el("div", {class: "head"}, el("b", {text: key + (field.unit ? ` [${field.unit}]` : "")}), last, close), canvas);
  const chart = {key, k, field, samples: [], canvas, box, last};
  close.addEventListener("click", () => { charts.splice(charts.indexOf(chart), 1); box.remove(); });
  charts.push(chart);
  $("#charts").prepend(box);
  const r = await fetch("/api/series?key=" + encodeURIComponent(key));
  if (r.ok) chart.samples = (await r.json()).samples.concat(chart.samples);
  drawChart(chart);
}

function chartValue(chart, st) {
  const f = st.fields[chart.k.field];
  if (!f) return null;
  const v = chart.k.index === null ? f.value : f.value[chart.k.index];
  return typeof v === "number" ? v : null;
}

function drawCharts() { for (const c of charts) drawChart(c); }

function drawChart(chart) {
  const cv = chart.canvas;
  if (cv.offsetParent === null) return;  // tab hidden
  const dpr = window.devicePixelRatio || 1;
  const w = cv.clientWidth, h = cv.clientHeight;
  if (cv.width !== Math.round(w * dpr)) { cv.width = Math.round(w * dpr); cv.height = Math.round(h * dpr); }
  const g = cv.getContext("2d");
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  const win = Number($("#chart-window").value);
  let s = chart.samples;
  if (s.length === 0) { g.fillStyle = "#888"; g.fillText("no samples yet", 10, 20); return; }
  const tEnd = s[s.length - 1][0];
  if (win > 0) s = s.filter(p => p[0] >= tEnd - win);
  const t0 = s[0][0];
  let lo = Infinity, hi = -Infinity;
  for (const p of s) { if (p[1] < lo) lo = p[1]; if (p[1] > hi) hi = p[1]; }
  if (lo === hi) { lo -= 1; hi += 1; }
  const pad = (hi - lo) * 0.08; lo -= pad; hi += pad;
  const L = 64, R = 8, T = 8, B = 20;
  const X = t => L + (w - L - R) * (tEnd === t0 ? 1 : (t - t0) / (tEnd - t0));
  const Y = v => T + (h - T - B) * (1 - (v - lo) / (hi - lo));
  g.strokeStyle = "#ccc"; g.strokeRect(L, T, w - L - R, h - T - B);
  g.fillStyle = "#444"; g.font = "11px sans-serif";
  g.fillText(fmtNumber(hi), 2, T + 9); g.fillText(fmtNumber(lo), 2, h - B);
  g.fillText(`${fmtNumber(tEnd - t0)} s`, w - R - 60, h - 5);
  const lim = chart.field.limits;
  if (lim) {
    for (const [pair, color] of [[lim.warning, "#d4a300"], [lim.critical, "#c0392b"]]) {
      for (const v of pair) {
        if (v === null || v < lo || v > hi) continue;
        g.strokeStyle = color; g.setLineDash([5, 4]); g.beginPath();
        g.moveTo(L, Y(v)); g.lineTo(w - R, Y(v)); g.stroke(); g.setLineDash([]);
      }
    }
  }
  g.strokeStyle = "#1f5fa8"; g.lineWidth = 1.3; g.beginPath();
  s.forEach((p, i) => (i ? g.lineTo(X(p[0]), Y(p[1])) : g.moveTo(X(p[0]), Y(p[1]))));
  g.stroke();
  chart.last.textContent = "last " + fmtNumber(s[s.length - 1][1]);
}

// -- events, alarms, link ---------------------------------------------------------------------
function renderEvents() {
  const min = Number($("#severity-filter").value);
  const tbody = $("#events-table tbody");
  tbody.replaceChildren();
  const shown = events.filter(e => e.severity >= min).slice(-400).reverse();
  for (const e of shown) {
    tbody.append(el("tr", {class: "sev-" + e.severity},
      el("td", {text: e.utc}), el("td", {text: e.severity_name}), el("td", {text: e.source}),
      el("td", {text: e.event_id}), el("td", {text: e.text})));
  }
  $("#event-count").textContent = `${shown.length} shown of ${events.length}`;
}

function renderAlarms(log) {
  const tbody = $("#alarms-table tbody");
  tbody.replaceChildren();
  for (const a of alarmList) {
    tbody.append(el("tr", {class: "level-" + a.level, "data-param": a.param},
      el("td", {text: a.level}), el("td", {text: a.param}),
      el("td", {text: (Array.isArray(a.value) ? a.value.map(fmtNumber).join(", ") : fmtNumber(a.value)) + " " + a.unit}),
      el("td", {text: a.since_utc}), el("td", {text: a.limits})));
  }
  const count = $("#alarm-count");
  count.textContent = String(alarmList.length);
  const worst = alarmList.some(a => a.level === "critical") ? "critical" : alarmList.length ? "warning" : "nominal";
  count.className = "level-" + worst;
  if (log) {
    const lt = $("#alarm-log tbody");
    lt.replaceChildren();
    for (const x of log.slice().reverse()) {
      lt.append(el("tr", {class: "level-" + x.level}, el("td", {text: x.utc}), el("td", {text: x.param}),
        el("td", {text: x.level}), el("td", {text: Array.isArray(x.value) ? x.value.map(fmtNumber).join(", ") : fmtNumber(x.value)})));
    }
  }
}

function renderLink(link) {
  linkState = link;
  const s = $("#link-state");
  s.textContent = link.state;
  s.className = link.state === "live" ? "level-nominal" : "level-critical";
  const age = link.age_s === null ? "" : ` last ${link.age_s.toFixed(1)} s ago,`;
  $("#link-detail").textContent = `${age} ${link.rate_hz.toFixed(1)} pkt/s, ${link.packets} packets,` +
    ` ${link.gaps} gaps (${link.missed} missed), ${link.crc_errors} CRC, ${link.dropped} dropped`;
  $("#stale-banner").classList.toggle("hidden", link.state === "live");
  $("#stale-banner").textContent = link.state === "stale"
    ? `TELEMETRY STALE: nothing for ${link.age_s.toFixed(1)} s (> ${link.stale_after_s} s)`
    : "NO TELEMETRY RECEIVED";
}

function renderStatus() {
  const ms = latest.MODE_STATUS || latest.AUTONOMY_HK;
  if (ms && ms.fields.mode) {
    const m = ms.fields.mode;
    $("#mode").textContent = m.text !== undefined ? m.text : String(m.value);
    $("#mode").className = m.level ? "level-" + m.level : "";
  }
  let newest = null;
  for (const st of Object.values(latest)) if (!newest || st.t_tai > newest.t_tai) newest = st;
  if (newest) $("#onboard-utc").textContent = newest.utc;
}

// -- commands ---------------------------------------------------------------------------------
function fieldInputs(f) {
  const one = (kind, spec) => {
    if (kind === "enum") {
      const s = el("select", {name: f.name});
      for (const o of f.options) s.append(el("option", {value: o, text: o}));
      return s;
    }
    const i = el("input", {name: f.name, required: ""});
    if (kind === "float") { i.type = "number"; i.step = "any"; i.value = "0"; }
    else if (kind === "int") { i.type = "number"; i.step = "1"; i.min = spec.min; i.max = spec.max; i.value = "0"; }
    else if (kind === "text") { i.maxLength = f.max_octets; i.className = "wide"; i.removeAttribute("required"); }
    else if (kind === "hex") { i.pattern = "([0-9a-fA-F]{2})*"; i.className = "wide"; i.placeholder = "hex octets"; i.removeAttribute("required"); }
    return i;
  };
  if (f.kind === "array") {
    const span = el("span", {"data-array": f.name});
    for (let k = 0; k < f.count; k++) span.append(one(f.element.kind, f.element));
    return span;
  }
  return one(f.kind, f);
}

function formArgs(form, cmd) {
  const args = {};
  for (const f of cmd.fields) {
    if (f.kind === "array") {
      const vals = [...form.querySelectorAll(`[data-array="${f.name}"] input`)].map(i => i.value.trim());
      args[f.name] = vals.join(",");
    } else {
      args[f.name] = form.elements[f.name].value;
    }
  }
  return args;
}

async function post(url, body) {
  const r = await fetch(url, {method: "POST", headers: {"Content-Type": "application/json", "X-Console-Key": KEY},
                              body: JSON.stringify(body)});
  const data = await r.json().catch(() => ({error: `HTTP ${r.status}`}));
  if (!r.ok) throw new Error(data.error || `HTTP ${r.status}`);
  return data;
}

function buildCommands() {
  const hint = $("#command-hint");
  hint.textContent = DICT.can_command
    ? `Signed with key ${DICT.key_id}. Hazardous commands (red edge) are armed first, then confirmed.`
    : "Monitoring only: start the console with --keys FILE to command.";
  for (const cmd of DICT.commands) {
    const fields = el("div", {class: "fields"});
    for (const f of cmd.fields) {
      fields.append(el("label", {text: f.name + (f.unit ? ` [${f.unit}]` : ""), title: f.description}), fieldInputs(f));
    }
    const result = el("span", {class: "result"});
    const send = el("button", {type: "submit", class: "send", text: cmd.hazardous ? "Arm" : "Send"});
    const confirm = el("button", {type: "button", class: "confirm hidden", text: "Confirm " + cmd.name});
    const cancel = el("button", {type: "button", class: "cancel hidden", text: "Cancel"});
    const form = el("form", {class: "command" + (cmd.hazardous ? " hazardous" : ""), "data-command": cmd.name},
      el("h4", {text: `${cmd.name} (0x${cmd.apid.toString(16).padStart(3, "0")})${cmd.hazardous ? " \u2014 hazardous" : ""}`}),
      el("div", {class: "desc", text: cmd.description}), fields, send, confirm, cancel, result);
    if (!DICT.can_command) send.disabled = true;
    let armed = null, timer = null;
    const disarm = () => {
      armed = null; clearInterval(timer);
      confirm.classList.add("hidden"); cancel.classList.add("hidden"); send.classList.remove("hidden");
    };
    const show = (text, error) => { result.textContent = text; result.className = "result" + (error ? " error" : ""); };
    form.addEventListener("submit", async ev => {
      ev.preventDefault();
      const args = formArgs(form, cmd);
      try {
        if (cmd.hazardous) {
          const a = await post("/api/arm", {name: cmd.name, args});
          armed = {token: a.token, args, until: Date.now() + a.window_s * 1000};
          send.classList.add("hidden"); confirm.classList.remove("hidden"); cancel.classList.remove("hidden");
          const tick = () => {
            const left = Math.max(0, (armed ? armed.until - Date.now() : 0) / 1000);
            confirm.textContent = `Confirm ${cmd.name} (${left.toFixed(0)} s)`;
            if (left <= 0) { disarm(); show("arming expired", true); }
          };
          tick(); timer = setInterval(tick, 250);
          show("armed: check the values, then confirm");
        } else {
          const e = await post("/api/command", {name: cmd.name, args});
          upsertHistory(e); show(`sent #${e.id} (auth seq ${e.auth_seq})`);
        }
      } catch (err) { show(err.message, true); }
    });
    confirm.addEventListener("click", async () => {
      if (!armed) return;
      const a = armed; disarm();
      try {
        const e = await post("/api/command", {name: cmd.name, args: a.args, arm_token: a.token});
        upsertHistory(e); show(`sent #${e.id} (auth seq ${e.auth_seq})`);
      } catch (err) { show(err.message, true); }
    });
    cancel.addEventListener("click", () => { disarm(); show("disarmed"); });
    $("#command-forms").append(form);
  }
}

// -- history ----------------------------------------------------------------------------------
function upsertHistory(e) {
  history[e.id] = e;
  let tr = document.querySelector(`#history-table tr[data-id="${e.id}"]`);
  const cells = [
    el("td", {text: e.id}), el("td", {class: "name", text: e.name + (e.hazardous ? " \u26a0" : "")}),
    el("td", {text: Object.entries(e.args).map(([k, v]) => `${k}=${v}`).join(" ")}),
    el("td", {text: `${e.key_id} / ${e.auth_seq}`}), el("td", {text: e.wall_utc}),
    el("td", {class: "status status-" + e.status, text: e.status}),
    el("td", {class: "acks", text: e.acks.map(a => a.stage + (a.latency_s !== undefined ? ` (+${a.latency_s.toFixed(2)} s)` : "") +
      (a.reason ? ` reason ${a.reason}` : "") + (a.detail ? `: ${a.detail}` : "")).join(", ")}),
  ];
  if (!tr) {
    tr = el("tr", {"data-id": e.id});
    const tbody = $("#history-table tbody");
    const after = [...tbody.children].find(r => Number(r.dataset.id) < e.id);
    tbody.insertBefore(tr, after || null);
  }
  tr.replaceChildren(...cells);
}

// -- the live feed ----------------------------------------------------------------------------
function onUpdate(msg) {
  for (const [key, st] of Object.entries(msg.latest)) {
    updatePacket(key, st);
    for (const c of charts) if (c.k.box === key) {
      const v = chartValue(c, st);
      const last = c.samples[c.samples.length - 1];
      if (v !== null && (!last || last[0] !== st.t_tai)) c.samples.push([st.t_tai, v]);
      if (c.samples.length > 20000) c.samples.splice(0, c.samples.length - 20000);
    }
  }
  if (Object.keys(msg.latest).length) { applyPacketFilter(); renderStatus(); drawCharts(); }
  if (msg.events.length) {
    events = events.concat(msg.events).slice(-2000);
    renderEvents();
  }
  alarmList = msg.alarms; renderAlarms(msg.alarm_log);
  renderLink(msg.link);
  for (const e of msg.history) upsertHistory(e);
}

function connect() {
  const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws");
  ws.onmessage = ev => onUpdate(JSON.parse(ev.data));
  ws.onopen = () => { $("#footer").textContent = `connected to the console; ground link ${DICT.link}`; };
  ws.onclose = () => {
    $("#footer").textContent = "console disconnected: reconnecting...";
    $("#link-state").textContent = "console disconnected"; $("#link-state").className = "level-critical";
    setTimeout(connect, 1000);
  };
}

async function main() {
  DICT = await (await fetch("/api/dictionary")).json();
  $("#key-info").textContent = DICT.can_command ? `key ${DICT.key_id}` : "monitoring only";
  buildTelemetry();
  buildCommands();
  document.querySelectorAll("nav#tabs button").forEach(b => b.addEventListener("click", () => showTab(b.dataset.tab)));
  $("#severity-filter").addEventListener("change", renderEvents);
  $("#chart-add").addEventListener("click", () => addChart($("#chart-key").value));
  $("#chart-window").addEventListener("change", drawCharts);
  window.addEventListener("resize", drawCharts);
  connect();
}

main();
