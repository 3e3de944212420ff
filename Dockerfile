# The layerlab bot. Build:  docker build --build-arg BASE_IMAGE=python:3.12-slim -t layerlab .
# BASE_IMAGE may be any Debian-based image with Python 3.11+ and its venv module.
ARG BASE_IMAGE=python:3.12-slim

FROM ${BASE_IMAGE} AS build
# pip's own settings, for a build without PyPI (a private index, or a folder of wheels
# served with --find-links: the tests build it so, on a network with no way out).
ARG PIP_INDEX_URL
ARG PIP_NO_INDEX
ARG PIP_FIND_LINKS
ARG PIP_TRUSTED_HOST
RUN python3 -m venv /opt/layerlab
COPY pyproject.toml README.md /src/
COPY bot /src/bot
COPY cogs /src/cogs
COPY fakediscord /src/fakediscord
RUN /opt/layerlab/bin/pip install --no-cache-dir --disable-pip-version-check /src

FROM ${BASE_IMAGE}
RUN useradd --system --uid 10001 --create-home --home-dir /data layerlab
COPY --from=build /opt/layerlab /opt/layerlab
ENV PATH=/opt/layerlab/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    LAYERLAB_DATABASE=/data/layerlab.db
USER layerlab
WORKDIR /data
VOLUME ["/data"]
# The bot reaches the lab engine through DOCKER_HOST (a socket or tcp:// with TLS),
# or several through LAYERLAB_DOCKER_HOSTS.
# Healthy: the database opens and a lab engine answers.
HEALTHCHECK --interval=30s --timeout=15s --start-period=20s --retries=3 CMD ["layerlab", "health"]
ENTRYPOINT ["layerlab"]
CMD ["run"]
