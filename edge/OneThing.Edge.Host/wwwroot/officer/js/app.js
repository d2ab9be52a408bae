// The officer app: login, then tasks, new report and outbox over one MQTT link. Works offline once installed.
import { t, translate } from './i18n.js';
import { loadConfig, DeviceApi, HttpError } from './api.js';
import { Link } from './link.js';
import * as db from './db.js';
import { ReportForm } from './report.js';
import { renderTasks, renderOutbox } from './lists.js';

const LOGIN_KEY = 'officer.login';
const LANES_KEY = 'officer.lanes';
const $ = (id) => document.getElementById(id);

const app = { config: null, login: null, api: null, link: null, lanes: [], form: null };

function show(screen) {
  for (const section of document.querySelectorAll('.screen')) section.hidden = section.id !== `screen-${screen}`;
  for (const tab of document.querySelectorAll('#tabs button')) {
    if (tab.dataset.screen === screen) tab.setAttribute('aria-current', 'page');
    else tab.removeAttribute('aria-current');
  }
  for (const id of ['tabs', 'logout', 'connection']) $(id).hidden = screen === 'login';
}

function showConnection() {
  const state = app.link?.state ?? 'offline';
  $('connection').dataset.state = state;
  $('connection').textContent = t(state);
}

async function refreshTasks() {
  const tasks = await db.allTasks();
  renderTasks($('task-list'), tasks, app, (task) => { app.form.openTask(task); show('report'); });
  $('tasks-empty').hidden = tasks.length > 0;
  $('task-count').hidden = tasks.length === 0;
  $('task-count').textContent = String(tasks.length);
}

async function refreshOutbox() {
  const records = (await db.allReports()).filter((r) => r.device === app.link.device);
  renderOutbox($('outbox-list'), records, app, {
    resend: async (record) => {
      await db.updateReport(record.reportId, (r) => { r.state = 'waiting'; r.code = null; r.reason = null; return true; });
      await refreshOutbox();
      await app.link.flush();
    },
    correct: (record) => { app.form.openCorrection(record); show('report'); },
  });
  $('outbox-empty').hidden = records.length > 0;
  const open = records.filter((r) => r.state === 'waiting' || r.state === 'sent').length;
  $('outbox-count').hidden = open === 0;
  $('outbox-count').textContent = String(open);
}

/** Lanes and open tasks from the gateway; the last known ones when it cannot be reached. */
async function loadFromGateway() {
  try {
    app.lanes = await app.api.lanes();
    localStorage.setItem(LANES_KEY, JSON.stringify(app.lanes));
  } catch {
    app.lanes = JSON.parse(localStorage.getItem(LANES_KEY) || '[]');
  }
  app.form.setLanes(app.lanes);
  try {
    await db.replaceTasks(await app.api.tasks());
  } catch { /* offline: the stored tasks stay */ }
  await refreshTasks();
}

async function enter(login) {
  app.login = login;
  app.api = new DeviceApi(login);
  app.link = new Link(app.config, login);
  app.link.addEventListener('state', () => { showConnection(); if (app.link.state === 'online') loadFromGateway(); });
  app.link.addEventListener('outbox', refreshOutbox);
  app.link.addEventListener('tasks', refreshTasks);
  // The password was changed or the device removed: log in again; unsent reports stay for this device.
  app.link.addEventListener('unauthorized', () => {
    localStorage.removeItem(LOGIN_KEY);
    $('login-username').value = login.username;
    $('login-message').textContent = t('loginWrong');
    show('login');
  });
  app.form = new ReportForm(app, {
    submitted: async () => { await refreshOutbox(); show('outbox'); },
    back: () => show('tasks'),
  });
  showConnection();
  show('tasks');
  app.link.start();
  await refreshOutbox();
  await loadFromGateway();
}

async function logIn(event) {
  event.preventDefault();
  const login = { username: $('login-username').value.trim(), password: $('login-password').value };
  $('login-message').textContent = '';
  $('login-button').disabled = true;
  try {
    // The login is checked and names its device: a PDA's topics carry its device id, not its username.
    login.deviceId = (await new DeviceApi(login).device()).deviceId;
    localStorage.setItem(LOGIN_KEY, JSON.stringify(login));
    $('login-password').value = '';
    // Logged in again after a refused login: a fresh page, so no screen is wired twice.
    if (app.form) location.reload();
    else await enter(login);
  } catch (error) {
    const status = error instanceof HttpError ? error.status : 0;
    $('login-message').textContent = t(status === 401 ? 'loginWrong' : status === 403 ? 'loginNotPda' : 'loginOffline');
  } finally {
    $('login-button').disabled = false;
  }
}

async function logOut() {
  app.link?.stop();
  app.link = null;
  await db.forgetFinished();
  localStorage.removeItem(LOGIN_KEY);
  location.reload();
}

async function main() {
  translate();
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/officer/sw.js', { scope: '/officer/' }).catch(() => { /* http off localhost: no offline start */ });
  }
  app.config = await loadConfig();
  $('login-form').addEventListener('submit', logIn);
  $('logout').addEventListener('click', logOut);
  for (const tab of document.querySelectorAll('#tabs button')) {
    tab.addEventListener('click', () => {
      if (tab.dataset.screen === 'report') app.form.openNew();
      show(tab.dataset.screen);
    });
  }
  setInterval(() => { if (app.link) refreshTasks(); }, 30_000);
  const saved = localStorage.getItem(LOGIN_KEY);
  if (saved) await enter(JSON.parse(saved));
  else show('login');
  document.body.dataset.ready = 'true';
}

main();
