#!/usr/bin/env bash
# Render the web tier's Nginx configuration outside Docker, the way the image's entrypoint does, into
# OUT_DIR (default: a new temporary directory), and print the path of the rendered nginx.conf.
#   NGINX_PORT             listen address/port       (default 8080; use 127.0.0.1:PORT locally)
#   API_UPSTREAM           host:port of the API      (default 127.0.0.1:8000, the sidecar topology)
#   NGINX_LOCAL_RESOLVERS  DNS resolver(s)           (default: nameservers from /etc/resolv.conf)
# Paths under /tmp and /etc/nginx/conf.d are moved into OUT_DIR so several copies can run side by side.
# Run the result with:  nginx -e stderr -p OUT_DIR -c OUT_DIR/nginx.conf -g 'daemon off;'
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$(mktemp -d)}
mkdir -p "$out/conf.d"
chmod 755 "$out"
out=$(cd "$out" && pwd)

port=${NGINX_PORT:-8080}
upstream=${API_UPSTREAM:-127.0.0.1:8000}
resolvers=${NGINX_LOCAL_RESOLVERS:-$(awk '$1 == "nameserver" { printf "%s ", ($2 ~ /:/ ? "[" $2 "]" : $2) }' /etc/resolv.conf 2>/dev/null || true)}
resolvers=${resolvers:-127.0.0.1}
resolvers=${resolvers% }

# Same substitution as the entrypoint's envsubst: only these ${NAME} forms, nginx's own $variables stay.
sed -e "s|\${NGINX_PORT}|$port|g" \
  -e "s|\${API_UPSTREAM}|$upstream|g" \
  -e "s|\${NGINX_LOCAL_RESOLVERS}|$resolvers|g" \
  "$here/templates/default.conf.template" >"$out/conf.d/default.conf"

sed -e "s|/tmp/|$out/|g" -e "s|/etc/nginx/conf.d/|$out/conf.d/|g" "$here/nginx.conf" >"$out/nginx.conf"
if grep -q '\${' "$out/conf.d/default.conf"; then
  echo "render-config: unreplaced \${...} left in $out/conf.d/default.conf" >&2
  exit 1
fi
echo "$out/nginx.conf"
