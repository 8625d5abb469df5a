"""Starting, stopping and configuring the site as an operator does: `python3 dev.py run` stops
everything it started on SIGINT and SIGTERM, installs trust the system's certificates and fail in
one plain sentence, `manage.py migrate` alone leaves a working site, and `.env.example` names
every variable the settings read."""

import ast
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

import environ
import pytest
from django.conf import settings

from tests.support import wait_for

ROOT = Path(settings.BASE_DIR)
# What the test run sets that an operator's shell would not.
OURS = {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DEBUG"}


def operator_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in OURS and not k.startswith("PYTEST_")}
    return {**env, **extra}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def process_tree(root: int) -> set[int]:
    """`root` and every process below it, read from /proc."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, grown = {root}, True
    while grown:
        below = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= below
        grown = bool(below)
    return tree


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has stopped; only its parent's wait is missing


def answers(url: str) -> bool:
    try:
        with urlopen(url, timeout=5) as response:
            return response.status == 200
    except (URLError, OSError):
        return False


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory):
    """One embedded site for both runs: the second migrates and seeds in a few seconds."""
    return tmp_path_factory.mktemp("var")


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_dev_run_started_in_the_background_stops_web_worker_and_beat_on_a_signal(signum, var_dir):
    port = free_port()
    log = var_dir / f"run-{signum.name}.log"
    # In the background of a non-interactive shell, as a script or CI would start it: the shell
    # starts it with SIGINT ignored.
    started = subprocess.run(
        ["bash", "-c", f"{sys.executable} dev.py run > {log} 2>&1 & echo $!"],
        cwd=ROOT,
        env=operator_env(VAR_DIR=str(var_dir), PORT=str(port)),
        capture_output=True,
        text=True,
        check=True,
    )
    dev = int(started.stdout)
    url = f"http://127.0.0.1:{port}/"
    servers: set[int] = set()
    try:
        assert wait_for(lambda: answers(url) or not alive(dev), seconds=240), log.read_text()
        assert answers(url), log.read_text()
        assert wait_for(lambda: "TheMentors is running at" in log.read_text(), seconds=10)
        servers = process_tree(dev) - {dev}
        assert len(servers) >= 3, "web, worker and beat"

        os.kill(dev, signum)
        assert wait_for(lambda: not any(alive(pid) for pid in servers | {dev}), seconds=30), (
            [pid for pid in servers | {dev} if alive(pid)],
            log.read_text()[-3000:],
        )
        assert not answers(url)
        with socket.socket() as again:  # nothing listens: the next run can have the port
            again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers do
            again.bind(("127.0.0.1", port))
    finally:  # never leave a server behind, even when the test failed
        for pid in process_tree(dev) | servers:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)

    printed = log.read_text()
    # The address printed, the seed's login line and the links in e-mails use the real port.
    assert f"TheMentors is running at {url}" in printed
    assert f"Log in at http://127.0.0.1:{port}/ with password" in printed
    assert "127.0.0.1:8000" not in printed


@pytest.fixture
def failing_uv(tmp_path):
    """A `uv` on PATH that fails as uv does behind a TLS-intercepting proxy, and writes down the
    certificate settings it was given."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    seen = tmp_path / "uv-env"
    fake = bin_dir / "uv"
    fake.write_text(
        "#!/bin/sh\n"
        'if [ "$2" = "--help" ]; then echo "      --system-certs  [env: UV_SYSTEM_CERTS=]"; exit 0; fi\n'
        f'echo "UV_SYSTEM_CERTS=$UV_SYSTEM_CERTS UV_NATIVE_TLS=$UV_NATIVE_TLS" > {seen}\n'
        "echo 'error: Request failed after 3 retries' >&2\n"
        "echo '  Caused by: invalid peer certificate: UnknownIssuer' >&2\n"
        "exit 2\n"
    )
    fake.chmod(0o755)
    return bin_dir, seen


@pytest.mark.parametrize("command", ["run", "test"])
def test_a_failed_install_ends_with_one_plain_sentence_of_what_to_do(command, failing_uv, tmp_path):
    bin_dir, seen = failing_uv
    result = subprocess.run(
        [sys.executable, "dev.py", command],
        cwd=ROOT,
        env=operator_env(PATH=f"{bin_dir}:{os.environ['PATH']}", VAR_DIR=str(tmp_path / "var")),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert "Could not install the dependencies" in last and "certificate" in last and last.endswith(".")
    assert "UnknownIssuer" in result.stderr  # uv's own reason stays above it
    # Where the machine has a certificate store, uv was told to trust it.
    assert "UV_SYSTEM_CERTS=1" in seen.read_text()


def test_uv_and_pip_trust_the_system_certificate_store_unless_told_otherwise(monkeypatch, tmp_path):
    sys.path.insert(0, str(ROOT))
    try:
        import dev
    finally:
        sys.path.remove(str(ROOT))
    bundle = tmp_path / "corporate.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    for name in ("UV_SYSTEM_CERTS", "UV_NATIVE_TLS", "PIP_CERT", "REQUESTS_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))

    current = dev.tls_environment("  --system-certs [env: UV_SYSTEM_CERTS=]")
    assert current["UV_SYSTEM_CERTS"] == "1" and current["PIP_CERT"] == str(bundle)
    older_uv = dev.tls_environment("  --native-tls [env: UV_NATIVE_TLS=]")
    assert older_uv["UV_NATIVE_TLS"] == "1" and "UV_SYSTEM_CERTS" not in older_uv

    monkeypatch.setenv("UV_NATIVE_TLS", "false")  # the person's own choice wins
    monkeypatch.setenv("PIP_CERT", "/etc/mine.pem")
    chosen = dev.tls_environment("  --system-certs [env: UV_SYSTEM_CERTS=]")
    assert chosen["UV_NATIVE_TLS"] == "false" and "UV_SYSTEM_CERTS" not in chosen
    assert chosen["PIP_CERT"] == "/etc/mine.pem"


def test_migrate_alone_leaves_a_working_site_without_redis(tmp_path):
    env = operator_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        VAR_DIR=str(tmp_path),
        DEBUG="0",
        SECRET_KEY="a-production-key-" + "x" * 40,
        ALLOWED_HOSTS="testserver",
        STATICFILES_STORAGE="django.contrib.staticfiles.storage.StaticFilesStorage",
    )
    manage = [sys.executable, "manage.py"]
    migrated = subprocess.run([*manage, "migrate", "--no-input"], cwd=ROOT, env=env, capture_output=True)
    assert migrated.returncode == 0, migrated.stderr
    pages = subprocess.run(
        [
            *manage,
            "shell",
            "--verbosity=0",
            "-c",
            "from django.test import Client\n"
            "for path in ['/', '/mentors/', '/mentors/?q=design', '/cohorts/', '/healthz']:\n"
            "    print(path, Client(raise_request_exception=False).get(path, secure=True).status_code)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert pages.returncode == 0, pages.stderr
    assert pages.stdout.split() == [
        *("/", "200", "/mentors/", "200", "/mentors/?q=design", "200", "/cohorts/", "200"),
        *("/healthz", "200"),
    ], pages.stderr[-2000:]


# --- .env.example ------------------------------------------------------------------------------


def variables_the_settings_read() -> set[str]:
    tree = ast.parse((ROOT / "config" / "settings.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)):
            continue
        func = node.func
        reader = func if isinstance(func, ast.Name) else getattr(func, "value", None)
        if isinstance(reader, ast.Name) and reader.id == "env":
            names.add(node.args[0].value)
    return names


def read_like_the_settings(path: Path) -> dict:
    """The example as config/settings.py would read it from .env: django-environ's read_env."""

    class Reader(environ.Env):
        ENVIRON: dict = {}

    Reader.read_env(path, overwrite=True)
    return Reader.ENVIRON


def test_env_example_sets_every_variable_the_settings_read_without_inline_comments():
    read = variables_the_settings_read()
    assert {"SECRET_KEY", "CACHE_KEY_PREFIX", "CELERY_BROKER_URL", "RATELIMIT_LOGIN_FAILED"} <= read
    example = read_like_the_settings(ROOT / ".env.example")
    assert read - set(example) == set(), "add these to .env.example"
    assert set(example) - read == set(), "the settings no longer read these"
    commented = {name: value for name, value in example.items() if "#" in value}
    assert commented == {}, "a comment after a value becomes part of it: put it on the line above"


def test_settings_built_from_env_example_start_and_keep_their_defaults(tmp_path):
    """Copied to .env as it is, the example gives working settings: an empty variable means its
    default (an empty CELERY_BROKER_URL is REDIS_URL, not a broker called "")."""
    project = tmp_path / "site"
    project.mkdir()
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; django.setup()\n"
        "from django.conf import settings as s\n"
        "print(s.CELERY_BROKER_URL, s.CACHES['default']['KEY_PREFIX'] == '',"
        " s.DATABASES['default']['CONN_MAX_AGE'], s.RATELIMIT_BOOKING_PER_USER,"
        " s.ACCOUNT_RATE_LIMITS['login_failed'], s.EMAIL_FILE_PATH)"
    )
    env = {
        k: v
        for k, v in operator_env().items()
        if k not in {"STATICFILES_STORAGE", "VAR_DIR"} and not k.startswith(("RATELIMIT_", "CELERY_"))
    }
    env.update(read_like_the_settings(ROOT / ".env.example"))
    env.update(DATABASE_URL="postgres://thementors@127.0.0.1:5432/thementors", VAR_DIR=str(project))
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "redis://redis:6379/0",
        "True",
        "60",
        "10/m",
        "10/m/ip,5/5m/key",
        str(project / "mail"),
    ]


@pytest.mark.parametrize(
    ("variable", "value", "setting"),
    [
        ("RATELIMIT_BOOKING_PER_USER", "3/m", "settings.RATELIMIT_BOOKING_PER_USER"),
        ("RATELIMIT_MESSAGE_PER_IP", "100/5m", "settings.RATELIMIT_MESSAGE_PER_IP"),
        ("RATELIMIT_LOGIN_FAILED", "3/m/ip,2/10m/key", "settings.ACCOUNT_RATE_LIMITS['login_failed']"),
    ],
)
def test_rate_limits_are_read_from_the_environment(variable, value, setting):
    result = settings_process(f"print({setting})", **{variable: value})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == value


@pytest.mark.parametrize(
    ("variable", "value"),
    [("RATELIMIT_BOOKING_PER_USER", "ten a minute"), ("RATELIMIT_SIGNUP", "20/m/everyone")],
)
def test_a_mistyped_rate_limit_stops_the_start_with_the_variable_named(variable, value):
    result = settings_process("print('started')", **{variable: value})
    assert result.returncode != 0
    assert f"{variable}={value!r} is not a rate limit" in result.stderr


def settings_process(code: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; django.setup()\n"
            f"from django.conf import settings\n{code}",
        ],
        cwd=ROOT,
        env=operator_env(DEBUG="1", **env),
        capture_output=True,
        text=True,
        timeout=120,
    )
