"""Run nginx as a child process with a configuration in a temporary folder.

The benchmark never touches the system's nginx service: each server here is
its own master process, started with ``-p`` and ``-c`` pointing into the
benchmark's folder, listening on 127.0.0.1 only.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from bench.servers import ChildServer

__all__ = [
    "DEPLOY_CONFIG",
    "NginxError",
    "plain_config",
    "render_deploy_config",
    "start_nginx",
]

ROOT = Path(__file__).resolve().parents[1]
DEPLOY_CONFIG = ROOT / "deploy" / "nginx.conf"

# The lines of deploy/nginx.conf that an installation edits, each replaced
# once. Nothing else of the file is changed.
EDITED_LINES = {
    "app": "    server 127.0.0.1:8000;",
    "listen": "    listen 80;",
    "root": (
        "        root /var/lib/statuspage/snapshots$statuspage_files;"
        "  # EDIT: STATUS_SNAPSHOT_ROOT"
    ),
}


class NginxError(RuntimeError):
    """nginx is missing, or rejected or could not run a configuration."""


def render_deploy_config(*, port: int, app_port: int, snapshot_root: Path) -> str:
    """Return deploy/nginx.conf with its edited lines set for the benchmark."""
    text = DEPLOY_CONFIG.read_text()
    replacements = {
        "app": f"    server 127.0.0.1:{app_port};",
        "listen": f"    listen 127.0.0.1:{port};",
        "root": f"        root {snapshot_root}$statuspage_files;",
    }
    for key, line in EDITED_LINES.items():
        if text.count(line) != 1:
            raise NginxError(f"{DEPLOY_CONFIG} must contain the line {line!r} once.")
        text = text.replace(line, replacements[key])
    return text


def plain_config(*, port: int, root: Path) -> str:
    """Return a server block that serves ``root`` as plain static files,
    with their ``.gz`` copies to clients that accept gzip, as the
    deployed configuration does."""
    return (
        "server {\n"
        f"    listen 127.0.0.1:{port};\n"
        f"    root {root};\n"
        "    location / { gzip_static on; }\n"
        "}\n"
    )


def _main_config(folder: Path, site: Path, workers: int) -> str:
    # A worker that runs as "nobody" could not read the temporary folder.
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp_paths = "".join(
        f"    {kind}_temp_path {folder / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"{user}"
        "daemon off;\n"
        f"worker_processes {workers};\n"
        f"pid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'} warn;\n"
        "events { worker_connections 4096; }\n"
        "http {\n"
        "    include /etc/nginx/mime.types;\n"
        "    default_type application/octet-stream;\n"
        "    access_log off;\n"
        "    sendfile on;\n"
        "    tcp_nopush on;\n"
        "    keepalive_requests 1000000;\n"
        f"{temp_paths}"
        f"    include {site};\n"
        "}\n"
    )


def start_nginx(folder: Path, site_config: str, *, workers: int = 1) -> ChildServer:
    """Write ``site_config`` and a main configuration that includes it into
    ``folder``, check them with ``nginx -t`` and start nginx.

    The caller passes the port inside ``site_config``; the returned server
    waits for it to accept connections.
    """
    executable = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(executable).exists():
        raise NginxError("nginx is not installed; run `apt-get install nginx-light`.")

    folder.mkdir(parents=True, exist_ok=True)
    site = folder / "site.conf"
    site.write_text(site_config)
    main = folder / "nginx.conf"
    main.write_text(_main_config(folder, site, workers))

    command = [executable, "-p", str(folder), "-c", str(main)]
    checked = subprocess.run(
        [*command, "-t", "-q"], capture_output=True, text=True, check=False
    )
    if checked.returncode != 0:
        raise NginxError(f"nginx rejected {site}: {checked.stderr.strip()}")
    return ChildServer("nginx", command, port=_listen_port(site_config))


def _listen_port(site_config: str) -> int:
    for line in site_config.splitlines():
        words = line.split()
        if words[:1] == ["listen"] and words[1].startswith("127.0.0.1:"):
            return int(words[1].rstrip(";").rpartition(":")[2])
    raise NginxError("The configuration has no 'listen 127.0.0.1:<port>' line.")
