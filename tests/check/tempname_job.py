# tests/check/tempname_job.py - a job that writes temporary names the way
# Python programs do, for tempname_integration.sh: tempfile.mkdtemp with a
# prefix (kept, with a file inside), a NamedTemporaryFile with a suffix,
# and, at the first use of tempfile, its probe of the temp directory (a
# bare random name created and removed).  WS/out.txt is the job's output.
import os
import sys
import tempfile

ws = sys.argv[1]
d = tempfile.mkdtemp(prefix="job-")
with open(os.path.join(d, "out.txt"), "w") as f:
    f.write("result\n")
with tempfile.NamedTemporaryFile(suffix=".json") as f:
    f.write(b"{}")
with open(os.path.join(ws, "out.txt"), "w") as f:
    f.write("done\n")
