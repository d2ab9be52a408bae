"""The image check's site configuration: the site example with the demo's site, cameras, officers and log levels.

Usage: site-config.py appsettings.Site.example.json appsettings.Demo.json > appsettings.Site.json
"""
import json
import sys

site, demo = (json.load(open(path, encoding="utf-8")) for path in sys.argv[1:3])
site["Serilog"] = demo["Serilog"]
for key in ("SiteId", "Cameras", "Clearance"):
    site["OneThing"][key] = demo["OneThing"][key]
# The gateway takes frames and reports only from listed devices (External mode): list the demo's, as a site lists its own.
site["OneThing"]["Mqtt"]["Devices"] = [{"Role": "camera", "Id": c["Id"]} for c in demo["OneThing"]["Cameras"]] + [
    {"Role": "pda", "Id": d} for d in demo["OneThing"]["Clearance"]["OfficerDevices"]
]
json.dump(site, sys.stdout, ensure_ascii=False, indent=2)
