#!/usr/bin/env bash
# The newer engines of the test matrix, side by side with the main one.
#
#   scripts/engines.sh start NAME...   install Docker 28.5 if needed, start each NAME, build its images
#   scripts/engines.sh stop [NAME...]  stop them (default: all of them)
#   scripts/engines.sh url NAME        print its DOCKER_HOST
#   scripts/engines.sh version NAME    print the version it runs
#
# NAME is one of
#   20.10          the main engine (bookworm's docker.io, scripts/engine.sh starts it)
#   28             dockerd 28.5 with the classic overlay2 store
#   28-containerd  dockerd 28.5 with the containerd image store (Docker 29's default)
#
# Docker 28.5 comes from Debian's own archive (unstable), read through a private
# apt configuration, so the machine's apt sources stay as they are; its packages
# are unpacked into a folder of ours, never installed. Each engine has its own
# containerd, data-root, exec-root, socket and bridge (a "bridge": "none" engine
# would delete the main engine's docker0), and NAT of its own for the lessons'
# `apt-get install` (network bridge): two engines must not both manage iptables.
# Idempotent: an engine that answers is left as it is.
set -euo pipefail
shopt -s inherit_errexit  # a failure inside $(...) stops the script too

log() { printf '[engines] %s\n' "$*" >&2; }

CACHE_DIR=${LAYERLAB_CACHE_DIR:-/var/cache/layerlab}
ENGINES_DIR=${LAYERLAB_ENGINES_DIR:-/opt/layerlab-engines}
STATE_DIR=/var/lib/layerlab-engines
MIRROR=http://deb.debian.org/debian
#: Suites tried in order: unstable has 28.5; a later upload there may need a newer
#: glibc than bookworm's, and then trixie's 26.1 is the newest that runs (say so).
SUITES=(sid trixie)
PACKAGES=(docker.io containerd)

here=$(cd "$(dirname "$0")" && pwd)

short() {  # socket paths are capped at 108 bytes: short names under /run
    case "$1" in
        28) echo ll28 ;;
        28-containerd) echo ll28c ;;
        *) log "unknown engine $1 (20.10, 28, 28-containerd)"; exit 2 ;;
    esac
}

subnet() {
    case "$1" in
        28) echo 172.31.28 ;;
        28-containerd) echo 172.31.29 ;;
    esac
}

url() {
    if [ "$1" = 20.10 ]; then echo unix:///var/run/docker.sock; return; fi
    local s; s=$(short "$1")  # an unknown name stops here, not as a URL that answers nothing
    echo "unix:///run/$s/docker.sock"
}

bin_dir() { echo "$ENGINES_DIR/current/bin"; }

install_engine() {
    [ -x "$(bin_dir)/dockerd" ] && "$(bin_dir)/dockerd" --version >/dev/null 2>&1 && return
    command -v runc >/dev/null || { log "bookworm's runc is missing: run scripts/engine.sh first"; exit 1; }
    local suite
    for suite in "${SUITES[@]}"; do
        local apt="$CACHE_DIR/apt-$suite"
        mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/debs"
        echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR $suite main" >"$apt/sources.list"
        local opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
                    -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o APT::Sandbox::User=root)
        if ! ls "$apt"/debs/docker.io_*.deb >/dev/null 2>&1; then
            log "downloading ${PACKAGES[*]} from Debian $suite"
            apt-get "${opts[@]}" update -qq
            (cd "$apt/debs" && apt-get "${opts[@]}" download "${PACKAGES[@]}" >/dev/null)
        fi
        local root="$ENGINES_DIR/$suite"
        rm -rf "$root" && mkdir -p "$root/unpacked" "$root/bin"
        local deb
        for deb in "$apt"/debs/*.deb; do dpkg-deb -x "$deb" "$root/unpacked"; done
        local b
        for b in usr/sbin/dockerd usr/sbin/docker-proxy usr/bin/containerd usr/bin/containerd-shim-runc-v2; do
            ln -sf "$root/unpacked/$b" "$root/bin/"
        done
        # Their runc needs a newer glibc than bookworm's; bookworm's own runs the containers.
        ln -sf "$(command -v runc)" "$root/bin/runc"
        ln -sf /usr/bin/tini-static "$root/bin/docker-init"
        if "$root/bin/dockerd" --version >/dev/null 2>&1 && "$root/bin/containerd" --version >/dev/null 2>&1; then
            ln -sfn "$root" "$ENGINES_DIR/current"
            log "installed $("$root/bin/dockerd" --version) from Debian $suite"
            [ "$suite" = sid ] || log "WARNING: Debian unstable's engine does not run here; the '28' engines run this one"
            return
        fi
        log "the engine from Debian $suite does not run on this system; trying the next suite"
    done
    log "no newer engine runs here"; exit 1
}

answers() { docker -H "$(url "$1")" info >/dev/null 2>&1; }

network() {  # a bridge of its own, and NAT for it (the engine itself runs with iptables off)
    local name=$1 bridge="llbr${1//[^0-9a-z]/}" net; net=$(subnet "$1")
    bridge=${bridge:0:15}
    ip link show "$bridge" >/dev/null 2>&1 || {
        ip link add name "$bridge" type bridge
        ip addr add "$net.1/24" dev "$bridge"
    }
    ip link set "$bridge" up
    sysctl -qw net.ipv4.ip_forward=1
    iptables -t nat -C POSTROUTING -s "$net.0/24" ! -o "$bridge" -j MASQUERADE 2>/dev/null ||
        iptables -t nat -A POSTROUTING -s "$net.0/24" ! -o "$bridge" -j MASQUERADE
    iptables -C FORWARD -i "$bridge" -j ACCEPT 2>/dev/null || iptables -I FORWARD -i "$bridge" -j ACCEPT
    iptables -C FORWARD -o "$bridge" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT 2>/dev/null ||
        iptables -I FORWARD -o "$bridge" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
    echo "$bridge"
}

start_one() {
    local name=$1
    if answers "$name"; then
        log "$name answers: $(docker -H "$(url "$name")" version --format '{{.Server.Version}}')"
        return
    fi
    [ "$name" = 20.10 ] && { bash "$here/engine.sh" --no-images; return; }
    install_engine
    local s run state snapshotter=false bridge
    stop_one "$name"  # whatever a killed engine left running (a containerd without its dockerd)
    s=$(short "$name")
    run=/run/$s
    state=$STATE_DIR/$name
    [ "$name" = 28-containerd ] && snapshotter=true
    mkdir -p "$run" "$state"
    bridge=$(network "$name")
    # containerd 2 reads version 3 configs; trixie's 1.7 (the fallback) only version 2.
    local config_version=3
    "$(bin_dir)/containerd" --version | grep -q ' v\?1\.' && config_version=2
    cat >"$state/containerd.toml" <<EOF
version = $config_version
root = "$state/containerd"
state = "$run/containerd"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.cri.v1.images", "io.containerd.cri.v1.runtime"]

[grpc]
  address = "$run/containerd.sock"

[ttrpc]
  address = "$run/containerd.sock.ttrpc"

[debug]
  address = "$run/containerd-debug.sock"
EOF
    cat >"$state/daemon.json" <<EOF
{
  "data-root": "$state/docker",
  "exec-root": "$run/exec",
  "pidfile": "$run/docker.pid",
  "hosts": ["$(url "$name")"],
  "containerd": "$run/containerd.sock",
  "bridge": "$bridge",
  "iptables": false,
  "ip6tables": false,
  "ip-masq": false,
  "cgroup-parent": "/$s",
  "features": {"containerd-snapshotter": $snapshotter}
}
EOF
    local path; path="$(bin_dir):$PATH"
    # What a killed engine left: sockets that answer nothing would look ready.
    rm -f "$run/containerd.sock" "$run/containerd.sock.ttrpc" "$run/docker.sock"
    log "starting $name"
    PATH=$path nohup containerd --config "$state/containerd.toml" >"$state/containerd.log" 2>&1 &
    echo $! >"$run/containerd.pid"
    for _ in $(seq 30); do [ -S "$run/containerd.sock" ] && break; sleep 0.2; done
    PATH=$path nohup dockerd --config-file "$state/daemon.json" >"$state/dockerd.log" 2>&1 &
    for _ in $(seq 60); do
        answers "$name" && { log "$name up: $(version "$name")"; return; }
        sleep 1
    done
    log "$name did not answer within 60 s; its log:"; tail -n 30 "$state/dockerd.log" >&2; exit 1
}

version() { docker -H "$(url "$1")" version --format '{{.Server.Version}}'; }

stop_one() {
    local name=$1 s run
    [ "$name" = 20.10 ] && return
    s=$(short "$name"); run=/run/$s
    local pidfile
    for pidfile in "$run/docker.pid" "$run/containerd.pid"; do
        [ -f "$pidfile" ] || continue
        local pid; pid=$(cat "$pidfile")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -9 "$pid" 2>/dev/null || true
        rm -f "$pidfile"
    done
}

main() {
    local command=${1:-}; shift || true
    case "$command" in
        start)
            local name
            for name in "$@"; do
                start_one "$name"
                DOCKER_HOST=$(url "$name") bash "$here/engine.sh" --images-only
            done ;;
        stop)
            local names=("$@"); [ ${#names[@]} -gt 0 ] || names=(28 28-containerd)
            local name; for name in "${names[@]}"; do stop_one "$name"; done ;;
        url) url "$1" ;;
        version) version "$1" ;;
        *) sed -n '2,20p' "$0" >&2; exit 2 ;;
    esac
}

main "$@"
