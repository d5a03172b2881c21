"""A small server for `unroot harden --probe`: it reads its port from
~/.psrv.conf (as root /root/.psrv.conf, which the image may ship), else
/etc/psrv.conf, else uses 8081; writes its pid file under /run/psrv and
serves on 127.0.0.1 (the container has no network) until SIGTERM (as PID 1
it needs its own handler).  A config only root can find is a failure no
tracer sees as a denial: as another user the file is simply absent.

  --strict        exit at once (status 0, as a careless server does) when
                  no config is found
  --check [PORT]  the probe: connect to 127.0.0.1:PORT (default 8080)
"""
import os
import signal
import socket
import sys
import time


def config_port():
    for conf in (os.path.expanduser("~/.psrv.conf"), "/etc/psrv.conf"):
        try:
            with open(conf) as f:
                return int(f.read().strip().split("=")[1])
        except FileNotFoundError:
            continue
    return None


def check(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except OSError as e:
        print(f"psrv check: 127.0.0.1:{port}: {e}")
        return 1
    return 0


def serve(strict):
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    port = config_port()
    if port is None:
        print("psrv: no config (~/.psrv.conf, /etc/psrv.conf)", flush=True)
        if strict:
            return 0
        port = 8081
    with open("/run/psrv/psrv.pid", "w") as f:
        f.write(f"{os.getpid()}\n")
    time.sleep(0.5)  # a server that takes a moment to come up
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen()
    print(f"psrv: listening on 127.0.0.1:{port}", flush=True)
    while True:
        c, _ = s.accept()
        c.close()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--check"]:
        sys.exit(check(int(sys.argv[2]) if len(sys.argv) > 2 else 8080))
    sys.exit(serve(sys.argv[1:2] == ["--strict"]))
