// An express server: it appends every request to its access log in
// /var/log/node-app and keeps the last greeting in a cache file under
// /var/cache/node-app; served on 127.0.0.1:8080.
'use strict';
const fs = require('fs');
const path = require('path');
const express = require('express');

const LOG = '/var/log/node-app/access.log';
const CACHE = '/var/cache/node-app';

const app = express();
app.use((req, res, next) => {
  fs.appendFileSync(LOG, `${new Date().toISOString()} ${req.method} ${req.url}\n`);
  next();
});
app.get('/hello', (req, res) => {
  fs.mkdirSync(CACHE, { recursive: true });
  const tmp = path.join(CACHE, 'greeting.json.tmp');
  fs.writeFileSync(tmp, JSON.stringify({ at: Date.now() }));
  fs.renameSync(tmp, path.join(CACHE, 'greeting.json'));
  res.type('text/plain').send('hello from express\n');
});
const server = app.listen(8080, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
