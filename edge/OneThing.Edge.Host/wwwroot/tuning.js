// Tuning screen: label cases, add missed violations, run a what-if on a lane's footage and apply it (/api/v1).
"use strict";
const $ = id => document.getElementById(id);
const tuning = { site: null, job: null, poll: null };
const reasons = ["not-in-lane", "short-stop", "wrong-plate", "other"];

async function api(path, options = {}) {
  const response = await fetch(path, { credentials: "same-origin", headers: { "Content-Type": "application/json" }, ...options });
  if (response.status === 401) { $("signed-out").hidden = false; $("tuning").hidden = true; throw new Error("login required"); }
  return response;
}
function text(value) { return value === null || value === undefined ? "" : String(value); }
function cell(row, value) { const td = row.insertCell(); td.textContent = text(value); return td; }
function time(iso) { return iso ? new Date(iso).toLocaleString() : ""; }
function share(value) { return value === null || value === undefined ? "–" : value.toFixed(2); }
function localInput(date) { const d = new Date(date.getTime() - date.getTimezoneOffset() * 60000); return d.toISOString().slice(0, 19); }
function iso(local) { return local ? new Date(local).toISOString() : null; }
function lanes() { return tuning.site.cameras.flatMap(c => c.lanes.map(l => ({ camera: c.id, lane: l }))); }
async function errorOf(response) { try { return (await response.json()).errors.join("; "); } catch { return response.statusText; } }

async function start() {
  tuning.site = await (await api("/api/site")).json();
  $("tuning").hidden = false; $("site").textContent = tuning.site.siteId;
  for (const select of [$("missed-lane"), $("wi-lane")]) {
    select.innerHTML = "";
    for (const { camera, lane } of lanes()) select.add(new Option(`${lane.id} (${camera})`, lane.id));
  }
  const now = new Date();
  $("missed-end").value = localInput(now); $("missed-start").value = localInput(new Date(now - 600000));
  $("wi-to").value = localInput(now); $("wi-from").value = localInput(new Date(now - 86400000));
  selectLane();
  await refreshLabels();
}

function selectLane() {
  const found = lanes().find(x => x.lane.id === $("wi-lane").value);
  if (!found) return;
  $("wi-stop").value = found.lane.stopSeconds; $("wi-confirm").value = found.lane.confirmSeconds; $("wi-overlap").value = found.lane.minOverlap;
}
$("wi-lane").addEventListener("change", selectLane);

async function refreshLabels() {
  const [cases, labels] = await Promise.all([api("/api/cases?limit=200").then(r => r.json()), api("/api/v1/labels").then(r => r.json())]);
  const byCase = new Map(labels.labels.map(l => [l.violationId, l]));
  const body = $("label-cases"); body.innerHTML = "";
  for (const c of cases.filter(c => c.source === "camera")) {
    const row = body.insertRow(); row.dataset.caseId = c.id;
    cell(row, time(c.confirmedAt)); cell(row, time(c.firstSeenAt)); cell(row, c.plate || "(unread)"); cell(row, c.laneId);
    const label = byCase.get(c.id); cell(row, label ? (label.reason ? `${label.verdict}: ${label.reason}` : label.verdict) : "");
    const mark = row.insertCell();
    const correct = document.createElement("button"); correct.textContent = "Correct"; correct.className = "label-correct";
    correct.addEventListener("click", () => label_(c.id, "correct", null));
    const reason = document.createElement("select"); reason.className = "label-reason";
    for (const r of reasons) reason.add(new Option(r, r));
    const falseAlarm = document.createElement("button"); falseAlarm.textContent = "False alarm"; falseAlarm.className = "label-false";
    falseAlarm.addEventListener("click", () => label_(c.id, "false-alarm", reason.value));
    mark.append(correct, " ", reason, " ", falseAlarm);
  }
  if (!body.rows.length) cell(body.insertRow(), "No camera cases yet.");
  const list = $("missed-list"); list.innerHTML = "";
  for (const m of labels.missed) {
    const li = document.createElement("li");
    li.textContent = `missed on ${m.laneId} (${m.cameraId}) ${time(m.startedAt)} – ${time(m.endedAt)} ${text(m.note)} by ${m.operator}`;
    list.appendChild(li);
  }
}

async function label_(caseId, verdict, reason) {
  const response = await api(`/api/v1/cases/${caseId}/label`, { method: "PUT", body: JSON.stringify({ verdict, reason }) });
  $("label-message").textContent = response.ok ? `labelled ${verdict}${reason ? ": " + reason : ""}` : await errorOf(response);
  await refreshLabels();
}

$("missed-form").addEventListener("submit", async e => {
  e.preventDefault();
  const found = lanes().find(x => x.lane.id === $("missed-lane").value);
  const response = await api("/api/v1/missed-violations", { method: "POST", body: JSON.stringify({
    cameraId: found.camera, laneId: found.lane.id, startedAt: iso($("missed-start").value), endedAt: iso($("missed-end").value), note: $("missed-note").value || null }) });
  $("label-message").textContent = response.ok ? "missed violation added" : await errorOf(response);
  await refreshLabels();
});

$("wi-run").addEventListener("click", async () => {
  const polygon = $("wi-polygon").value.trim();
  const body = { stopSeconds: Number($("wi-stop").value), confirmSeconds: Number($("wi-confirm").value), minOverlap: Number($("wi-overlap").value),
    polygon: polygon ? JSON.parse(polygon) : null, from: iso($("wi-from").value), to: iso($("wi-to").value) };
  const response = await api(`/api/v1/lanes/${encodeURIComponent($("wi-lane").value)}/what-if`, { method: "POST", body: JSON.stringify(body) });
  if (!response.ok) { $("wi-state").textContent = await errorOf(response); return; }
  tuning.job = (await response.json()).jobId;
  $("wi-cancel").disabled = false; $("wi-apply").disabled = true; $("wi-score-rows").innerHTML = ""; $("wi-cases").innerHTML = "";
  clearInterval(tuning.poll); tuning.poll = setInterval(pollJob, 500); pollJob();
});

$("wi-cancel").addEventListener("click", () => api(`/api/v1/what-if/${tuning.job}`, { method: "DELETE" }));

$("wi-apply").addEventListener("click", async () => {
  const response = await api(`/api/v1/what-if/${tuning.job}/apply`, { method: "POST" });
  $("wi-state").textContent = response.ok ? "applied: the lane uses the candidate settings now" : await errorOf(response);
  $("wi-apply").disabled = response.ok;
  if (response.ok) tuning.site = await (await api("/api/site")).json();
});

async function pollJob() {
  const job = await (await api(`/api/v1/what-if/${tuning.job}`)).json();
  $("wi-progress").value = job.progress;
  $("wi-state").textContent = `${job.state} (${job.framesDone}/${job.framesTotal} frames)${job.error ? ": " + job.error : ""}`;
  if (job.state === "queued" || job.state === "running") return;
  clearInterval(tuning.poll); $("wi-cancel").disabled = true;
  if (job.state === "done") { renderResult(job.result); $("wi-apply").disabled = job.applied; }
}

function renderResult(result) {
  const scores = $("wi-score-rows"); scores.innerHTML = "";
  for (const [name, settings, score] of [["live", result.live, result.liveScore], ["candidate", result.candidate, result.candidateScore]]) {
    const row = scores.insertRow(); row.id = "wi-score-" + name;
    cell(row, name); cell(row, settings.stopSeconds); cell(row, settings.confirmSeconds); cell(row, settings.minOverlap);
    cell(row, score.cases); cell(row, share(score.precision)); cell(row, share(score.recall));
    cell(row, score.medianSecondsToConfirm === null ? "–" : score.medianSecondsToConfirm.toFixed(0) + " s");
  }
  const body = $("wi-cases"); body.innerHTML = "";
  for (const c of result.cases) {
    const row = body.insertRow(); row.className = "change-" + c.change;
    cell(row, c.change); cell(row, time(c.firstSeenAt)); cell(row, c.plate || "(unread)"); cell(row, time(c.liveConfirmedAt)); cell(row, time(c.candidateConfirmedAt)); cell(row, c.label);
  }
  if (!result.cases.length) cell(body.insertRow(), `No cases on ${result.laneId} in ${result.frames} frames either way.`);
}

start().catch(e => { if (e.message !== "login required") { $("label-message").textContent = "The page could not load: " + e.message; console.error(e); } });
