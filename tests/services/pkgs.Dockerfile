# The packages of one service, installed offline from .deb files fetched
# on the host (apt-get download): the build has no network.  dpkg -i of
# them all at once refuses a package whose pre-dependency is in the same
# batch (mariadb-server on mariadb-common, gawk on libmpfr6); the second
# pass installs those once their pre-dependencies are configured, and
# no package may be left half-installed.
FROM unroot-base:bookworm
COPY debs/ /tmp/debs/
RUN (dpkg -i /tmp/debs/*.deb || dpkg -i /tmp/debs/*.deb) \
    && test -z "$(dpkg --audit)" && rm -rf /tmp/debs
