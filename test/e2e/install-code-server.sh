#!/bin/sh
# Installs code-server (VS Code's workbench + a real Node extension host) from the npm
# registry into DIR, without any download besides npm packages:
#   install-code-server.sh DIR VERSION
# Needs the Debian packages of install-deps.sh. Skips the work when DIR already holds VERSION.
# Adapted from shared/e2e/install-code-server.sh.
set -eu
DIR=$1; VER=$2
MARK="$DIR/.sevlint-installed-$VER"
if [ -f "$MARK" ]; then echo "code-server $VER already installed in $DIR"; exit 0; fi
echo "installing code-server $VER into $DIR (node $(node -v))"
export npm_config_yes=true              # node-pty's install runs `npx node-gyp`
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
mkdir -p "$DIR"; cd "$DIR"
[ -f package.json ] || printf '{ "name": "sevlint-e2e-code-server", "private": true }\n' > package.json
npm install --no-save --ignore-scripts "code-server@$VER"
npm rebuild argon2                      # code-server's own native module, built from source
cd node_modules/code-server/lib/vscode
npm install --omit=dev --ignore-scripts
# @vscode/ripgrep's install step downloads rg; it is skipped when bin/ exists: use Debian's.
mkdir -p node_modules/@vscode/ripgrep/bin && ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
npm rebuild                             # node-pty, spdlog, kerberos, native-watchdog, …
# the rest of code-server's postinstall.sh
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sf code-linux.sh code-server)
(cd bin/helpers && ln -sf browser-linux.sh browser.sh)
(cd extensions && npm install --omit=dev)
touch "$MARK"
echo "code-server $VER installed in $DIR"
