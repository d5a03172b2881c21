#!/bin/sh
# Convert a text document to PDF with LibreOffice in headless mode, as
# document-conversion services do, into the conversion directory: the
# exit status says whether a PDF came out.
set -eu
cd /srv/convert
soffice --headless --convert-to pdf --outdir /srv/convert /opt/letters/letter.txt
head -c 5 /srv/convert/letter.pdf | grep -q '%PDF-' || { echo "no PDF"; exit 1; }
echo "libreoffice: ok"
