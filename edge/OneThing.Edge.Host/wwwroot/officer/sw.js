// The officer app's service worker: the app's files are precached so it opens without network. Versioned cache;
// older versions are deleted on activate. API calls, config.json and the MQTT WebSocket always go to the network.
const VERSION = 'officer-v1';
const ASSETS = [
  '/officer/',
  '/officer/index.html',
  '/officer/app.css',
  '/officer/manifest.webmanifest',
  '/officer/icons/icon-192.png',
  '/officer/icons/icon-512.png',
  '/officer/js/app.js',
  '/officer/js/api.js',
  '/officer/js/db.js',
  '/officer/js/i18n.js',
  '/officer/js/link.js',
  '/officer/js/lists.js',
  '/officer/js/photo.js',
  '/officer/js/report.js',
  '/officer/vendor/mqtt.esm.js',
];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(VERSION).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((name) => name.startsWith('officer-') && name !== VERSION).map((name) => caches.delete(name))))
    .then(() => self.clients.claim()));
});

// Network first for the app's files, so an updated gateway serves its new app at once; the cache when offline.
self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin || !ASSETS.includes(url.pathname)) return;
  event.respondWith(fetch(event.request)
    .then((response) => {
      if (response.ok) {
        const copy = response.clone();
        caches.open(VERSION).then((cache) => cache.put(event.request, copy));
      }
      return response;
    })
    .catch(() => caches.match(event.request, { ignoreSearch: true }).then((cached) => cached ?? caches.match('/officer/'))));
});
