// The app pm2 keeps running: a greeting over loopback, and a line on
// stdout, which pm2 writes to the app's log under its home.
const http = require('http');

http.createServer((req, res) => res.end('hello from pm2'))
  .listen(8081, '127.0.0.1', () => console.log('app: listening on 8081'));
