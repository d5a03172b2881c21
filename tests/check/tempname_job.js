// tests/check/tempname_job.js - a job that writes temporary names the way
// Node.js programs do, for tempname_integration.sh: fs.mkdtempSync under
// os.tmpdir() with a file inside, removed.
const fs = require("fs");
const os = require("os");
const path = require("path");

const d = fs.mkdtempSync(path.join(os.tmpdir(), "job-"));
fs.writeFileSync(path.join(d, "out.txt"), "x\n");
fs.rmSync(d, { recursive: true });
