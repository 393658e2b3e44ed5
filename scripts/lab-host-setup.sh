#!/usr/bin/env bash
# Prepares a Linux host for the ntm-lab Docker lab. Idempotent: every step checks
# before it acts, so running it twice is cheap (seconds once the image exists).
#
#   sudo scripts/lab-host-setup.sh            # install, start dockerd, build image, check
#   sudo scripts/lab-host-setup.sh --check    # only check; exit 1 naming what is missing
#
# Environment:
#   NTM_LAB_IMAGE_REPO   image repository (default ntm-lab/base)
#   NTM_LAB_MIRROR       Debian mirror for debootstrap (default http://deb.debian.org/debian)
#   NTM_LAB_SUITE        Debian suite (default bookworm)
#   DOCKERD_LOG          where a dockerd started here logs (default /var/log/dockerd.log)
#
# See docs/lab.md for what the lab does with all this.
set -euo pipefail

IMAGE_REPO="${NTM_LAB_IMAGE_REPO:-ntm-lab/base}"
MIRROR="${NTM_LAB_MIRROR:-http://deb.debian.org/debian}"
SUITE="${NTM_LAB_SUITE:-bookworm}"
DOCKERD_LOG="${DOCKERD_LOG:-/var/log/dockerd.log}"
CHECK_ONLY=0
[[ "${1:-}" == "--check" ]] && CHECK_ONLY=1

# Tools the tests call on the host, and the engine itself.
HOST_PACKAGES=(docker.io dnsutils socat curl tcpdump tshark debootstrap)
# Packages inside every lab container (routers, servers, nodes). The image tag is a
# hash of this list, the suite and the mirror: change any of them and a new image is built.
# (bind9-dnsutils is what bookworm's transitional 'dnsutils' pulls in.)
IMAGE_PACKAGES=(openjdk-17-jre-headless iproute2 iptables tcpdump iputils-ping dnsmasq-base
  isc-dhcp-client procps conntrack stun-client stun-server bind9-dnsutils socat curl
  netcat-openbsd)

log()  { printf '[lab-host-setup] %s\n' "$*"; }
fail() { printf '[lab-host-setup] ERROR: %s\n' "$*" >&2; exit 1; }

image_tag() {
  printf '%s\n' "$SUITE" "$MIRROR" "${IMAGE_PACKAGES[@]}" | sha256sum | cut -c1-12
}
IMAGE="${IMAGE_REPO}:$(image_tag)"

docker_answers() { docker info >/dev/null 2>&1; }

# ---------------------------------------------------------------- check mode
if (( CHECK_ONLY )); then
  missing=()
  for p in "${HOST_PACKAGES[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("package $p (apt-get install $p)")
  done
  docker_answers || missing+=("a running Docker engine (/var/run/docker.sock does not answer; run this script as root)")
  if docker_answers && ! docker image inspect "$IMAGE" >/dev/null 2>&1; then
    missing+=("image $IMAGE (run this script as root to build it)")
  fi
  v=$(cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null || echo 0)
  [[ "$v" == 0 ]] || missing+=("net.bridge.bridge-nf-call-iptables=0 (is $v; NAT through router containers fails)")
  if (( ${#missing[@]} )); then
    for m in "${missing[@]}"; do printf '[lab-host-setup] missing: %s\n' "$m" >&2; done
    exit 1
  fi
  log "ok: host ready, image $IMAGE"
  exit 0
fi

# ---------------------------------------------------------------- root
if [[ $(id -u) -ne 0 ]]; then
  fail "must run as root (it installs packages, starts dockerd, sets bridge sysctls, runs debootstrap). Try: sudo $0"
fi

# ---------------------------------------------------------------- packages
missing=()
for p in "${HOST_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if (( ${#missing[@]} )); then
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q || fail "apt-get update failed: no Debian mirror reachable?"
  apt-get install -y -q --no-install-recommends "${missing[@]}" \
    || fail "apt-get install ${missing[*]} failed"
else
  log "host packages present: ${HOST_PACKAGES[*]}"
fi
command -v docker >/dev/null || fail "no 'docker' client on PATH after installing docker.io"

# ---------------------------------------------------------------- dockerd
if docker_answers; then
  log "docker engine answers"
else
  command -v dockerd >/dev/null || fail "no 'dockerd' binary (package docker.io not installed correctly?)"
  log "starting dockerd in the background (log: $DOCKERD_LOG)"
  # setsid + nohup: the engine must outlive this script (CI runs tests afterwards).
  setsid nohup dockerd >"$DOCKERD_LOG" 2>&1 < /dev/null &
  for i in $(seq 1 60); do
    docker_answers && break
    sleep 1
  done
  docker_answers || { tail -n 20 "$DOCKERD_LOG" >&2 || true; fail "dockerd did not answer within 60 s; see $DOCKERD_LOG"; }
  log "docker engine up after ${i}s: $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})')"
fi

# ---------------------------------------------------------------- bridge netfilter
# Docker's rules for internal networks drop routed traffic leaving the subnet when bridged
# frames go through iptables; router containers need bridged frames to skip it.
modprobe br_netfilter 2>/dev/null || true
if [[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]]; then
  sysctl -q -w net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0
  log "bridge-nf-call-iptables=$(cat /proc/sys/net/bridge/bridge-nf-call-iptables) bridge-nf-call-ip6tables=$(cat /proc/sys/net/bridge/bridge-nf-call-ip6tables)"
else
  log "br_netfilter not loaded: bridged frames do not traverse iptables (nothing to set)"
fi

# ---------------------------------------------------------------- base image
if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  log "image $IMAGE exists, skipping build"
else
  command -v debootstrap >/dev/null || fail "no debootstrap (apt-get install debootstrap)"
  rootfs=$(mktemp -d /var/tmp/ntm-lab-rootfs.XXXXXX)
  trap 'rm -rf "$rootfs"' EXIT
  log "building $IMAGE with debootstrap ($SUITE from $MIRROR) in $rootfs; takes a few minutes"
  start=$(date +%s)
  include=$(IFS=,; echo "${IMAGE_PACKAGES[*]}")
  debootstrap --variant=minbase --include="$include" "$SUITE" "$rootfs" "$MIRROR" \
    || fail "debootstrap failed (see $rootfs/debootstrap/debootstrap.log if it still exists)"
  # Smaller image: no package caches or lists inside.
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/tmp/*
  tar -C "$rootfs" -c . | docker import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'CMD ["/bin/bash"]' \
      --message "ntm-lab base: ${IMAGE_PACKAGES[*]}" - "$IMAGE" >/dev/null \
    || fail "docker import failed"
  rm -rf "$rootfs"; trap - EXIT
  log "built $IMAGE in $(( $(date +%s) - start ))s"
fi
# The runtime uses ntm-lab/base:latest unless -Dntm.lab.image says otherwise.
docker tag "$IMAGE" "${IMAGE_REPO}:latest"

# ---------------------------------------------------------------- check
log "checking the image"
out=$(docker run --rm --network none "$IMAGE" sh -c \
  'java -version 2>&1 | head -1; for t in ip iptables ip6tables tcpdump ping dnsmasq dhclient conntrack stun stund dig socat curl nc ps tc; do command -v $t >/dev/null || echo "MISSING $t"; done') \
  || fail "docker run $IMAGE failed"
echo "$out" | sed 's/^/[lab-host-setup]   /'
if grep -q MISSING <<<"$out"; then fail "image $IMAGE lacks tools: $(grep MISSING <<<"$out" | tr '\n' ' ')"; fi
net="ntm-lab-setup-check-$$"
docker network create --internal --ipv6 --subnet 10.255.255.0/24 --subnet 2001:db8:ffff:ffff::/64 \
    --label org.ntmlab.lab=setup-check "$net" >/dev/null \
  || fail "cannot create an internal dual-stack Docker network"
docker network rm "$net" >/dev/null
log "ok: docker $(docker version --format '{{.Server.Version}}'), image ${IMAGE} (also ${IMAGE_REPO}:latest), internal IPv6 networks work"
