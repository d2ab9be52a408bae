// The task list and the outbox, rendered from IndexedDB.
import { t, rejection } from './i18n.js';

const minutesSince = (iso) => Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 60_000));

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export const laneName = (lane) => (lane.name && lane.name !== lane.laneId ? `${lane.name} (${lane.laneId})` : lane.laneId);

function laneOf(laneId, lanes) {
  const lane = lanes.find((l) => l.laneId === laneId);
  return lane ? laneName(lane) : laneId;
}

/** Lane, place, time since the notice (when the task was sent; else when it arrived) and time left. */
export function taskMeta(task, lanes) {
  const place = [task.location?.site, task.location?.cameraId].filter(Boolean).join(' · ');
  const since = task.notifiedAt ?? task.sentAt ?? task.receivedAt;
  const due = Math.round((Date.parse(task.dueBy) - Date.now()) / 60_000);
  return [`${t('lane')}: ${laneOf(task.laneId, lanes)}`, `${t('place')}: ${place}`,
    since ? t('sinceNotice', minutesSince(since)) : null, task.dueBy ? t('dueIn', due) : null, task.reason]
    .filter(Boolean).join(' · ');
}

const thumbnails = new Map(); // `${taskId}/${index}` -> blob: URL, kept for the page's life

/** The task's evidence as thumbnails, fetched once with the device's login and shown as blob: URLs. */
export async function showEvidence(container, task, api) {
  container.replaceChildren();
  const evidence = task.evidence ?? [];
  for (let index = 0; index < evidence.length; index++) {
    const img = element('img');
    img.alt = evidence[index].kind ?? '';
    container.append(img);
    const key = `${task.taskId}/${index}`;
    try {
      if (!thumbnails.has(key)) thumbnails.set(key, await api.evidence(task.taskId, index));
      img.src = thumbnails.get(key);
    } catch {
      img.remove(); // offline or gone: the task stays usable without it
    }
  }
}

export function renderTasks(list, tasks, app, open) {
  list.replaceChildren(...tasks.sort((a, b) => (a.dueBy ?? '').localeCompare(b.dueBy ?? '')).map((task) => {
    const item = element('li', 'task');
    item.dataset.taskId = task.taskId;
    item.append(element('p', 'title', task.plate || '—'), element('p', 'meta', taskMeta(task, app.lanes)));
    const thumbs = element('div', 'thumbs');
    item.append(thumbs);
    showEvidence(thumbs, task, app.api);
    item.addEventListener('click', () => open(task));
    return item;
  }));
}

const STATE_KEYS = { waiting: 'stateWaiting', sent: 'stateSent', accepted: 'stateAccepted', duplicate: 'stateDuplicate', rejected: 'stateRejected', replaced: 'stateReplaced' };

export function renderOutbox(list, records, app, { resend, correct }) {
  list.replaceChildren(...records.map((record) => {
    const report = record.report;
    const item = element('li');
    item.dataset.reportId = record.reportId;
    item.dataset.state = record.state;
    const title = element('p', 'title', `${report.plate} `);
    title.append(element('span', `state state-${record.state}`, t(STATE_KEYS[record.state] ?? record.state)));
    item.append(title);
    const when = new Date(record.createdAt).toLocaleString();
    const kind = report.taskId ? ` · ${t('taskAnswer')}` : '';
    item.append(element('p', 'meta', `${laneOf(report.laneId, app.lanes)} · ${when}${kind}`));
    if (report.note) item.append(element('p', 'meta', report.note));
    if (record.state === 'rejected') {
      item.append(element('p', 'error reason', rejection(record.code, record.reason)));
      const actions = element('div', 'actions');
      const again = element('button', 'resend', t('resend'));
      again.type = 'button';
      again.addEventListener('click', () => resend(record));
      const fix = element('button', 'correct', t('correct'));
      fix.type = 'button';
      fix.addEventListener('click', () => correct(record));
      actions.append(again, fix);
      item.append(actions);
    }
    return item;
  }));
}
