#!/usr/bin/python3
"""Reads a compose file and prints what `docker compose up` would do, as shell lines for deploy/build-images.sh:

    build IMAGE CONTEXT DOCKERFILE TARGET            one per service with a build: section
    run SERVICE IMAGE --env K=V... --volume SRC:DST[:ro]... --volume-named NAME:DST... -- [COMMAND...]

Services come in dependency order (depends_on), the environment is env_file then environment (which wins), ${VAR},
${VAR:-default} and ${VAR:?message} are interpolated from this process's environment, then the .env file beside the
compose file, and bind mounts are resolved against the compose file's folder, as Compose does. A key this reader does
not know stops it with an error, so the check never silently skips a part of the file.

Usage: compose-plan.py COMPOSE_FILE [--image NAME=REPLACEMENT]...   (an image that cannot be pulled here)
"""
import argparse
import os
import re
import shlex
import sys

import yaml

SERVICE_KEYS = {"image", "build", "restart", "depends_on", "command", "environment", "env_file", "ports", "volumes"}
BUILD_KEYS = {"context", "dockerfile", "target"}


def fail(message):
    sys.exit(f"compose-plan: {message}")


def read_env_file(path):
    values = {}
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if line and not line.startswith("#"):
            key, sep, value = line.partition("=")
            if not sep:
                fail(f"{path}: line without '=': {line}")
            values[key.strip()] = value
    return values


def interpolate(value, variables):
    def substitute(match):
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group(1), match.group(2), match.group(3) or ""
        current = variables.get(name)
        if op == ":?" and not current:
            fail(f"{name}: {arg}")
        if op == ":-" and not current:
            return arg
        if current is None:
            fail(f"${{{name}}} is not set")
        return current

    return re.sub(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:\?|:-)([^}]*))?\}", substitute, value)


def in_dependency_order(services):
    ordered, visiting = [], set()

    def visit(name):
        if name in ordered:
            return
        if name in visiting:
            fail(f"depends_on cycle at {name}")
        visiting.add(name)
        for dependency in services[name].get("depends_on") or []:
            if dependency not in services:
                fail(f"{name} depends on unknown service {dependency}")
            visit(dependency)
        ordered.append(name)

    for name in services:
        visit(name)
    return ordered


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("compose_file")
    parser.add_argument("--image", action="append", default=[], metavar="NAME=REPLACEMENT")
    args = parser.parse_args()
    compose_file = os.path.abspath(args.compose_file)
    folder = os.path.dirname(compose_file)
    replacements = dict(pair.split("=", 1) for pair in args.image)
    variables = {}
    if os.path.exists(os.path.join(folder, ".env")):
        variables.update(read_env_file(os.path.join(folder, ".env")))
    variables.update(os.environ)  # the shell's environment wins over .env, as in Compose

    document = yaml.safe_load(open(compose_file, encoding="utf-8"))
    unknown = set(document) - {"name", "services", "volumes"}
    if unknown:
        fail(f"top-level keys not checked: {sorted(unknown)}")
    services = document["services"]
    named_volumes = set(document.get("volumes") or {})

    for name in in_dependency_order(services):
        service = services[name]
        unknown = set(service) - SERVICE_KEYS
        if unknown:
            fail(f"{name}: keys not checked: {sorted(unknown)}")
        image = replacements.get(service["image"], service["image"])
        build = service.get("build")
        if build:
            if set(build) - BUILD_KEYS:
                fail(f"{name}: build keys not checked: {sorted(set(build) - BUILD_KEYS)}")
            context = os.path.normpath(os.path.join(folder, build.get("context", ".")))
            print(shlex.join(["build", image, context, build.get("dockerfile", "Dockerfile"), build.get("target", "")]))

        environment = {}
        for env_file in service.get("env_file") or []:
            environment.update(read_env_file(os.path.join(folder, env_file)))
        declared = service.get("environment") or {}
        if isinstance(declared, list):
            declared = dict(item.split("=", 1) for item in declared)
        environment.update({key: interpolate(str(value), variables) for key, value in declared.items()})

        words = ["run", name, image]
        for key, value in environment.items():
            words += ["--env", f"{key}={value}"]
        for volume in service.get("volumes") or []:
            source, target, *mode = volume.split(":")
            if source in named_volumes:
                words += ["--volume-named", f"{source}:{target}"]
            else:
                words += ["--volume", ":".join([os.path.normpath(os.path.join(folder, source)), target, *mode])]
        command = service.get("command")
        words.append("--")
        words += shlex.split(command) if isinstance(command, str) else [str(word) for word in command or []]
        print(shlex.join(words))


main()
