// The report form: a new report, the answer to a task ("ticketed"), or the correction of a rejected report.
import { t } from './i18n.js';
import { preparePhoto, photoUrl } from './photo.js';
import { taskMeta, laneName, showEvidence } from './lists.js';
import * as db from './db.js';

const $ = (id) => document.getElementById(id);
// A plate stays readable at this size and a report stays small on a weak network; the gateway's limit may be lower.
const MAX_SIDE = 1600;

/** A v4 UUID; crypto.randomUUID exists only in secure contexts (HTTPS, localhost). */
function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export class ReportForm {
  constructor(app, { submitted, back }) {
    this.app = app;
    this.submitted = submitted;
    $('report-photo').addEventListener('change', () => this.photoTaken());
    $('report-form').addEventListener('submit', (event) => { event.preventDefault(); this.submit(); });
    $('report-back').addEventListener('click', back);
    this.openNew();
  }

  setLanes(lanes) {
    const select = $('report-lane');
    const chosen = select.value;
    select.replaceChildren(new Option(t('chooseLane'), ''), ...lanes.map((lane) => new Option(laneName(lane), lane.laneId)));
    select.value = chosen;
  }

  reset(mode) {
    this.mode = mode;
    this.task = null;
    this.correcting = null;
    this.photos = [];
    this.observedAt = null;
    $('report-form').reset();
    $('report-preview').hidden = true;
    $('plate-status').textContent = '';
    $('report-message').textContent = '';
    $('report-photo-label').textContent = t('takePhoto');
    $('report-task').hidden = mode !== 'task';
    $('report-correcting').hidden = mode !== 'correct';
    $('report-lane-field').hidden = mode === 'task';
    $('report-submit').textContent = t(mode === 'task' ? 'ticketed' : 'submit');
  }

  openNew() { this.reset('new'); }

  openTask(task) {
    this.reset('task');
    this.task = task;
    $('report-task-title').textContent = task.plate || '—';
    $('report-task-meta').textContent = taskMeta(task, this.app.lanes);
    $('report-plate').value = task.plate || '';
    $('plate-status').textContent = t('answerTask');
    showEvidence($('report-task-evidence'), task, this.app.api);
  }

  /** A rejected report, its fields and photos filled in; it goes again under a new reportId. */
  openCorrection(record) {
    const report = record.report;
    this.reset('correct');
    this.correcting = record;
    this.photos = report.photos;
    this.observedAt = report.observedAt;
    $('report-plate').value = report.plate;
    $('report-lane').value = report.laneId ?? '';
    $('report-note').value = report.note ?? '';
    this.preview(photoUrl(report.photos[0]));
  }

  preview(url) {
    const img = $('report-preview');
    if (img.src) URL.revokeObjectURL(img.src);
    img.src = url;
    img.hidden = false;
    $('report-photo-label').textContent = t('retakePhoto');
  }

  async photoTaken() {
    const file = $('report-photo').files[0];
    if (!file) return;
    this.observedAt = new Date().toISOString();
    const photo = await preparePhoto(file, Math.min(this.app.config.maxPhotoSide || MAX_SIDE, MAX_SIDE));
    this.photos = [{ contentType: 'image/jpeg', data: photo.base64 }];
    this.preview(URL.createObjectURL(photo.blob));
    if (this.mode === 'task') return; // the task names the car
    $('plate-status').textContent = t('readingPlate');
    const typed = $('report-plate').value;
    try {
      const reading = await this.app.api.plateReading(photo.blob);
      // What the officer typed while the gateway was reading wins.
      if (reading.plate && $('report-plate').value === typed) $('report-plate').value = reading.plate;
      $('plate-status').textContent = t(reading.plate ? 'plateRead' : 'plateNotRead');
    } catch {
      $('plate-status').textContent = t('plateReadFailed');
    }
  }

  async submit() {
    const plate = $('report-plate').value.trim().toUpperCase();
    const laneId = this.mode === 'task' ? this.task.laneId : $('report-lane').value;
    const missing = this.photos.length === 0 ? 'needPhoto' : !plate ? 'needPlate' : !laneId ? 'needLane' : null;
    if (missing) {
      $('report-message').textContent = t(missing);
      return;
    }
    const note = $('report-note').value.trim();
    const taskId = this.task?.taskId ?? this.correcting?.report.taskId;
    const report = {
      reportId: uuid(),
      officerId: this.app.login.username,
      plate,
      laneId,
      observedAt: this.observedAt,
      photos: this.photos,
      ...(taskId ? { taskId } : {}),
      ...(note ? { note } : {}),
    };
    await this.app.link.submit(report);
    if (this.correcting) {
      await db.updateReport(this.correcting.reportId, (r) => { r.state = 'replaced'; r.replacedBy = report.reportId; return true; });
    }
    this.openNew();
    await this.submitted();
  }
}
