// Ask verdaccio (127.0.0.1:4873) what `npm adduser` and `npm whoami` ask:
// wait until it answers /-/ping, add a user (written to its htpasswd), and
// ask who its token is.
// Publishing is left out: verdaccio's default configuration refuses it
// while its npmjs uplink is down, as it is with no network.  Exits 0 only
// when all of it worked.
'use strict';
const http = require('http');

function request(method, path, body, token) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers = {};
    if (data) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = data.length;
    }
    if (token) headers.authorization = 'Bearer ' + token;
    const req = http.request({ host: '127.0.0.1', port: 4873, method, path, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

async function waitUp() {
  for (let i = 0; i < 150; i++) {
    try {
      const r = await request('GET', '/-/ping');
      if (r.status === 200) return;
    } catch (e) {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('verdaccio never answered /-/ping');
}

async function main() {
  await waitUp();
  const user = await request('PUT', '/-/user/org.couchdb.user:alice',
    { name: 'alice', password: 'secret-pass-1' });
  if (user.status !== 201) throw new Error('adduser: ' + user.status + ' ' + user.body);
  const token = JSON.parse(user.body).token;
  const who = await request('GET', '/-/whoami', undefined, token);
  if (who.status !== 200 || JSON.parse(who.body).username !== 'alice')
    throw new Error('whoami: ' + who.status + ' ' + who.body);
}

main().catch((e) => { console.error('check: ' + e.message); process.exit(1); });
