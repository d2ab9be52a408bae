#!/usr/bin/env bash
# Puts every file listed in models/manifest.json into models/onnx/ and verifies its sha256.
# Usage: models/fetch.sh [MANIFEST DEST SHARED_SUBFOLDER]  (the demo frames use it too: scripts/demo.sh)
# Source: ${ONETHING_SHARED:-<repo>/../shared}/models when that folder exists, otherwise the upstream URL
# (raw GitHub at a pinned commit), the npm package tarball (npm pack) or the inline lines in the manifest.
# Idempotent: files already present with the right sha256 are skipped. Any mismatch fails loudly.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
manifest="${1:-$here/manifest.json}"
dest="${2:-${ONETHING_MODELS_DIR:-$here/onnx}}"
shared="${ONETHING_SHARED:-$repo/../shared}/${3:-models}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

mkdir -p "$dest"

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

verify() { # file expected
    local actual
    actual="$(sha_of "$1")"
    if [[ "$actual" != "$2" ]]; then
        echo "ERROR: sha256 mismatch for $(basename "$1"): expected $2, got $actual" >&2
        rm -f "$1"
        exit 1
    fi
}

# One tab-separated line per file: name, sha256, kind, url-or-package, path-in-package.
entries="$(python3 - "$manifest" <<'PY'
import json, sys
for f in json.load(open(sys.argv[1], encoding="utf-8"))["files"]:
    s = f["source"]
    print("\t".join([f["file"], f["sha256"], s["kind"], s.get("url") or s.get("package") or "-", s.get("path") or "-"]))
PY
)"

npm_dir=""
npm_unpack() { # package -> prints the folder the tarball was unpacked into (once per run)
    if [[ -z "$npm_dir" ]]; then
        (cd "$work" && npm pack --silent "$1" >/dev/null)
        mkdir -p "$work/npm"
        tar -xzf "$work"/*.tgz -C "$work/npm"
        npm_dir="$work/npm"
    fi
}

while IFS=$'\t' read -r name sha kind source path; do
    target="$dest/$name"
    if [[ -f "$target" && "$(sha_of "$target")" == "$sha" ]]; then
        echo "ok       $name"
        continue
    fi
    tmp="$work/$name"
    mkdir -p "$(dirname "$target")" "$(dirname "$tmp")"
    if [[ -f "$shared/$name" ]]; then
        cp "$shared/$name" "$tmp"
        from="$shared"
    else
        case "$kind" in
            url)
                curl -fsSL --retry 3 -o "$tmp" "$source"
                from="$source" ;;
            npm)
                npm_unpack "$source"
                cp "$npm_dir/$path" "$tmp"
                from="npm $source:$path" ;;
            inline)
                python3 - "$manifest" "$name" "$tmp" <<'PY'
import json, sys
f = next(f for f in json.load(open(sys.argv[1], encoding="utf-8"))["files"] if f["file"] == sys.argv[2])
open(sys.argv[3], "w", encoding="utf-8", newline="\n").write("\n".join(f["source"]["lines"]) + "\n")
PY
                from="manifest" ;;
            *)
                echo "ERROR: unknown source kind '$kind' for $name" >&2
                exit 1 ;;
        esac
    fi
    chmod 644 "$tmp"
    verify "$tmp" "$sha"
    mv "$tmp" "$target"
    echo "fetched  $name (from $from)"
done <<< "$entries"

echo "all files of $(basename "$manifest") verified in $dest"
