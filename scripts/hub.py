"""The course on a JupyterHub on this machine: real Unix users, nbgrader's exchange (docs/teacher.md).

    sudo python scripts/hub.py serve --instructor teacher --students roster.txt --create-users

sets everything up (again: each step is skipped when already done) and runs the hub in the
foreground on http://<this machine>:8000 until Ctrl-C. Students log in, open Nbgrader > Assignment
List and fetch, validate and submit; the instructor opens /user/<instructor>/formgrader. Steps
(``setup`` does them without starting the hub):

1. a Python environment every user can run (``PREFIX/env``, default /opt/lagrange-ad-hub/env):
   Python's venv filled by uv from requirements.lock, the package installed into it (not editable:
   students cannot read the repository, and must not import an instructor's working copy);
2. JupyterHub's proxy, configurable-http-proxy, from npm, pinned by deploy/proxy/package-lock.json;
3. the users: with ``--create-users`` missing ones are made with useradd (home 0700, no password:
   give them one with ``passwd`` for the default PAM login, or use another authenticator);
4. the exchange (default /srv/nbgrader/exchange) with nbgrader's documented ``chmod ugo+rw``;
5. Jupyter settings per role, picked by the spawner through JUPYTER_CONFIG_PATH: students get the
   Assignment List and Validate, the instructor also the formgrader, Create Assignment and the
   Course List; both read the exchange's place and the course id; the instructor also reads the
   course's nbgrader_config.py (the same grading rules as the command line);
6. the course folder ``~INSTRUCTOR/lagrange-ad`` with every chapter under ``source/chNN/`` (files
   already there are left alone: the instructor may have edited them);
7. ``STATE/jupyterhub_config.py`` (STATE defaults to PREFIX/hub): LocalProcessSpawner, each user's
   server started as that user from the shared environment, opening JupyterLab.

Login is PAM (Unix passwords) unless ``--test-password`` is given: that lets every listed user in
with one shared password and is for tests only. Production: see docs/teacher.md.
Everything must run as root (it creates users and starts servers as them).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pwd
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LOCK = REPO / "requirements.lock"
PROXY_PACKAGE = REPO / "deploy" / "proxy"
COURSE_CONFIG = REPO / "nbgrader_config.py"
COURSE_ID = "lagrange-ad"  # nbgrader_config.py's CourseDirectory.course_id
UV = "uv==0.13.9"  # the resolver scripts/update_lock.py pins
DEFAULT_PREFIX = Path("/opt/lagrange-ad-hub")
DEFAULT_EXCHANGE = Path("/srv/nbgrader/exchange")
# Pages of nbgrader's JupyterLab extension a student must not see, and the matching server parts.
INSTRUCTOR_LAB_PLUGINS = ["@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                          "@jupyter/nbgrader:course-list"]
INSTRUCTOR_SERVER_EXTENSIONS = ["nbgrader.server_extensions.formgrader",
                                "nbgrader.server_extensions.course_list"]


class HubError(Exception):
    """A step cannot run; the message says what to fix."""


@dataclass
class Course:
    """Where everything of one hub lives, and who is in it."""

    instructor: str
    students: list[str]
    prefix: Path = DEFAULT_PREFIX
    state: Path | None = None
    exchange: Path = DEFAULT_EXCHANGE
    port: int = 8000
    ip: str = ""  # all interfaces
    hub_port: int = 8081
    proxy_api_port: int = 8001
    test_password: str | None = None
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        self.prefix = Path(self.prefix)
        self.state = Path(self.state) if self.state else self.prefix / "hub"
        self.exchange = Path(self.exchange)
        bad = [u for u in [self.instructor, *self.students] if not valid_username(u)]
        if bad:
            raise HubError(f"not usable as Unix user names and nbgrader student ids: {bad} (lower-case "
                           "letters, digits, '-' and '_', starting with a letter, at most 32 characters)")
        if self.instructor in self.students:
            raise HubError(f"{self.instructor!r} is both the instructor and a student")

    @property
    def env(self) -> Path:
        return self.prefix / "env"

    @property
    def python(self) -> Path:
        return self.env / "bin" / "python"

    @property
    def proxy(self) -> Path:
        return self.prefix / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy"

    @property
    def users(self) -> list[str]:
        return [self.instructor, *self.students]

    def home(self, user: str) -> Path:
        return Path(pwd.getpwnam(user).pw_dir)

    def course_root(self) -> Path:
        return self.home(self.instructor) / COURSE_ID

    def config_path(self, user: str) -> str:
        """JUPYTER_CONFIG_PATH for this user's server and commands: their role's folder, then common."""
        role = "instructor" if user == self.instructor else "student"
        return os.pathsep.join([str(self.state / "jupyter" / role), str(self.state / "jupyter" / "common")])

    def user_env(self, user: str) -> dict[str, str]:
        """The environment a user's server (and their command-line nbgrader) runs with."""
        env = {"PATH": f"{self.env / 'bin'}:/usr/local/bin:/usr/bin:/bin",
               "JUPYTER_CONFIG_PATH": self.config_path(user)}
        if user == self.instructor:
            env["LAGRANGE_AD_COURSE"] = str(self.course_root())
        return env


def valid_username(name: str) -> bool:
    """A name useradd accepts and nbgrader can file (no '+', which separates its file names).

    >>> valid_username("alice"), valid_username("Alice"), valid_username("a+b")
    (True, False, False)
    """
    import re

    return re.fullmatch(r"[a-z][a-z0-9_-]{0,31}", name) is not None


def run(cmd: list, **kwargs) -> subprocess.CompletedProcess:
    print("$ " + " ".join(map(str, cmd)), flush=True)
    return subprocess.run([str(c) for c in cmd], check=True, **kwargs)


def world_reachable(path: Path) -> bool:
    """Can every user reach (and read) ``path``: each folder above it searchable by others?

    >>> world_reachable(Path("/"))
    True
    """
    path = Path(os.path.realpath(path))
    for folder in [*reversed(path.parents), path]:
        mode = os.stat(folder).st_mode
        if stat.S_ISDIR(mode) and not mode & stat.S_IXOTH:
            return False
    return bool(os.stat(path).st_mode & stat.S_IROTH)


def shared_python(install: bool = True) -> Path:
    """A Python >= 3.11 that every user can run (the environment is a venv on top of it); on Debian,
    the system's python3 is installed with apt-get if there is none."""
    candidates = [Path("/usr/bin/python3"), Path("/usr/local/bin/python3"), Path(sys.executable)]
    for python in candidates:
        if not python.exists() or not world_reachable(python):
            continue
        version = subprocess.run([python, "-c", "import sys; print(sys.version_info >= (3, 11))"],
                                 capture_output=True, text=True).stdout.strip()
        if version == "True":
            return python
    if install and shutil.which("apt-get"):
        # A fresh Debian machine whose only Python lives under /root (pyenv): add the system's.
        run(["apt-get", "install", "-y", "--no-install-recommends", "python3"],
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        return shared_python(install=False)
    raise HubError("no Python >= 3.11 that every user can run (checked "
                   f"{', '.join(map(str, candidates))}): install Debian's python3 (apt-get install python3)")


# ---- the steps -----------------------------------------------------------------------------


def build_environment(course: Course) -> None:
    """PREFIX/env: a venv every user can run, holding requirements.lock and the package."""
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    marker = course.env / ".lagrange-ad-lock-sha256"
    if not (marker.exists() and marker.read_text() == digest):
        if course.env.exists():
            shutil.rmtree(course.env)
        course.prefix.mkdir(parents=True, exist_ok=True)
        os.chmod(course.prefix, 0o755)
        uv = ensure_uv()
        run([*uv, "venv", "--quiet", "--python", shared_python(), course.env])
        # uv keeps a cache (~/.cache/uv): a second environment from the same lock takes seconds.
        run([*uv, "pip", "install", "--quiet", "--python", course.python, "-r", LOCK])
        marker.write_text(digest)
    # The package itself, from this checkout, every time (it changes more often than the lock).
    # Built with the environment's locked setuptools; --refresh: uv would reuse an old build otherwise.
    run([*ensure_uv(), "pip", "install", "--quiet", "--reinstall-package", "lagrange-ad",
         "--refresh-package", "lagrange-ad", "--no-deps", "--no-build-isolation", "--python", course.python, REPO])
    check = subprocess.run([course.python, "-c", "import lagrange_ad, nbgrader, jupyterhub"],
                           capture_output=True, text=True)
    if check.returncode != 0:
        raise HubError(f"the environment {course.env} is broken:\n{check.stderr}")


def ensure_uv() -> list[str]:
    """The pinned uv, installed into the Python running this script if missing."""
    if subprocess.run([sys.executable, "-m", "uv", "--version"], capture_output=True).returncode != 0:
        run([sys.executable, "-m", "pip", "install", "--quiet", UV])
    return [sys.executable, "-m", "uv"]


def install_proxy(course: Course) -> None:
    """configurable-http-proxy, exactly as deploy/proxy/package-lock.json pins it."""
    folder = course.prefix / "proxy"
    lock = (PROXY_PACKAGE / "package-lock.json").read_text()
    if course.proxy.exists() and (folder / "package-lock.json").exists() \
            and (folder / "package-lock.json").read_text() == lock:
        return
    if shutil.which("npm") is None:
        raise HubError("npm is missing: apt-get install npm (it installs JupyterHub's proxy)")
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy(PROXY_PACKAGE / name, folder / name)
    run(["npm", "ci", "--omit=dev", "--no-audit", "--no-fund", "--loglevel=error"], cwd=folder)


def ensure_users(course: Course, create: bool) -> None:
    missing = []
    for user in course.users:
        try:
            pwd.getpwnam(user)
        except KeyError:
            missing.append(user)
    if missing and not create:
        raise HubError(f"no Unix user {', '.join(missing)}: create them (useradd) or pass --create-users")
    for user in missing:
        run(["useradd", "--create-home", "--shell", "/bin/bash", "--user-group", user])
    for user in course.users:
        os.chmod(course.home(user), 0o700)  # nobody reads another's notebooks


def make_exchange(course: Course) -> None:
    """nbgrader's exchange: a folder everyone may write (nbgrader sets the modes inside it)."""
    course.exchange.mkdir(parents=True, exist_ok=True)
    os.chmod(course.exchange, os.stat(course.exchange).st_mode | 0o777)  # chmod ugo+rw, as nbgrader says
    if not world_reachable(course.exchange):
        raise HubError(f"{course.exchange}: a folder above it is closed to other users")


def write_jupyter_config(course: Course) -> None:
    """STATE/jupyter/{common,student,instructor}: the role folders JUPYTER_CONFIG_PATH names."""
    root = course.state / "jupyter"
    common = root / "common"
    write(common / "nbgrader_config.py",
          "# Written by scripts/hub.py for every user of this hub.\n"
          "c = get_config()  # noqa: F821\n"
          f"c.Exchange.root = {str(course.exchange)!r}\n"
          f"c.CourseDirectory.course_id = {COURSE_ID!r}\n")
    # No "get Jupyter news?" pop-up for a class of hundreds.
    write(common / "labconfig" / "default_setting_overrides.json", json.dumps(
        {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}}))
    student = root / "student"
    write(student / "jupyter_server_config.json", json.dumps(
        {"ServerApp": {"jpserver_extensions": dict.fromkeys(INSTRUCTOR_SERVER_EXTENSIONS, False)}}, indent=1))
    write(student / "labconfig" / "page_config.json", json.dumps(
        {"disabledExtensions": dict.fromkeys(INSTRUCTOR_LAB_PLUGINS, True)}, indent=1))
    instructor = root / "instructor"
    # The course's grading rules (the same file the command line uses); its course folder comes
    # from LAGRANGE_AD_COURSE, which the spawner sets for the instructor.
    write(instructor / "nbgrader_config.py", COURSE_CONFIG.read_text())
    # ... with the grading plugins it imports from scripts/ beside it (classroom_kit).
    kit = instructor / "scripts" / "classroom_kit"
    shutil.rmtree(kit, ignore_errors=True)
    shutil.copytree(REPO / "scripts" / "classroom_kit", kit, ignore=shutil.ignore_patterns("__pycache__"))
    for path in kit.rglob("*"):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    write(instructor / "jupyter_server_config.json", json.dumps(
        {"ServerApp": {"jpserver_extensions": dict.fromkeys(INSTRUCTOR_SERVER_EXTENSIONS, True)}}, indent=1))
    write(instructor / "labconfig" / "page_config.json", json.dumps(
        {"disabledExtensions": dict.fromkeys(INSTRUCTOR_LAB_PLUGINS, False)}, indent=1))
    for folder in [course.state, *(p for p in root.rglob("*") if p.is_dir()), root]:
        os.chmod(folder, 0o755)  # readable by the users' servers; nothing secret in here


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.chmod(path, 0o644)


def make_course(course: Course) -> None:
    """~INSTRUCTOR/lagrange-ad/source/chNN/ from book/, owned by the instructor."""
    user = pwd.getpwnam(course.instructor)
    root = course.course_root()
    for notebook in sorted((REPO / "book").glob("ch[0-9][0-9]_*.ipynb")):
        target = root / "source" / notebook.name[:4] / notebook.name
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(notebook, target)
    for path in [root, *root.rglob("*")]:
        os.chown(path, user.pw_uid, user.pw_gid)


def write_hub_config(course: Course) -> Path:
    """STATE/jupyterhub_config.py, reading STATE/private/settings.json. STATE/private (0700) also
    holds the hub's database, cookie secret and the proxy's pid: nothing a user may read."""
    private = course.state / "private"
    private.mkdir(parents=True, exist_ok=True)
    os.chmod(private, 0o700)
    settings = {
        "ip": course.ip, "port": course.port, "hub_port": course.hub_port,
        "proxy_api_port": course.proxy_api_port, "proxy": str(course.proxy), "state": str(course.state),
        "singleuser": str(course.env / "bin" / "jupyterhub-singleuser"),
        "instructor": course.instructor, "students": course.students,
        "user_env": {u: course.user_env(u) for u in course.users},
        "test_password": course.test_password,
    }
    write(private / "settings.json", json.dumps(settings, indent=1))
    os.chmod(private / "settings.json", 0o600)  # may hold the test password
    path = course.state / "jupyterhub_config.py"
    write(path, HUB_CONFIG)
    return path


HUB_CONFIG = '''\
# Written by scripts/hub.py with private/settings.json; change those settings through the script.
import json
from pathlib import Path

c = get_config()  # noqa: F821
s = json.loads((Path(__file__).parent / "private" / "settings.json").read_text())
private = s["state"] + "/private/"  # mode 0700: the database holds token hashes

c.JupyterHub.ip = s["ip"]
c.JupyterHub.port = s["port"]
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = s["hub_port"]
c.JupyterHub.db_url = "sqlite:///" + private + "jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = private + "jupyterhub_cookie_secret"
c.ConfigurableHTTPProxy.command = [s["proxy"]]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:%d" % s["proxy_api_port"]
c.ConfigurableHTTPProxy.pid_file = private + "jupyterhub-proxy.pid"

# Each user's server runs as that Unix user (the hub runs as root), from the shared environment.
c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"
c.Spawner.cmd = [s["singleuser"]]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.env_keep = ["LANG", "LC_ALL"]  # not root's PATH or PYTHONPATH
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180


def role_environment(spawner):
    spawner.environment.update(s["user_env"][spawner.user.name])


c.Spawner.pre_spawn_hook = role_environment

c.Authenticator.allowed_users = {s["instructor"], *s["students"]}
if s["test_password"]:
    # Tests only: every listed user logs in with this one password (this authenticator wants a
    # separate password for admins, so nobody is an admin in tests).
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = s["test_password"]
else:
    c.JupyterHub.authenticator_class = "pam"  # the users' Unix passwords
    c.Authenticator.admin_users = {s["instructor"]}  # may see and stop the students' servers
'''


def setup(course: Course, create_users: bool = False, proxy: bool = True) -> Path:
    """Every step but starting the hub (``proxy=False``: no proxy, for command-line use only);
    returns the hub's config file."""
    if os.geteuid() != 0:
        raise HubError("run as root: the hub creates users and starts their servers as them")
    build_environment(course)
    if proxy:
        install_proxy(course)
    ensure_users(course, create_users)
    make_exchange(course)
    write_jupyter_config(course)
    make_course(course)
    return write_hub_config(course)


def hub_command(course: Course) -> list[str]:
    return [str(course.env / "bin" / "jupyterhub"), "-f", str(course.state / "jupyterhub_config.py")]


def user_process_options(course: Course, user: str) -> dict:
    """subprocess options that run a command as a Unix user of the hub, in their home, with their
    server's environment (what a terminal in their JupyterLab would have)."""
    entry = pwd.getpwnam(user)
    env = {"HOME": entry.pw_dir, "USER": user, "LOGNAME": user, "SHELL": entry.pw_shell,
           "LANG": os.environ.get("LANG", "C.UTF-8"), **course.user_env(user)}
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": [], "cwd": entry.pw_dir, "env": env}


def as_user(course: Course, user: str, cmd: list, **kwargs) -> subprocess.CompletedProcess:
    """Run ``cmd`` as a Unix user of the hub (see user_process_options) and wait for it."""
    return subprocess.run([str(c) for c in cmd], **{**user_process_options(course, user), **kwargs})


def nbgrader(course: Course, user: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
    """``nbgrader ARGS`` as ``user``, as in a terminal of their server (capture_output by default)."""
    kwargs.setdefault("capture_output", True)
    kwargs.setdefault("text", True)
    return as_user(course, user, [course.python, "-m", "nbgrader", *args], **kwargs)


def read_roster(value: str) -> list[str]:
    """``a,b,c`` or a file with one name per line (# comments allowed)."""
    path = Path(value)
    if path.exists():
        names = [line.split("#")[0].strip() for line in path.read_text().splitlines()]
        return [n for n in names if n]
    return [n.strip() for n in value.split(",") if n.strip()]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["setup", "serve"], help="setup only, or setup and run the hub")
    parser.add_argument("--instructor", required=True, help="the instructor's Unix user name")
    parser.add_argument("--students", required=True, help="a,b,c or a file with one user name per line")
    parser.add_argument("--create-users", action="store_true", help="useradd the users that do not exist")
    parser.add_argument("--prefix", type=Path, default=DEFAULT_PREFIX, help="environment, proxy (%(default)s)")
    parser.add_argument("--state", type=Path, help="the hub's database and configuration (PREFIX/hub)")
    parser.add_argument("--exchange", type=Path, default=DEFAULT_EXCHANGE, help="nbgrader's exchange (%(default)s)")
    parser.add_argument("--ip", default="", help="address to listen on (all by default)")
    parser.add_argument("--port", type=int, default=8000, help="the hub's public port (%(default)s)")
    parser.add_argument("--hub-port", type=int, default=8081, help="the hub's internal API port")
    parser.add_argument("--proxy-api-port", type=int, default=8001, help="the proxy's API port")
    parser.add_argument("--test-password", help="TESTS ONLY: every listed user logs in with this password")
    args = parser.parse_args(argv)
    try:
        course = Course(instructor=args.instructor, students=read_roster(args.students), prefix=args.prefix,
                        state=args.state, exchange=args.exchange, ip=args.ip, port=args.port,
                        hub_port=args.hub_port, proxy_api_port=args.proxy_api_port,
                        test_password=args.test_password)
        setup(course, create_users=args.create_users)
    except HubError as err:
        print(f"hub: {err}", file=sys.stderr)
        return 2
    if args.command == "setup":
        print(f"Ready. Start the hub with: {' '.join(hub_command(course))}")
        return 0
    if args.test_password:
        print("WARNING: --test-password lets anyone who knows it in as any listed user. Tests only.",
              file=sys.stderr)
    os.execv(hub_command(course)[0], hub_command(course))


if __name__ == "__main__":
    sys.exit(main())
