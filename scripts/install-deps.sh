#!/bin/sh
# Installs the Debian packages syndic builds and tests with, when missing.
# Uses sudo when not root. Prints nothing when all are present.
set -e

PKGS="make gcc libc6-dev pkg-config libutf8proc-dev libxxhash-dev libzstd-dev \
zlib1g-dev libjansson-dev libxml2-dev libuchardet-dev liblmdb-dev openmpi-bin libopenmpi-dev \
python3-dev python3-setuptools python3-pytest python3-pandas"
# python3-*: the Python package (python/, `make python`) and its tests; pandas
# is optional for users, installed here so both paths are tested.
# What CI adds (`install-deps.sh --ci`, as .ci/run calls it): clang and its
# libFuzzer runtime for `make fuzz`, and the linters of `make lint`. A plain
# `make` or `make check` needs none of them.
CI_PKGS="clang libclang-rt-dev clang-format clang-tidy cppcheck"
[ "${1:-}" = "--ci" ] && PKGS="$PKGS $CI_PKGS"
[ -n "$SYNDIC_EXTRA_PKGS" ] && PKGS="$PKGS $SYNDIC_EXTRA_PKGS"

missing=""
for p in $PKGS; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
echo "syndic: installing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
