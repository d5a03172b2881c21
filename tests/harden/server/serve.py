"""A small server for `unroot harden --stop-after`: a pid file under /run,
then a TCP listener on 127.0.0.1 only (the container has no network) that
answers until SIGTERM ends it (as PID 1 it needs its own handler)."""
import os
import signal
import socket
import sys

signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

os.makedirs("/run/serve", exist_ok=True)
with open("/run/serve/serve.pid", "w") as f:
    f.write(f"{os.getpid()}\n")
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 8080))
s.listen()
print("serve: listening on 127.0.0.1:8080", flush=True)
while True:
    c, _ = s.accept()
    c.sendall(b"hello\n")
    c.close()
