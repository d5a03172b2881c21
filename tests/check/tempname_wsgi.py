# tests/check/tempname_wsgi.py - the WSGI application gunicorn serves in
# tempname_integration.sh.
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok\n"]
