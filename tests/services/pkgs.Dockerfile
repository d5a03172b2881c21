# The packages of one service, installed offline from .deb files fetched
# on the host (apt-get download): the build has no network.
FROM unroot-base:bookworm
COPY debs/ /tmp/debs/
RUN dpkg -i /tmp/debs/*.deb && rm -rf /tmp/debs
