#!/bin/sh
# Migrate, collect the static files, make the admin user, serve, and
# fetch the admin login page and a static file: the exit status says
# whether the project worked.
set -eu
python3 manage.py migrate --noinput >/dev/null
python3 manage.py collectstatic --noinput >/dev/null
DJANGO_SUPERUSER_PASSWORD=unroot python3 manage.py createsuperuser \
	--noinput --username admin --email admin@example.org >/dev/null 2>&1 ||
	python3 manage.py changepassword --help >/dev/null
python3 manage.py runserver --noreload 127.0.0.1:8000 &
pid=$!
page=$(http-get 8000 /admin/login/)
kill "$pid"
wait "$pid" || true
case $page in
*"Django administration"*) ;;
*) echo "unexpected: $page" | head -5; exit 1 ;;
esac
test -s staticfiles/admin/css/base.css
python3 manage.py shell -c \
	'from django.contrib.auth.models import User; assert User.objects.filter(username="admin").exists()'
echo "django: ok"
