#!/usr/bin/env bash
# Make sure a Docker engine answers on this machine, and build the local images
# that the tests (and, without a registry, the offline console) use.
#
#   scripts/engine.sh                install + start the engine if needed, build images
#   scripts/engine.sh --no-images
#   scripts/engine.sh --images-only  build the images on the engine DOCKER_HOST names
#                                    (the test matrix's other engines, scripts/engines.sh)
#
# Idempotent: an engine that already answers is used as it is (no second daemon),
# images that exist are not rebuilt. No registry is needed: the Debian image is
# made with debootstrap, the small one from Debian's busybox-static.
set -euo pipefail

log() { printf '[engine] %s\n' "$*" >&2; }

CACHE_DIR=${LAYERLAB_CACHE_DIR:-/var/cache/layerlab}
DEBIAN_SUITE=bookworm
export DOCKER_BUILDKIT=0   # the legacy builder ships with every engine we meet here

need_root() {
    if [ "$(id -u)" != 0 ]; then
        log "this step needs root: $*"; exit 1
    fi
}

install_packages() {
    local missing=()
    command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
    command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
    [ -x /bin/busybox ] || missing+=(busybox-static)
    command -v docker >/dev/null 2>&1 || missing+=(docker.io)
    command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)  # validates compose.yaml
    command -v ip >/dev/null 2>&1 || missing+=(iproute2)  # a bridge for the tests' second engine
    if [ ${#missing[@]} -gt 0 ]; then
        need_root "apt-get install ${missing[*]}"
        log "installing ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

start_engine() {
    if docker info >/dev/null 2>&1; then
        log "engine answers: $(docker version --format '{{.Server.Version}}')"
        return
    fi
    if [ -n "${DOCKER_HOST:-}" ]; then
        log "DOCKER_HOST=$DOCKER_HOST is set but does not answer"; exit 1
    fi
    need_root "start dockerd"
    # The main engine's own pidfile: the newer engines of scripts/engines.sh are
    # dockerd processes too, and do not make this one answer.
    if [ -s /var/run/docker.pid ] && kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
        log "a dockerd process exists but does not answer yet; waiting"
    else
        log "starting dockerd"
        mkdir -p /var/log
        nohup dockerd >/var/log/layerlab-dockerd.log 2>&1 &
    fi
    for _ in $(seq 60); do
        docker info >/dev/null 2>&1 && { log "engine up"; return; }
        sleep 1
    done
    log "dockerd did not answer within 60 s; its log:"; tail -n 30 /var/log/layerlab-dockerd.log >&2 || true
    exit 1
}

have_image() { docker image inspect "$1" >/dev/null 2>&1; }

build_debian() {
    local name=$1
    have_image "$name" && return
    mkdir -p "$CACHE_DIR"
    local tarball="$CACHE_DIR/debian-$DEBIAN_SUITE-minbase.tar"
    if [ ! -s "$tarball" ]; then
        need_root "debootstrap"
        local root; root=$(mktemp -d)
        log "debootstrap $DEBIAN_SUITE (about a minute)"
        debootstrap --variant=minbase "$DEBIAN_SUITE" "$root" >/dev/null
        rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
        tar -C "$root" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
        rm -rf "$root"
    fi
    log "importing $name"
    docker import -c 'CMD ["bash"]' -m "debootstrap --variant=minbase $DEBIAN_SUITE" "$tarball" "$name" >/dev/null
}

build_busybox() {
    local name=$1
    have_image "$name" && return
    local root; root=$(mktemp -d)
    mkdir -p "$root"/bin "$root"/tmp "$root"/etc "$root"/root
    cp /bin/busybox "$root"/bin/busybox
    for applet in sh ls cat echo rm mkdir touch dd head yes sleep env id true false \
                  wc seq printf grep sed ps kill mv cp ln chmod find test uname df; do
        ln -s busybox "$root/bin/$applet"
    done
    echo 'root:x:0:0:root:/root:/bin/sh' >"$root"/etc/passwd
    chmod 1777 "$root"/tmp
    log "importing $name"
    tar -C "$root" -c . | docker import -c 'CMD ["sh"]' - "$name" >/dev/null
    rm -rf "$root"
}

build_from_dockerfile() {
    local name=$1 dir=$2
    have_image "$name" && return
    log "building $name"
    docker build -q -t "$name" "$dir" >/dev/null
}

# An image whose parents were built elsewhere: save, remove, load. Its history then
# shows <missing> rows, exactly as an image pulled from a registry does.
build_shipped() {
    local name=$1 dir=$2
    have_image "$name" && return
    local tmp; tmp=$(mktemp -d)
    docker build -q -t "$name" "$dir" >/dev/null
    docker save -o "$tmp/img.tar" "$name"
    docker rmi "$name" >/dev/null
    docker load -q -i "$tmp/img.tar" >/dev/null
    rm -rf "$tmp"
}

# Debian's python3 on the debootstrapped Debian: the base the bot's own image is built
# on in the tests (no registry here, so no official Python image either).
build_python() {
    local name=$1 dir=$2
    have_image "$name" && return
    cp /etc/ssl/certs/ca-certificates.crt "$dir/host-ca.crt"
    log "building $name (apt, about 20 s)"
    docker build -q -t "$name" "$dir" >/dev/null
    rm -f "$dir/host-ca.crt"
}

# The bot's base image, copied from the main engine when it has it (no second apt run).
copy_python() {
    local name=$1 dir=$2
    have_image "$name" && return
    if [ -n "${DOCKER_HOST:-}" ] && docker -H unix:///var/run/docker.sock image inspect "$name" >/dev/null 2>&1; then
        log "copying $name from the main engine"
        docker -H unix:///var/run/docker.sock save "$name" | docker load -q >/dev/null
        return
    fi
    build_python "$name" "$dir"
}

main() {
    local images=1 engine=1
    case "${1:-}" in
        --no-images) images=0 ;;
        --images-only) engine=0 ;;
    esac
    if [ $engine = 1 ]; then
        install_packages
        start_engine
    fi
    [ $images = 1 ] || return 0
    local here; here=$(cd "$(dirname "$0")" && pwd)
    build_debian layerlab-test/debian:bookworm
    sleep 1  # distinct creation seconds (the image list has whole seconds)
    build_busybox layerlab-test/busybox:latest
    build_from_dockerfile layerlab-test/layered:latest "$here/images/layered"
    sleep 1  # distinct creation seconds: `docker images` cannot order images made in the same one
    build_shipped layerlab-test/shipped:latest "$here/images/shipped"
    copy_python layerlab-test/python:bookworm "$here/images/python"
    log "images ready on $(docker version --format '{{.Server.Version}}')"
}

main "$@"
