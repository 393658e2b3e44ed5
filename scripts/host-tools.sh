#!/usr/bin/env bash
# Installs the third-party programs the tests use to check our work: dig, socat, curl,
# tcpdump, tshark. Idempotent; needs root (or sudo) only when something is missing.
set -euo pipefail
need=()
command -v dig >/dev/null || need+=(dnsutils)
command -v socat >/dev/null || need+=(socat)
command -v curl >/dev/null || need+=(curl)
command -v tcpdump >/dev/null || need+=(tcpdump)
command -v tshark >/dev/null || need+=(tshark)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "host-tools: missing ${need[*]}; run as root or: sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
  echo "host-tools: installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
echo "host-tools: dig socat curl tcpdump tshark present"
