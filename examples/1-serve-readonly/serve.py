"""Scenario 1 of the seed article: serve a model that the host bind-mounts
read-only at /models.  The server loads the model (a table of weights),
answers a few requests over a loopback socket, and exits.  It writes
nothing: the plan adds only the user."""
import os
import socket
import sys
import threading

MODEL = os.environ.get("MODEL_PATH", "/models/model.txt")

with open(MODEL) as f:
    weights = [float(x) for x in f.read().split()]


def predict(xs):
    return sum(w * x for w, x in zip(weights, xs))


srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.bind(("127.0.0.1", 0))
srv.listen(1)
port = srv.getsockname()[1]


def serve(n):
    for _ in range(n):
        conn, _ = srv.accept()
        with conn:
            xs = [float(x) for x in conn.recv(4096).decode().split()]
            conn.sendall(str(predict(xs)).encode())


queries = sys.argv[1:] or ["1 2 3", "0 0 1"]
t = threading.Thread(target=serve, args=(len(queries),))
t.start()
for q in queries:
    with socket.create_connection(("127.0.0.1", port)) as c:
        c.sendall(q.encode())
        print(f"predict({q}) = {c.recv(4096).decode()}")
t.join()
print("serve: done, model", MODEL, "was only read")
