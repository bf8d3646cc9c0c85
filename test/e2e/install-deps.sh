#!/bin/sh
# Debian packages the code-server end-to-end tests need (run as root; .ci/run calls it):
#   chromium        the headless browser that drives code-server's workbench (playwright-core)
#   ripgrep         stands in for @vscode/ripgrep, whose install step downloads rg
#   libkrb5-dev pkg-config libx11-dev libxkbfile-dev libsecret-1-dev
#                   headers for code-server's native modules (kerberos, native-keymap, keytar…)
# node-gyp's python3, make and g++ are on the node machines already.
set -eu
PKGS="chromium ripgrep libkrb5-dev pkg-config libx11-dev libxkbfile-dev libsecret-1-dev"
missing=""
for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -z "$missing" ]; then echo "e2e Debian packages: all installed"; exit 0; fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends $missing
