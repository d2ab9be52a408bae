// The PDA's MQTT 5 link to the gateway over WebSocket: the same topics and contracts as any PDA. Reports go out
// from IndexedDB (stored before the first send) and are sent again, with the same reportId, until a receipt arrives.
import mqtt from '../vendor/mqtt.esm.js';
import * as db from './db.js';
import { brokerUrl } from './api.js';

const FINAL = new Set(['accepted', 'duplicate', 'rejected', 'replaced']);
const RETRY_MS = 30_000;
// CONNACK reason codes of a login the broker refuses: retrying with it only costs password checks.
const BAD_LOGIN = new Set([134, 135]);

export const isFinal = (state) => FINAL.has(state);

/** A stable client id per installation and device, so the broker keeps the session (tasks, receipts) while away. */
function clientIdFor(device) {
  const key = `officer.clientId.${device}`;
  let id = localStorage.getItem(key);
  if (!id) {
    id = `${device}-web-${crypto.randomUUID().slice(0, 8)}`;
    localStorage.setItem(key, id);
  }
  return id;
}

export class Link extends EventTarget {
  constructor(config, login) {
    super();
    this.device = login.deviceId || login.username;
    const base = `${config.topicPrefix}/${config.siteId}/pda/${this.device}`;
    this.topics = { reports: `${base}/reports`, receipts: `${base}/receipts`, tasks: `${base}/tasks` };
    this.url = brokerUrl(config);
    this.login = login;
    this.inFlight = new Set();
    this.state = 'connecting';
  }

  start() {
    this.client = mqtt.connect(this.url, {
      protocolVersion: 5,
      clientId: clientIdFor(this.device),
      username: this.login.username,
      password: this.login.password,
      clean: false,
      properties: { sessionExpiryInterval: 7 * 24 * 3600 },
      reconnectPeriod: 3000,
      connectTimeout: 10_000,
      keepalive: 30,
      queueQoSZero: false,
    });
    this.client.on('connect', () => this.connected());
    this.client.on('close', () => this.setState('offline'));
    this.client.on('error', (error) => {
      if (!BAD_LOGIN.has(error.code)) return;
      this.stop();
      this.setState('offline');
      this.dispatchEvent(new Event('unauthorized'));
    });
    this.client.on('message', (topic, payload) => this.received(topic, payload));
    this.onOnline = () => { if (!this.client.connected) this.client.reconnect(); };
    window.addEventListener('online', this.onOnline);
    this.timer = setInterval(() => this.flush(), RETRY_MS);
  }

  stop() {
    clearInterval(this.timer);
    window.removeEventListener('online', this.onOnline);
    this.client?.end(true);
  }

  setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.dispatchEvent(new Event('state'));
  }

  async connected() {
    this.setState('online');
    this.client.subscribe([this.topics.receipts, this.topics.tasks], { qos: 1 });
    await this.flush();
  }

  /** Stores a new report (with its photos) and then sends it: nothing is lost when the browser closes before it goes. */
  async submit(report) {
    const now = new Date().toISOString();
    await db.putReport({ reportId: report.reportId, device: this.device, report, state: 'waiting', createdAt: now, updatedAt: now });
    this.changed();
    await this.flush();
  }

  /** Sends every report of this device that has no receipt yet: those never sent and those whose receipt is missing. */
  async flush() {
    if (!this.client?.connected) return;
    for (const record of await db.allReports()) {
      if (record.device !== this.device || isFinal(record.state) || this.inFlight.has(record.reportId)) continue;
      this.send(record);
    }
  }

  send(record) {
    this.inFlight.add(record.reportId);
    this.client.publish(this.topics.reports, JSON.stringify(record.report), { qos: 1 }, async (error) => {
      this.inFlight.delete(record.reportId);
      // An error PUBACK (not stored: disk full...) leaves the report waiting; it goes again on the next round.
      if (!error) {
        await db.updateReport(record.reportId, (r) => {
          if (r.state !== 'waiting') return false;
          r.state = 'sent';
          return true;
        });
        this.changed();
      }
    });
  }

  async received(topic, payload) {
    let message;
    try { message = JSON.parse(new TextDecoder().decode(payload)); } catch { return; }
    if (topic === this.topics.receipts) await this.receipt(message);
    else if (topic === this.topics.tasks) await this.task(message);
  }

  async receipt(receipt) {
    let answered = null;
    await db.updateReport(receipt.reportId, (r) => {
      // A resend of an accepted report is answered `duplicate`: the report stays accepted.
      if (r.state === 'accepted' || r.state === 'replaced') return false;
      r.state = receipt.status;
      r.code = receipt.code ?? null;
      r.reason = receipt.reason ?? null;
      r.violationId = receipt.violationId ?? null;
      if (receipt.status !== 'rejected') answered = r.report.taskId ?? null;
      return true;
    });
    if (answered) {
      await db.deleteTask(answered);
      this.dispatchEvent(new Event('tasks'));
    }
    this.changed();
  }

  async task(task) {
    if (!task.taskId) return;
    const known = (await db.allTasks()).find((t) => t.taskId === task.taskId);
    await db.putTask({ ...task, receivedAt: known?.receivedAt ?? new Date().toISOString() });
    this.dispatchEvent(new Event('tasks'));
  }

  changed() { this.dispatchEvent(new Event('outbox')); }
}
