// Ask Node-RED (127.0.0.1:1880) what its editor asks when a flow is
// deployed: wait until it answers /settings, deploy a flow (written to
// flows.json in its user directory), and read the flows back.  Exits 0
// only when the flow it returns is the one deployed.
'use strict';
const http = require('http');

function request(method, path, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers = { 'Node-RED-Deployment-Type': 'full' };
    if (data) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = data.length;
    }
    const req = http.request({ host: '127.0.0.1', port: 1880, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

async function ready() {
  for (let i = 0; i < 300; i++) {
    try {
      const r = await request('GET', '/settings');
      if (r.status === 200) return;
    } catch (e) { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('Node-RED did not answer /settings');
}

async function main() {
  await ready();
  const flow = [
    { id: 'a1b2c3d4', type: 'tab', label: 'unroot' },
    { id: 'e5f6a7b8', type: 'inject', z: 'a1b2c3d4', name: 'tick', repeat: '', once: false, wires: [] },
  ];
  const put = await request('POST', '/flows', flow);
  if (put.status !== 204 && put.status !== 200) throw new Error(`deploy: ${put.status} ${put.text}`);
  const got = await request('GET', '/flows');
  if (got.status !== 200) throw new Error(`flows: ${got.status}`);
  const names = JSON.parse(got.text).map((n) => n.name || n.label);
  if (names.join() !== 'unroot,tick') throw new Error(`flows read back: ${got.text}`);
}

main().then(() => process.exit(0), (e) => { console.error(e.message); process.exit(1); });
