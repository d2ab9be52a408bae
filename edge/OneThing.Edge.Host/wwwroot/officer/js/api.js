// The gateway's HTTP side: the app's configuration and the device API, authenticated as the device (HTTP Basic).
export class HttpError extends Error {
  constructor(status, body) {
    super(`HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

const CONFIG_KEY = 'officer.config';

/** The gateway's config.json; the last one seen when offline, so the app opens without network. */
export async function loadConfig() {
  try {
    const response = await fetch('/officer/config.json', { cache: 'no-store' });
    if (!response.ok) throw new HttpError(response.status);
    const config = await response.json();
    localStorage.setItem(CONFIG_KEY, JSON.stringify(config));
    return config;
  } catch (error) {
    const saved = localStorage.getItem(CONFIG_KEY);
    if (saved) return JSON.parse(saved);
    return { brokerUrl: null, siteId: null, topicPrefix: 'onething', maxPhotoSide: 1600 };
  }
}

export function brokerUrl(config) {
  if (config.brokerUrl) return config.brokerUrl;
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/mqtt`;
}

export class DeviceApi {
  constructor(login) {
    // btoa needs Latin-1: encode the UTF-8 bytes first, as browsers do for Basic auth.
    const bytes = new TextEncoder().encode(`${login.username}:${login.password}`);
    this.authorization = `Basic ${btoa(String.fromCharCode(...bytes))}`;
  }

  async request(path, options = {}) {
    const response = await fetch(path, { cache: 'no-store', ...options, headers: { ...options.headers, Authorization: this.authorization } });
    if (!response.ok) {
      let body = null;
      try { body = await response.json(); } catch { /* no JSON body */ }
      throw new HttpError(response.status, body);
    }
    return response;
  }

  async json(path, options) {
    return (await this.request(path, options)).json();
  }

  /** {deviceId}: the PDA this login belongs to, whose topics the app uses. */
  device() { return this.json('/api/v1/officer/device'); }

  lanes() { return this.json('/api/v1/officer/lanes'); }

  tasks() { return this.json('/api/v1/officer/tasks'); }

  /** {plate, confidence, color} read from a photo (JPEG bytes). */
  plateReading(blob) {
    return this.json('/api/v1/officer/plate-reading', { method: 'POST', body: blob, headers: { 'Content-Type': blob.type || 'image/jpeg' } });
  }

  /** An evidence thumbnail as a blob: URL (an <img> cannot send the Authorization header itself). */
  async evidence(taskId, index) {
    // The gateway marks it immutable: the browser keeps it instead of fetching (and auditing) it again.
    const response = await this.request(`/api/v1/officer/tasks/${encodeURIComponent(taskId)}/evidence/${index}`, { cache: 'default' });
    return URL.createObjectURL(await response.blob());
  }
}
