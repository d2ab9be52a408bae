// IndexedDB: reports (with their photos) and the last known tasks survive closing the browser, offline or not.
const NAME = 'onething-officer';
const VERSION = 1;

let opening;

function open() {
  opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(NAME, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      const reports = db.createObjectStore('reports', { keyPath: 'reportId' });
      reports.createIndex('createdAt', 'createdAt');
      db.createObjectStore('tasks', { keyPath: 'taskId' });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return opening;
}

/** Runs fn(store) in one transaction and resolves when it has committed (so a report is on disk before it is sent). */
async function run(storeName, mode, fn) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(storeName, mode, { durability: 'strict' });
    let result;
    const request = fn(transaction.objectStore(storeName));
    if (request) request.onsuccess = () => { result = request.result; };
    transaction.oncomplete = () => resolve(result);
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
}

export const putReport = (record) => run('reports', 'readwrite', (s) => s.put(record));
export const getReport = (reportId) => run('reports', 'readonly', (s) => s.get(reportId));
export const allReports = async () => (await run('reports', 'readonly', (s) => s.getAll())).sort((a, b) => b.createdAt.localeCompare(a.createdAt));

/** Changes a stored report in one read-write transaction; change(record) returns false to leave it as it is. */
export function updateReport(reportId, change) {
  return run('reports', 'readwrite', (s) => {
    const request = s.get(reportId);
    request.onsuccess = () => {
      const record = request.result;
      if (record && change(record) !== false) {
        record.updatedAt = new Date().toISOString();
        s.put(record);
      }
    };
    return null;
  });
}

export const putTask = (task) => run('tasks', 'readwrite', (s) => s.put(task));
export const allTasks = () => run('tasks', 'readonly', (s) => s.getAll());
export const deleteTask = (taskId) => run('tasks', 'readwrite', (s) => s.delete(taskId));

/** Replaces the stored tasks by the gateway's list, keeping when each was first seen. */
export async function replaceTasks(tasks) {
  const known = new Map((await allTasks()).map((task) => [task.taskId, task]));
  await run('tasks', 'readwrite', (s) => {
    s.clear();
    for (const task of tasks) s.put({ ...task, receivedAt: known.get(task.taskId)?.receivedAt ?? new Date().toISOString() });
    return null;
  });
}

/** Logging out forgets the tasks and finished reports; reports still unsent stay and go when that device logs in again. */
export async function forgetFinished() {
  await run('tasks', 'readwrite', (s) => s.clear());
  for (const record of await allReports()) {
    if (record.state !== 'waiting' && record.state !== 'sent') await run('reports', 'readwrite', (s) => s.delete(record.reportId));
  }
}
