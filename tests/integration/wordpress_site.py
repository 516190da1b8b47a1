"""A real WordPress on 127.0.0.1 for the integration tests: Debian's ``wordpress`` package, MariaDB and PHP.

Nothing touches the system's own WordPress, database or web server: MariaDB runs on a fresh data directory
and a unix socket in a temporary directory (no TCP), PHP's built-in server serves a temporary site root whose
files link to /usr/share/wordpress and whose wp-config.php, wp-content and plugins are our own. Everything is
stopped and deleted when the session ends. Without the packages the tests skip and say which are missing
(CI installs them in .ci/run).
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

WORDPRESS_ROOT = Path("/usr/share/wordpress")
SBIN = ("/usr/sbin", "/usr/local/sbin", "/usr/libexec")
SETUP_TIMEOUT = 60.0

# Plugins the site gets: directory (or single file) → header fields, and whether it is activated. They are
# header-only stand-ins named exactly like the real marketing plugins; WordPress lists them like any other.
PLUGIN_STUBS: dict[str, dict[str, str]] = {
    "leadin/leadin.php": {"Plugin Name": "HubSpot All-In-One Marketing - Forms, Popups, Live Chat",
                          "Version": "11.1.34", "Author": "HubSpot", "Plugin URI": "https://www.hubspot.com"},
    "mailchimp-for-wp/mailchimp-for-wp.php": {"Plugin Name": "MC4WP: Mailchimp for WordPress", "Version": "4.9.17",
                                              "Author": "ibericode", "Plugin URI": "https://www.mc4wp.com/"},
    "google-site-kit/google-site-kit.php": {"Plugin Name": "Site Kit by Google", "Version": "1.131.0",
                                            "Author": "Google", "Plugin URI": "https://sitekit.withgoogle.com"},
    "duracelltomi-google-tag-manager/duracelltomi-google-tag-manager-for-wordpress.php": {
        "Plugin Name": "GTM4WP - A Google Tag Manager (GTM) plugin for WordPress", "Version": "1.20.2",
        "Author": "Thomas Geiger", "Plugin URI": "https://gtm4wp.com/"},
    "two-factor/two-factor.php": {"Plugin Name": "Two Factor", "Version": "0.9.1",
                                  "Author": "WordPress.org Contributors",
                                  "Plugin URI": "https://wordpress.org/plugins/two-factor/"},
    "hello.php": {"Plugin Name": "Hello Dolly", "Version": "1.7.2", "Author": "Matt Mullenweg",
                  "Plugin URI": "http://wordpress.org/plugins/hello-dolly/"},
}
ACTIVATED = ("leadin/leadin.php", "mailchimp-for-wp/mailchimp-for-wp.php", "google-site-kit/google-site-kit.php",
             "two-factor/two-factor.php")
ADMIN = {"login": "erin", "email": "erin.walsh@northwind.example", "name": "Erin Walsh", "role": "administrator"}
EDITOR = {"login": "sam", "email": "sam.editor@northwind.example", "name": "Sam Editor", "role": "editor"}
READER = {"login": "reader", "email": "reader@mail.example", "name": "Rita Reader", "role": "subscriber"}
# user login → names of the application passwords created for it
APP_PASSWORDS = {"erin": ("stackaudit", "Old deploy script"), "sam": ("Editor audit",)}


@dataclasses.dataclass
class RealWordPress:
    base_url: str
    version: str
    users: dict[str, int]  # login → user id
    passwords: dict[str, dict[str, str]]  # login → {application password name: password}
    uuids: dict[str, str]  # application password name → uuid
    akismet_version: str
    request_log: Path
    setup_seconds: float

    def requests_seen(self) -> list[tuple[str, str]]:
        """(method, path) of every request the site received, as its router logged them."""
        lines = self.request_log.read_text(encoding="utf-8").splitlines()
        return [(method, path) for method, _, path in (line.partition(" ") for line in lines)]


def _find(*names: str) -> str | None:
    for name in names:
        found = shutil.which(name) or next((f"{d}/{name}" for d in SBIN if os.access(f"{d}/{name}", os.X_OK)), None)
        if found:
            return found
    return None


def _missing() -> list[str]:
    missing = []
    php = _find("php")
    if php is None:
        missing.append("php (package php-cli)")
    elif subprocess.run([php, "-r", "exit(extension_loaded('mysqli') ? 0 : 1);"], check=False).returncode:
        missing.append("the PHP mysqli extension (package php-mysql)")
    if _find("mariadbd", "mysqld") is None or _find("mariadb-install-db", "mysql_install_db") is None:
        missing.append("MariaDB server (package mariadb-server)")
    if not (WORDPRESS_ROOT / "wp-load.php").exists():
        missing.append(f"WordPress in {WORDPRESS_ROOT} (package wordpress)")
    return missing


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(what: str, ready: Any, process: subprocess.Popen[bytes], log: Path, deadline: float) -> None:
    while not ready():
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}:\n{log.read_text(errors='replace')[-2000:]}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not come up within {SETUP_TIMEOUT:.0f}s:\n"
                               f"{log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.05)


def _socket_accepts(path: Path) -> bool:
    if not path.exists():
        return False
    with socket.socket(socket.AF_UNIX) as probe:
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True


def _http_ready(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _start_mariadb(work: Path, deadline: float) -> subprocess.Popen[bytes]:
    datadir, log = work / "db", work / "mariadb.log"
    server = _find("mariadbd", "mysqld")
    installer = _find("mariadb-install-db", "mysql_install_db")
    assert server and installer
    as_user = ["--user=root"] if os.geteuid() == 0 else []  # mariadbd refuses to run as root without it
    tuning = ["--innodb-buffer-pool-size=16M", "--innodb-log-file-size=8M"]
    with log.open("wb") as out:
        subprocess.run([installer, "--no-defaults", f"--datadir={datadir}", "--auth-root-authentication-method=normal",
                        "--skip-test-db", "--skip-name-resolve", *as_user, *tuning],
                       stdout=out, stderr=subprocess.STDOUT, check=True, timeout=SETUP_TIMEOUT)
    process = subprocess.Popen(
        [server, "--no-defaults", f"--datadir={datadir}", f"--socket={work / 'mysqld.sock'}",
         f"--pid-file={work / 'mysqld.pid'}", "--skip-networking", "--skip-log-bin", f"--log-error={log}",
         "--innodb-flush-log-at-trx-commit=0", *as_user, *tuning],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    _wait("mariadbd", lambda: _socket_accepts(work / "mysqld.sock"), process, log, deadline)
    return process


def _php_header(fields: dict[str, str]) -> str:
    lines = "\n".join(f" * {key}: {value}" for key, value in fields.items())
    return f"<?php\n/**\n{lines}\n */\n"


def _build_site(work: Path, port: int) -> tuple[Path, Path]:
    """A site root linking to the packaged WordPress, with our own config and content directory."""
    site, content = work / "site", work / "wp-content"
    site.mkdir()
    for entry in WORDPRESS_ROOT.iterdir():
        if entry.name not in ("wp-config.php", "wp-content", ".htaccess"):
            (site / entry.name).symlink_to(entry)
    (content / "plugins").mkdir(parents=True)
    (content / "themes").mkdir()
    (content / "uploads").mkdir()
    (content / "mu-plugins").mkdir()
    for theme in (WORDPRESS_ROOT / "wp-content" / "themes").iterdir():
        (content / "themes" / theme.name).symlink_to(theme)
    (content / "plugins" / "akismet").symlink_to(WORDPRESS_ROOT / "wp-content" / "plugins" / "akismet")
    for file, fields in PLUGIN_STUBS.items():
        path = content / "plugins" / file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_php_header(fields), encoding="utf-8")
    # No mail server here: WordPress would try to mail the new admin.
    (content / "mu-plugins" / "no-mail.php").write_text("<?php\nadd_filter('pre_wp_mail', '__return_true');\n")
    url = f"http://127.0.0.1:{port}"
    keys = "\n".join(f"define('{k}', '{os.urandom(24).hex()}');" for k in (
        "AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY", "AUTH_SALT", "SECURE_AUTH_SALT",
        "LOGGED_IN_SALT", "NONCE_SALT"))
    (site / "wp-config.php").write_text(textwrap.dedent(f"""\
        <?php
        define('DB_NAME', 'wordpress');
        define('DB_USER', 'root');
        define('DB_PASSWORD', '');
        define('DB_HOST', 'localhost:{work / "mysqld.sock"}');
        define('DB_CHARSET', 'utf8mb4');
        define('DB_COLLATE', '');
        $table_prefix = 'wp_';
        define('WP_ENVIRONMENT_TYPE', 'local');  // application passwords over plain HTTP on 127.0.0.1
        define('WP_HOME', '{url}');
        define('WP_SITEURL', '{url}');
        define('WP_CONTENT_DIR', '{content}');
        define('WP_CONTENT_URL', '{url}/wp-content');
        define('DISABLE_WP_CRON', true);
        define('AUTOMATIC_UPDATER_DISABLED', true);
        define('WP_HTTP_BLOCK_EXTERNAL', true);
        """) + keys + textwrap.dedent("""
        if (!defined('ABSPATH')) { define('ABSPATH', __DIR__ . '/'); }
        require_once ABSPATH . 'wp-settings.php';
        """), encoding="utf-8")
    # PHP's server runs this for every request. ABSPATH must name our site root before WordPress's own
    # files (which live in /usr/share/wordpress) work it out, or they would load Debian's config.
    router = work / "router.php"
    router.write_text(textwrap.dedent(f"""\
        <?php
        file_put_contents('{work / "requests.log"}', $_SERVER['REQUEST_METHOD'] . ' ' . $_SERVER['REQUEST_URI'] . "\n",
                          FILE_APPEND | LOCK_EX);
        define('ABSPATH', '{site}/');
        $path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
        $file = ABSPATH . ltrim($path, '/');
        if ($path !== '/' && is_file($file)) {{
            if (substr($file, -4) !== '.php') {{ return false; }}
            require $file;
            return true;
        }}
        require ABSPATH . 'index.php';
        """), encoding="utf-8")
    return site, router


def _install(php: str, work: Path, site: Path, port: int) -> dict[str, Any]:
    """Install WordPress and set up users, application passwords and plugins through its own PHP API."""
    setup = {"admin": ADMIN, "others": [EDITOR, READER], "app_passwords": APP_PASSWORDS, "activate": ACTIVATED,
             "socket": str(work / "mysqld.sock")}
    (work / "setup.json").write_text(json.dumps(setup), encoding="utf-8")
    script = work / "install.php"
    script.write_text(textwrap.dedent(f"""\
        <?php
        $setup = json_decode(file_get_contents(__DIR__ . '/setup.json'), true);
        $db = new mysqli('localhost', 'root', '', '', 0, $setup['socket']);
        $db->query('CREATE DATABASE IF NOT EXISTS wordpress');
        define('ABSPATH', '{site}/');
        define('WP_INSTALLING', true);
        $_SERVER['HTTP_HOST'] = '127.0.0.1:{port}';
        $_SERVER['REQUEST_URI'] = '/';
        $_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
        require ABSPATH . 'wp-load.php';
        require_once ABSPATH . 'wp-admin/includes/upgrade.php';
        require_once ABSPATH . 'wp-admin/includes/plugin.php';
        $admin = $setup['admin'];
        $installed = wp_install('Northwind Test Blog', $admin['login'], $admin['email'], true, '',
                                wp_generate_password(32));
        wp_update_user(['ID' => $installed['user_id'], 'display_name' => $admin['name']]);
        $ids = [$admin['login'] => $installed['user_id']];
        foreach ($setup['others'] as $user) {{
            $ids[$user['login']] = wp_insert_user(['user_login' => $user['login'], 'user_email' => $user['email'],
                'display_name' => $user['name'], 'role' => $user['role'], 'user_pass' => wp_generate_password(32)]);
        }}
        $wp_rewrite->set_permalink_structure('/%postname%/');
        flush_rewrite_rules(false);
        $passwords = [];
        $uuids = [];
        foreach ($setup['app_passwords'] as $login => $names) {{
            foreach ($names as $name) {{
                [$password, $item] = WP_Application_Passwords::create_new_application_password($ids[$login],
                    ['name' => $name]);
                $passwords[$login][$name] = $password;
                $uuids[$name] = $item['uuid'];
            }}
        }}
        $activated = activate_plugins($setup['activate']);
        echo json_encode(['users' => $ids, 'passwords' => $passwords, 'uuids' => $uuids,
                          'activated' => $activated === true, 'version' => get_bloginfo('version')]);
        """), encoding="utf-8")
    done = subprocess.run([php, str(script)], capture_output=True, check=False, timeout=SETUP_TIMEOUT, cwd=work)
    if done.returncode != 0:
        raise RuntimeError(f"WordPress install failed ({done.returncode}):\n{done.stdout.decode()[-2000:]}\n"
                           f"{done.stderr.decode()[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.decode().strip().splitlines()[-1])
    if not result["activated"]:
        raise RuntimeError(f"activating plugins failed: {result}")
    return result


def serve() -> Iterator[RealWordPress]:
    """Set the site up, yield it, and stop and delete everything afterwards (the session fixture's body)."""
    missing = _missing()
    if missing:
        pytest.skip("the real-WordPress test needs Debian's wordpress, mariadb-server and php packages "
                    f"(.ci/run installs them); missing: {', '.join(missing)}")
    php = _find("php")
    assert php is not None
    # One short temporary directory for everything (unix socket paths are limited to ~100 bytes), removed at
    # the end: the database files, the site, the logs.
    work = Path(tempfile.mkdtemp(prefix="sa-wp-"))
    started = time.monotonic()
    deadline = started + SETUP_TIMEOUT
    processes: list[subprocess.Popen[bytes]] = []
    try:
        processes.append(_start_mariadb(work, deadline))
        port = _free_port()
        site, router = _build_site(work, port)
        installed = _install(php, work, site, port)
        log = work / "php-server.log"
        with log.open("wb") as out:
            server = subprocess.Popen([php, "-S", f"127.0.0.1:{port}", "-t", str(site), str(router)],
                                      stdout=out, stderr=subprocess.STDOUT, cwd=work, start_new_session=True)
        processes.append(server)
        base_url = f"http://127.0.0.1:{port}"
        _wait("php -S", lambda: _http_ready(f"{base_url}/wp-json/"), server, log, deadline)
        akismet = (WORDPRESS_ROOT / "wp-content/plugins/akismet/akismet.php").read_text(encoding="utf-8")
        akismet_version = next(line.split(":", 1)[1].strip() for line in akismet.splitlines()
                               if line.strip().lstrip("* ").startswith("Version:"))
        yield RealWordPress(base_url=base_url, version=installed["version"], users=installed["users"],
                            passwords=installed["passwords"], uuids=installed["uuids"],
                            akismet_version=akismet_version, request_log=work / "requests.log",
                            setup_seconds=round(time.monotonic() - started, 2))
    finally:
        for process in reversed(processes):
            _stop(process)
        shutil.rmtree(work, ignore_errors=True)
