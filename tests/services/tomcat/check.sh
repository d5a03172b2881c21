#!/bin/sh
# Start Tomcat as its unit does, fetch the JSP page (compiled on this
# first request), stop Tomcat: the exit status says whether it worked.
set -eu
/usr/libexec/tomcat10/tomcat-start.sh &
pid=$!
i=0
page=
until page=$(http-get 8080 /hello/index.jsp 2>/dev/null); do
	i=$((i + 1))
	[ $i -lt 6 ] || { echo "no answer from Tomcat"; kill "$pid"; exit 1; }
done
kill "$pid"
wait "$pid" || true
case $page in
*"unroot-tomcat 42"*) ;;
*) echo "unexpected: $page" | head -5; exit 1 ;;
esac
echo "tomcat: ok"
