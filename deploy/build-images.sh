#!/usr/bin/env bash
# Builds the gateway and simulator images from deploy/Dockerfile and runs them the way deploy/compose.yaml does, until
# a camera's parked car has been texted to its owner. CI runs it before the tests (.ci/run); docs/OPERATIONS.md says
# what it proves. Needs root, buildah, debootstrap, iproute2, python3-yaml, mosquitto (mosquitto_passwd) and the .NET
# SDK; no container engine and no registry of images: the bases are made here and kept in buildah's storage.
#
#   bash deploy/build-images.sh      # prints image sizes, build time and time to the first SMS; exits 1 on a failure
#
# The services run in a network namespace of their own: inside it they use compose.yaml's ports (1883, 5080, 8080)
# on loopback, which collide with nothing on the machine (tests, a demo, other checks).
set -Eeuo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"
started=$SECONDS

say() { printf '[images %s] %s\n' "$(date -u +%T)" "$*"; }
fail() { printf 'IMAGE CHECK FAILED: %s\n' "$*" >&2; exit 1; }

for tool in buildah debootstrap ip mosquitto_passwd curl systemd-analyze dotnet; do
    command -v "$tool" > /dev/null || fail "$tool is missing (.ci/run installs it)"
done
/usr/bin/python3 -c 'import yaml' 2> /dev/null || fail "python3-yaml is missing (.ci/run installs it)"
[[ $(id -u) == 0 ]] || fail "run as root (buildah's chroot isolation and the network namespace need it)"

work="$(mktemp -d /var/tmp/onething-images.XXXXXX)"
netns="onething-images-$$"
pids=()
containers=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
    wait 2> /dev/null || true
    for c in "${containers[@]}"; do buildah rm "$c" > /dev/null 2>&1 || true; done
    ip netns del "$netns" 2> /dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'fail "line $LINENO: $BASH_COMMAND"' ERR
trap 'exit 130' INT TERM

# The systemd unit: systemd-analyze reports unknown keys and bad values only as messages, so any message fails.
unit_report="$(systemd-analyze verify deploy/systemd/onething-edge.service 2>&1)" && [[ -z "$unit_report" ]] \
    || fail "systemd-analyze verify deploy/systemd/onething-edge.service: $unit_report"
say "systemd-analyze verify deploy/systemd/onething-edge.service: no complaint"

# ---------------------------------------------------------------------------------------------------------------
# Local bases, made once and kept in buildah's storage. Their tags carry a hash of the functions that make them (and
# the SDK version), so a changed recipe or SDK makes new ones.

# Debian bookworm from the Debian registry this machine's apt uses, trimmed like debian:bookworm-slim (no
# documentation, manuals or translations; dpkg keeps them out of later installs too).
make_debian_base() { # tag
    local mirror rootfs="$work/rootfs" c mnt
    mirror="$(awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }
                   /^deb / && / bookworm / { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' \
        /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2> /dev/null || true)"
    [[ -n "$mirror" ]] || fail "no Debian mirror in /etc/apt/sources.list*"
    say "debootstrap --variant=minbase bookworm (from $mirror)"
    debootstrap --variant=minbase bookworm "$rootfs" "$mirror" > "$work/debootstrap.log" 2>&1 \
        || { tail -20 "$work/debootstrap.log" >&2; fail "debootstrap failed"; }
    # The same sources and apt settings as this machine, so the images' apt-get reaches the same registry.
    rm -f "$rootfs/etc/apt/sources.list"
    cp /etc/apt/sources.list.d/*.sources "$rootfs/etc/apt/sources.list.d/" 2> /dev/null || cp /etc/apt/sources.list "$rootfs/etc/apt/"
    grep -lh -E 'Check-Valid-Until|Check-Date' /etc/apt/apt.conf.d/* 2> /dev/null | xargs -r cp -t "$rootfs/etc/apt/apt.conf.d/"
    cat > "$rootfs/etc/dpkg/dpkg.cfg.d/slim" << 'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
EOF
    find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
    rm -rf "$rootfs"/usr/share/{man,info,locale,lintian}/* "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    c="$(buildah from scratch)"
    mnt="$(buildah mount "$c")"
    tar -C "$rootfs" -cf - . | tar -C "$mnt" -xf -
    buildah umount "$c" > /dev/null
    buildah config --cmd /bin/bash --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$c"
    buildah commit -q --rm "$c" "$1" > /dev/null
    rm -rf "$rootfs"
}

# The .NET SDK installed on this machine, on the Debian base, as Microsoft's SDK image lays it out (/usr/share/dotnet).
make_sdk_base() { # tag debian-tag
    local root c
    root="$(dirname "$(readlink -f "$(command -v dotnet)")")"
    c="$(buildah from "$2")"
    buildah run --isolation chroot "$c" -- sh -c 'apt-get update -qq && apt-get install -y -qq --no-install-recommends ca-certificates libicu72 libssl3 tzdata > /dev/null && rm -rf /var/lib/apt/lists/*'
    buildah copy -q "$c" "$root" /usr/share/dotnet > /dev/null
    # This machine's own certificate authorities too (its registry mirror inspects TLS), so restores reach NuGet.
    if compgen -G '/usr/local/share/ca-certificates/*' > /dev/null; then
        buildah copy -q "$c" /usr/local/share/ca-certificates /usr/local/share/ca-certificates > /dev/null
        buildah run --isolation chroot "$c" -- update-ca-certificates > /dev/null
    fi
    buildah run --isolation chroot "$c" -- ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
    # Nor does that mirror answer certificate revocation checks (the host's environment says so too).
    buildah config --env DOTNET_CLI_TELEMETRY_OPTOUT=1 --env DOTNET_NOLOGO=1 --env DOTNET_RUNNING_IN_CONTAINER=true \
        --env NUGET_CERT_REVOCATION_MODE=offline "$c"
    buildah commit -q --rm "$c" "$1" > /dev/null
}

# Stand-in for eclipse-mosquitto:2 (compose.yaml's broker, not pullable here): Debian's Mosquitto 2 with the same
# paths (/mosquitto/config, /mosquitto/data), user and command as that image.
make_mosquitto_image() { # tag debian-tag
    local c
    c="$(buildah from "$2")"
    buildah run --isolation chroot "$c" -- sh -c 'apt-get update -qq && apt-get install -y -qq --no-install-recommends mosquitto > /dev/null && rm -rf /var/lib/apt/lists/* && mkdir -p /mosquitto/config /mosquitto/data /mosquitto/log && chown -R mosquitto:mosquitto /mosquitto'
    buildah config --user mosquitto --cmd '["/usr/sbin/mosquitto", "-c", "/mosquitto/config/mosquitto.conf"]' "$c"
    buildah commit -q --rm "$c" "$1" > /dev/null
}

image_exists() { buildah inspect --type image "$1" > /dev/null 2>&1; }

recipe() { { declare -f "$1"; echo "${2:-}"; } | sha256sum | cut -c1-12; } # function [base it starts from]
debian_base="localhost/onething-ci/debian:bookworm-$(recipe make_debian_base)"
sdk_base="localhost/onething-ci/dotnet-sdk:$(dotnet --version)-$(recipe make_sdk_base "$debian_base")"
mosquitto_image="localhost/onething-ci/mosquitto:2-$(recipe make_mosquitto_image "$debian_base")"
t0=$SECONDS
image_exists "$debian_base" && say "cached $debian_base" || { make_debian_base "$debian_base"; say "made $debian_base"; }
image_exists "$sdk_base" && say "cached $sdk_base" || { make_sdk_base "$sdk_base" "$debian_base"; say "made $sdk_base"; }
image_exists "$mosquitto_image" && say "cached $mosquitto_image" || { make_mosquitto_image "$mosquitto_image" "$debian_base"; say "made $mosquitto_image"; }
bases_seconds=$((SECONDS - t0))

# ---------------------------------------------------------------------------------------------------------------
# A site's checkout: the repository's files, the models fetched and verified (from ../shared here), and the files a
# site writes before `docker compose up` (docs/OPERATIONS.md): secrets, the broker's password file, the site config.
# The site config is the example's with the demo's cameras and short thresholds, so a parked car is cited in seconds.
site="$work/site"
mkdir -p "$site"
git ls-files -z | tar --null -T - -cf - 2> /dev/null | tar -C "$site" -xf -
ONETHING_SHARED="${ONETHING_SHARED:-$repo/../shared}" bash models/fetch.sh models/manifest.json "$site/models/onnx" > "$work/fetch.log" \
    || { cat "$work/fetch.log" >&2; fail "models/fetch.sh failed"; }
ONETHING_SHARED="${ONETHING_SHARED:-$repo/../shared}" bash models/fetch.sh deploy/demo/frames.json "$work/frames" samples > /dev/null \
    || fail "the demo frames could not be fetched"

secret() { od -An -N12 -tx1 /dev/urandom | tr -d ' \n'; }
traffic_token="$(secret)" gateway_password="$(secret)" camera_password="$(secret)"
printf 'TRAFFIC_SYSTEM_TOKEN=%s\n' "$traffic_token" > "$site/deploy/.env"
sed "s/^OneThing__Mqtt__Password=.*/OneThing__Mqtt__Password=$gateway_password/" deploy/gateway.env.example > "$site/deploy/gateway.env"
mosquitto_passwd -c -b "$site/deploy/mosquitto/passwd" gateway "$gateway_password" 2> /dev/null
mosquitto_passwd -b "$site/deploy/mosquitto/passwd" cam-gate "$camera_password" 2> /dev/null
# Each device gets its own ACL block (deploy/mosquitto/acl says so): the demo camera may publish its own frames only.
printf '\nuser cam-gate\ntopic write onething/+/cameras/cam-gate/frames\n' >> "$site/deploy/mosquitto/acl"
chmod 644 "$site/deploy/mosquitto/passwd" # read by the broker's own user inside its container
/usr/bin/python3 deploy/demo/site-config.py deploy/config/appsettings.Site.example.json deploy/demo/appsettings.Demo.json \
    > "$site/deploy/config/appsettings.Site.json" || fail "the site configuration could not be written"

# ---------------------------------------------------------------------------------------------------------------
# compose.yaml, read as `docker compose up --build` reads it: the images to build, then the services to start.
mapfile -t plan < <(/usr/bin/python3 deploy/compose-plan.py "$site/deploy/compose.yaml" --image "eclipse-mosquitto:2=$mosquitto_image" \
    || echo "plan-failed")
[[ "${plan[-1]}" != plan-failed ]] || fail "deploy/compose.yaml could not be read (see above)"

t0=$SECONDS
for line in "${plan[@]}"; do
    eval "words=($line)"
    [[ "${words[0]}" == build ]] || continue
    image="localhost/${words[1]}" context="${words[2]}" dockerfile="${words[3]}" target="${words[4]}"
    say "build $image (target $target of $dockerfile)"
    # --format docker keeps HEALTHCHECK (the OCI format has no such field); --layers reuses steps between the two
    # targets and between runs.
    buildah build --isolation chroot --layers --format docker \
        --build-arg "SDK_IMAGE=$sdk_base" --build-arg "DEBIAN_IMAGE=$debian_base" \
        --ignorefile "$context/$dockerfile.dockerignore" -f "$context/$dockerfile" --target "$target" -t "$image" \
        "$context" > "$work/build-$target.log" 2>&1 || { tail -40 "$work/build-$target.log" >&2; fail "building $image failed"; }
done
build_seconds=$((SECONDS - t0))

# ---------------------------------------------------------------------------------------------------------------
# The services, started in compose.yaml's order with its environment, command and volumes, in a network namespace:
# inside it they talk over loopback on compose's ports, and each container's /etc/hosts has compose's service names.
ip netns add "$netns"
ip netns exec "$netns" ip link set lo up
in_netns() { ip netns exec "$netns" "$@"; }
hosts=()
for line in "${plan[@]}"; do
    eval "words=($line)"
    if [[ "${words[0]}" == run ]]; then hosts+=(--add-host "${words[1]}:127.0.0.1"); fi
done

image_config() { # image-or-container go-template: one line per list item
    buildah inspect --format "{{range $2}}{{println .}}{{end}}" "$1"
}

# Starts one service the way a container engine does: the image's entrypoint with compose's command (else the image's
# CMD), as the image's user; a named volume starts out owned like the image's folder it covers.
start_service() { # name image [--env K=V | --volume SRC:DST[:ro] | --volume-named NAME:DST]... -- [command...]
    local name="$1" image="$2" c mnt volume owner target
    local config=() mounts=() argv=()
    shift 2
    c="$(buildah from --pull=never "${hosts[@]}" --name "onething-ci-$name-$$" "$image")"
    containers+=("$c")
    while [[ "$1" != -- ]]; do
        case "$1" in
            --env) config+=(--env "$2") ;;
            --volume)
                target="${2#*:}"
                mounts+=(-v "$2")
                config+=(--volume "${target%%:*}-") ;;
            --volume-named)
                volume="$work/volumes/${2%%:*}"
                mkdir -p "$volume"
                mnt="$(buildah mount "$c")"
                owner="$(stat -c %u:%g "$mnt${2#*:}" 2> /dev/null || echo 0:0)"
                buildah umount "$c" > /dev/null
                chown "$owner" "$volume"
                mounts+=(-v "$volume:${2#*:}")
                config+=(--volume "${2#*:}-") ;;
        esac
        shift 2
    done
    shift
    # A mount replaces the image's VOLUME at its path (config --volume PATH-), as in an engine; else buildah may put
    # its own anonymous volume over the mount.
    ((${#config[@]} == 0)) || buildah config "${config[@]}" "$c"
    mapfile -t argv < <(image_config "$c" .OCIv1.Config.Entrypoint)
    if (($# > 0)); then argv+=("$@"); else mapfile -t -O "${#argv[@]}" argv < <(image_config "$c" .OCIv1.Config.Cmd); fi
    say "start $name: ${argv[*]}"
    # Not through in_netns: ip execs buildah, so $! is buildah's pid and the cleanup's kill stops the service.
    ip netns exec "$netns" buildah run --isolation chroot "${mounts[@]}" "$c" -- "${argv[@]}" > "$work/$name.log" 2>&1 &
    pids+=($!)
}

# The image's HEALTHCHECK command, run inside the gateway's network as the engine would.
healthcheck() {
    local test=()
    mapfile -t test < <(image_config "$healthcheck_container" .Docker.Config.Healthcheck.Test)
    [[ "${test[0]:-}" == CMD ]] || fail "the gateway image has no HEALTHCHECK in exec form (got: ${test[*]:-none})"
    in_netns buildah run --isolation chroot "$healthcheck_container" -- "${test[@]:1}" > /dev/null 2>&1
}

wait_for() { # seconds command...: polls every second until the command succeeds
    local deadline=$((SECONDS + $1))
    shift
    until "$@"; do
        ((SECONDS < deadline)) || return 1
        sleep 1
    done
}

gateway_image="localhost/onething-edge:local"
healthcheck_container="$(buildah from --pull=never --name "onething-ci-healthcheck-$$" "$gateway_image")"
containers+=("$healthcheck_container")
! healthcheck || fail "the HEALTHCHECK command succeeded with no gateway running: it checks nothing"

t0=$SECONDS
for line in "${plan[@]}"; do
    eval "words=($line)"
    if [[ "${words[0]}" == run ]]; then start_service "${words[@]:1}"; fi
done
gateway_log="$work/gateway.log" simulator_log="$work/simulator.log"

healthz() { in_netns curl -fsS --max-time 2 http://127.0.0.1:8080/healthz 2> /dev/null | grep -qx ok; }
readyz() { in_netns curl -fsS --max-time 2 -o /dev/null http://127.0.0.1:8080/readyz 2> /dev/null; }
wait_for 240 healthz || { tail -30 "$gateway_log" >&2; fail "the gateway's /healthz did not answer ok within 240 s"; }
say "/healthz answers ok ($((SECONDS - t0)) s after the first service started)"
healthcheck || fail "the image's HEALTHCHECK command failed while /healthz answers"
say "the HEALTHCHECK command passes"
wait_for 120 readyz || { tail -30 "$gateway_log" >&2; fail "/readyz did not answer 200 within 120 s (broker, database or models)"; }
say "/readyz answers 200: broker (Mosquitto) connected, database writable, models loaded"

# One demo camera, published by the gateway image's camera-bridge through Mosquitto with its own login.
t_camera=$SECONDS
start_service camera-bridge "$gateway_image" --env "ONETHING_CAMERA_PASSWORD=$camera_password" \
    --volume "$work/frames/scenes:/frames:ro" -- camera-bridge --site demo-compound --broker mosquitto:1883 --fps 1 --loop \
    --camera cam-gate --username cam-gate --source /frames/hyperlpr_test_img.jpg
# The demo car is 苏ED51712; the simulator logs plates masked (PlateMask).
sms() { grep -q 'SMS case .* plate 苏E\*\*\*12 to ' "$simulator_log"; }
wait_for 300 sms || {
    tail -20 "$work/camera-bridge.log" "$gateway_log" "$simulator_log" >&2
    fail "no SMS for the demo car 苏ED51712 within 300 s of the camera's first frame"
}
sms_seconds=$((SECONDS - t_camera))
grep -q 'Violation .* confirmed: camera cam-gate' "$gateway_log" || fail "the SMS came without the gateway logging the confirmed case"
say "$(grep -m1 -o 'Violation .* confirmed: camera cam-gate.*' "$gateway_log")"
say "$(grep -m1 -o 'SMS case .*' "$simulator_log")"

# Not root: the image says so, and every gateway process in the services' network namespace runs as that user.
user="$(buildah inspect --format '{{.Docker.Config.User}}' "$healthcheck_container")"
[[ -n "$user" && "$user" != 0 && "$user" != root ]] || fail "the gateway image runs as root (USER '$user')"
gateway_uids="$(for pid in $(ip netns pids "$netns"); do
    if [[ "$(cat "/proc/$pid/comm" 2> /dev/null)" == onething-edge ]]; then awk '/^Uid:/ { print $2; print $3 }' "/proc/$pid/status"; fi
done | sort -u | tr '\n' ' ')"
[[ "$gateway_uids" == "$user " ]] || fail "the gateway's processes run as uid(s) '${gateway_uids:-none found}', not the image's user $user"
db_owner="$(stat -c %u "$work/volumes/gateway-data/edge.db" 2> /dev/null || echo missing)"
[[ "$db_owner" == "$user" ]] || fail "edge.db in the gateway-data volume: owner '$db_owner', expected the image's user $user"
say "runs as uid $user (USER in the image; every onething-edge process in the namespace; owner of edge.db in the volume)"

# The models in the image are the manifest's, byte for byte.
/usr/bin/python3 -c 'import json, sys
for f in json.load(open(sys.argv[1], encoding="utf-8"))["files"]: print(f["sha256"] + "  " + f["file"])' models/manifest.json > "$work/models.sha256"
buildah run --isolation chroot -v "$work/models.sha256:/tmp/models.sha256:ro" "$healthcheck_container" -- \
    sh -c 'cd /opt/onething-edge/models && sha256sum --quiet -c /tmp/models.sha256' || fail "the models in the image do not match models/manifest.json"
say "models in /opt/onething-edge/models: $(wc -l < "$work/models.sha256") files, sha256 as in models/manifest.json"

size() { buildah images --format '{{.Size}}' "$1" | head -1; }
say "figures: gateway image $(size "$gateway_image"), simulator image $(size localhost/onething-traffic-simulator:local);" \
    "bases $bases_seconds s, image build $build_seconds s, camera's first frame to SMS $sms_seconds s, whole check $((SECONDS - started)) s"
