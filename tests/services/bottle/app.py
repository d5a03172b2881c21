"""Notes: POST /notes stores the body as a new file in the data volume,
GET /notes lists what is stored there.  Served on 127.0.0.1:8080."""
import os

import bottle

DATA = "/srv/notes"


@bottle.post("/notes")
def add():
    n = len(os.listdir(DATA))
    with open(os.path.join(DATA, "%d.txt" % n), "w", encoding="utf-8") as f:
        f.write(bottle.request.body.read().decode("utf-8"))
    return "stored %d\n" % n


@bottle.get("/notes")
def notes():
    out = []
    for name in sorted(os.listdir(DATA)):
        with open(os.path.join(DATA, name), encoding="utf-8") as f:
            out.append(f.read())
    return "\n".join(out) + "\n"


bottle.run(host="127.0.0.1", port=8080, quiet=True)
