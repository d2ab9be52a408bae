// Operator console: plain JS over the gateway's /api. Lane points are kept normalised (0..1) like the configuration.
"use strict";
const $ = id => document.getElementById(id);
const state = { site: null, camera: null, points: [], timers: [] };

async function api(path, options = {}) {
  const response = await fetch(path, { credentials: "same-origin", headers: { "Content-Type": "application/json" }, ...options });
  if (response.status === 401 && path !== "/api/login") { showLogin(); throw new Error("login required"); }
  return response;
}

function text(value) { return value === null || value === undefined ? "" : String(value); }
function cell(row, value) { const td = row.insertCell(); td.textContent = text(value); return td; }
function time(iso) { return iso ? new Date(iso).toLocaleString() : ""; }

function showLogin() {
  state.timers.forEach(clearInterval); state.timers = [];
  $("console").hidden = true; $("logout").hidden = true; $("login-panel").hidden = false; $("who").textContent = "";
}

$("login-form").addEventListener("submit", async e => {
  e.preventDefault();
  const response = await api("/api/login", { method: "POST", body: JSON.stringify({ token: $("login-token").value }) });
  if (!response.ok) { $("login-message").textContent = "Unknown token."; return; }
  $("login-token").value = ""; $("login-message").textContent = "";
  await start();
});

$("logout").addEventListener("click", async () => { await api("/api/logout", { method: "POST" }); showLogin(); });

async function start() {
  const response = await api("/api/site");
  state.site = await response.json();
  $("login-panel").hidden = true; $("console").hidden = false; $("logout").hidden = false;
  $("site").textContent = state.site.siteId; $("who").textContent = state.site.operator;
  const cameras = $("camera"); cameras.innerHTML = "";
  for (const c of state.site.cameras) cameras.add(new Option(c.id, c.id));
  if (state.site.cameras.length) selectCamera(state.camera && state.site.cameras.some(c => c.id === state.camera) ? state.camera : state.site.cameras[0].id);
  refresh(); refreshAudit();
  state.timers.push(setInterval(refresh, 3000), setInterval(refreshFrame, 2000), setInterval(refreshAudit, 30000));
}

function camera() { return state.site.cameras.find(c => c.id === state.camera); }

function selectCamera(id) {
  state.camera = id; $("camera").value = id;
  const lanes = $("lane"); lanes.innerHTML = ""; lanes.add(new Option("(new lane)", ""));
  for (const l of camera().lanes) lanes.add(new Option(l.id, l.id));
  selectLane(camera().lanes.length ? camera().lanes[0].id : "");
  refreshFrame();
}

function selectLane(id) {
  $("lane").value = id;
  const lane = camera().lanes.find(l => l.id === id);
  $("lane-id").value = lane ? lane.id : ""; $("lane-id").disabled = !!lane;
  state.points = lane ? lane.polygon.map(p => [p[0], p[1]]) : [];
  const defaults = { stopSeconds: 30, confirmSeconds: 120, cooldownMinutes: 60, minOverlap: 0.2 };
  const l = lane || defaults;
  $("stop-seconds").value = l.stopSeconds; $("confirm-seconds").value = l.confirmSeconds;
  $("cooldown-minutes").value = l.cooldownMinutes; $("min-overlap").value = l.minOverlap;
  $("lane-message").textContent = "";
  drawPoints();
}

$("camera").addEventListener("change", e => selectCamera(e.target.value));
$("lane").addEventListener("change", e => selectLane(e.target.value));
$("clear-points").addEventListener("click", () => { state.points = []; drawPoints(); });

function refreshFrame() {
  if (!state.camera) return;
  const img = $("frame");
  img.src = `/api/cameras/${encodeURIComponent(state.camera)}/frame?t=${Date.now()}`;
}

// The canvas follows the image's displayed size; points are stored normalised so the size does not matter.
$("frame").addEventListener("load", () => {
  const img = $("frame"), canvas = $("draw");
  canvas.width = img.clientWidth; canvas.height = img.clientHeight;
  const cam = state.site.cameras.find(c => c.id === state.camera);
  $("frame-time").textContent = cam && cam.lastFrameAt ? "" : "(no frame yet)";
  drawPoints();
});

$("draw").addEventListener("click", e => {
  const canvas = $("draw"), rect = canvas.getBoundingClientRect();
  const x = (e.clientX - rect.left) / rect.width, y = (e.clientY - rect.top) / rect.height;
  state.points.push([Math.round(Math.min(1, Math.max(0, x)) * 10000) / 10000, Math.round(Math.min(1, Math.max(0, y)) * 10000) / 10000]);
  drawPoints();
});

function drawPoints() {
  const canvas = $("draw"), g = canvas.getContext("2d");
  g.clearRect(0, 0, canvas.width, canvas.height);
  $("point-count").textContent = state.points.length;
  if (!state.points.length) return;
  g.strokeStyle = "#00e5ff"; g.fillStyle = "rgba(0, 229, 255, .2)"; g.lineWidth = 2;
  g.beginPath();
  state.points.forEach(([x, y], i) => i ? g.lineTo(x * canvas.width, y * canvas.height) : g.moveTo(x * canvas.width, y * canvas.height));
  g.closePath(); g.fill(); g.stroke();
  g.fillStyle = "#00e5ff";
  for (const [x, y] of state.points) { g.beginPath(); g.arc(x * canvas.width, y * canvas.height, 5, 0, 2 * Math.PI); g.fill(); }
}

async function saveLane(method) {
  const id = $("lane").value || $("lane-id").value.trim();
  const message = $("lane-message");
  if (!id) { message.className = "error"; message.textContent = "Give the lane an id."; return; }
  const body = method === "DELETE" ? undefined : JSON.stringify({
    polygon: state.points,
    stopSeconds: Number($("stop-seconds").value), confirmSeconds: Number($("confirm-seconds").value),
    cooldownMinutes: Number($("cooldown-minutes").value), minOverlap: Number($("min-overlap").value),
  });
  const response = await api(`/api/cameras/${encodeURIComponent(state.camera)}/lanes/${encodeURIComponent(id)}`, { method, body });
  const result = await response.json().catch(() => ({}));
  if (!response.ok) { message.className = "error"; message.textContent = (result.errors || [response.statusText]).join("\n"); return; }
  camera().lanes = result.lanes;
  const keep = method === "DELETE" ? "" : id;
  selectCamera(state.camera); selectLane(keep);
  message.className = "ok"; message.textContent = method === "DELETE" ? `Lane ${id} deleted.` : `Lane ${id} saved and in use.`;
}

$("save-lane").addEventListener("click", () => saveLane("PUT"));
$("delete-lane").addEventListener("click", () => { if ($("lane").value && confirm(`Delete lane ${$("lane").value}?`)) saveLane("DELETE"); });

async function refresh() {
  try {
    const [cases, counters, risk, site] = await Promise.all(["/api/cases", "/api/counters", "/api/risk", "/api/site"].map(p => api(p).then(r => r.json())));
    for (const c of site.cameras) { const known = state.site.cameras.find(k => k.id === c.id); if (known) known.lastFrameAt = c.lastFrameAt; }
    const cam = camera(); $("frame-time").textContent = cam && cam.lastFrameAt ? "frame " + time(cam.lastFrameAt) : "(no frame yet)";
    renderCases(cases); renderCounters(counters); renderRisk(risk);
  } catch (e) { /* signed out or gateway restarting: the next tick tries again */ }
}

function renderCases(cases) {
  const body = $("cases"); body.innerHTML = "";
  for (const c of cases) {
    const row = body.insertRow();
    cell(row, time(c.confirmedAt)); cell(row, c.state); cell(row, c.plate || "(unread)"); cell(row, c.laneId);
    cell(row, c.source === "camera" ? "camera " + text(c.cameraId) : "PDA " + text(c.deviceId)); cell(row, c.noticeStatus);
    const ev = row.insertCell();
    for (const e of c.evidence) {
      const a = document.createElement("a"); a.href = "/api/evidence/" + e.sha256; a.target = "_blank"; a.title = `${e.kind} ${e.capturedAt}`;
      const img = document.createElement("img"); img.src = a.href; img.alt = e.kind; img.loading = "lazy";
      a.appendChild(img); ev.appendChild(a);
    }
    // The export is recorded in the audit log under the signed-in operator.
    const zip = document.createElement("a"); zip.href = `/api/cases/${c.id}/export`; zip.textContent = "export"; zip.title = "Case export (zip): evidence, audit entries, anchors";
    row.insertCell().appendChild(zip);
  }
  if (!cases.length) cell(body.insertRow(), "No cases yet.");
}

function renderCounters(counters) {
  const frames = $("frames"); frames.innerHTML = "";
  for (const [id, c] of Object.entries(counters.cameras)) {
    const row = frames.insertRow();
    [id, c.received, c.dropped, c.rejected, c.processed, c.failed].forEach(v => cell(row, v));
  }
  if (counters.unknownCameraFrames) { const row = frames.insertRow(); cell(row, "unknown cameras"); cell(row, counters.unknownCameraFrames); }
  const o = counters.outbox;
  $("outbox").textContent = `Outbox: ${o.pending} waiting, oldest ${Math.round(o.oldestPendingSeconds)} s; ${o.deadLettered} dead-lettered.`;
  const reports = $("reports"); reports.innerHTML = "";
  for (const [outcome, n] of Object.entries(counters.pdaReports)) { const row = reports.insertRow(); cell(row, outcome); cell(row, n); }
}

function renderRisk(risk) {
  $("risk-time").textContent = risk.ratedAt ? "rated " + time(risk.ratedAt) : "";
  const body = $("risk"); body.innerHTML = "";
  for (const r of risk.lanes) {
    const row = body.insertRow();
    cell(row, r.laneId); cell(row, r.cameraId); cell(row, r.cases);
    const level = cell(row, r.level); level.className = "risk-" + r.level;
  }
}

async function refreshAudit() {
  try {
    const audit = await (await api("/api/audit")).json();
    const el = $("audit");
    el.className = audit.ok ? "ok" : "error";
    el.textContent = audit.ok ? `audit chain intact (${audit.entries} entries)` : `AUDIT FAILURE: ${audit.failure}`;
  } catch (e) { /* see refresh */ }
}

// Already signed in (cookie)? Otherwise show the sign-in form.
api("/api/site").then(r => r.ok ? start() : showLogin()).catch(showLogin);
