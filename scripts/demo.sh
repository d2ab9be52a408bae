#!/usr/bin/env bash
# The gateway's main job on one machine: the gateway (embedded MQTT broker, SQLite), the traffic-system simulator
# and two demo cameras playing sample frames. Within about a minute a parked car is confirmed and its owner's SMS
# is printed; a minute later, the car still there, the case is escalated to an officer's PDA, which the officer app
# at http://127.0.0.1:8080/officer/ shows (login pda-officer-1, password officer-demo-1). Ctrl+C stops it all.
# DEMO_SECONDS=N stops it by itself after N seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

bash models/fetch.sh
bash models/fetch.sh deploy/demo/frames.json data/demo-frames samples
dotnet build -c Release -v quiet -nologo edge/OneThing.Edge.Host
dotnet build -c Release -v quiet -nologo cloud-connector/OneThing.TrafficSystem.Simulator

gateway="$repo/edge/OneThing.Edge.Host/bin/Release/net10.0/onething-edge.dll"
simulator="$repo/cloud-connector/OneThing.TrafficSystem.Simulator/bin/Release/net10.0/onething-traffic-simulator.dll"
rm -rf data/demo && mkdir -p data/demo # a fresh site every run, so the demo cites again
token="demo-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

# Device logins of the embedded broker (their hashes by environment variable, as a site sets them): the cameras and
# the observer get a fresh password each run; the demo officer's PDA a known one, to log in to the officer app with.
officer_password="officer-demo-1"
camera_password="cam-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
observer_password="observer-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
hash() { printf '%s\n' "$1" | dotnet "$gateway" hash-password; }
camera_hash="$(hash "$camera_password")"
export OneThing__Mqtt__Devices__0__PasswordHash="$camera_hash" OneThing__Mqtt__Devices__1__PasswordHash="$camera_hash"
OneThing__Mqtt__Devices__2__PasswordHash="$(hash "$officer_password")"
OneThing__Mqtt__Devices__3__PasswordHash="$(hash "$observer_password")"
export OneThing__Mqtt__Devices__2__PasswordHash OneThing__Mqtt__Devices__3__PasswordHash

dotnet "$simulator" --urls http://127.0.0.1:5080 --Simulator:Token "$token" --Simulator:NoticeFile data/demo/sms.jsonl &
pids+=($!)
console_token="console-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
OneThing__TrafficSystem__Token="$token" OneThing__Console__Token="$console_token" dotnet "$gateway" run --config deploy/demo/appsettings.Demo.json &
pids+=($!)

for _ in $(seq 1 120); do curl -fs http://127.0.0.1:8080/healthz >/dev/null 2>&1 && break; sleep 0.5; done
curl -fs http://127.0.0.1:8080/healthz >/dev/null || { echo "the gateway did not start; see the log above" >&2; exit 1; }

bridge() { ONETHING_CAMERA_PASSWORD="$camera_password" dotnet "$gateway" camera-bridge --site demo-compound --broker 127.0.0.1:1883 --fps 1 --loop --camera "$1" --username "$1" --source "$2" & pids+=($!); }
bridge cam-gate data/demo-frames/scenes/hyperlpr_test_img.jpg
bridge cam-court data/demo-frames/plates/ccpd_rpnet_demo_3.jpg

cat <<INFO

  Demo running: operator console http://127.0.0.1:8080 (token: $console_token), /metrics, /readyz;
  MQTT on 127.0.0.1:1883; traffic-system simulator http://127.0.0.1:5080.
  Cameras cam-gate and cam-court play a parked car each; watch for "Violation ... confirmed" and "SMS ... to 1xx****xxxx".
  Officer app (PDA terminal): http://127.0.0.1:8080/officer/ in Chrome; log in as pda-officer-1, password $officer_password.
  Follow the case events:   mosquitto_sub -h 127.0.0.1 -V mqttv5 -u observer -P $observer_password -t 'onething/demo-compound/events/#' -v
  Send an officer's report: see README.md, "Try a PDA report" (MQTT login pda-officer-1 / $officer_password).

INFO
if [[ -n "${DEMO_SECONDS:-}" ]]; then sleep "$DEMO_SECONDS"; else wait; fi
