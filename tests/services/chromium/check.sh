#!/bin/sh
# Render the page headless and check that its script ran: the exit status
# says whether Chromium worked.
set -eu
dom=$(chromium --headless --no-sandbox --disable-gpu \
	--dump-dom file:///srv/pages/page.html 2>/tmp/chromium.log) ||
	{ cat /tmp/chromium.log; exit 1; }
case $dom in *'<p id="x">rendered</p>'*) ;; *) echo "dom: $dom"; exit 1 ;; esac
echo "chromium: ok"
