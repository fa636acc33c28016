"""Build and run the throwaway Neo4j 5.26 LTS Community server (see ``pom.xml`` and
``src/main/java/kommunetz/Neo4jLauncher.java``).

Used by the test fixtures (a server per test session on a free port, stopped at the end)
and by ``make neo4j`` / ``make neo4j-stop`` (a detached server for a user)::

    python -m tests.neo4j_server.server start   # prints NEO4J_URI / _USERNAME / _PASSWORD
    python -m tests.neo4j_server.server stop
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
TARGET = HERE / "target"
MAIN_CLASS = "kommunetz.Neo4jLauncher"
STATE_DIR = REPO / ".neo4j"
USER_PASSWORD = "kommunetz-dev"


class Unavailable(RuntimeError):
    """Java or Maven is missing, or the server did not come up; the message says which."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _built() -> bool:
    launcher = TARGET / "classes" / "kommunetz" / "Neo4jLauncher.class"
    if not launcher.exists() or not (TARGET / "lib").is_dir():
        return False
    sources = [HERE / "pom.xml", *HERE.glob("src/**/*.java")]
    return launcher.stat().st_mtime >= max(p.stat().st_mtime for p in sources)


def build() -> None:
    """Compile the launcher and fetch Neo4j from Maven Central (once; cached in ~/.m2)."""
    if shutil.which("java") is None:
        raise Unavailable("Java (17+) is not installed: cannot run the Neo4j test server")
    if _built():
        return
    mvn = shutil.which("mvn")
    if mvn is None:
        raise Unavailable("Maven is not installed: cannot fetch Neo4j from Maven Central")
    proc = subprocess.run(
        [mvn, "-q", "-B", "-f", str(HERE / "pom.xml"), "package", "-DskipTests"],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise Unavailable(f"Maven build of the Neo4j launcher failed:\n{proc.stdout}{proc.stderr}")


@dataclass
class Server:
    """A running server; `stop` ends it and waits."""

    process: subprocess.Popen[bytes]
    uri: str
    user: str
    password: str
    home: Path

    def stop(self, timeout: float = 60) -> None:
        if self.process.poll() is not None:
            return
        if self.process.stdin:
            self.process.stdin.close()  # the launcher exits cleanly when stdin closes
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            self.process.wait(30)


def _java_command(home: Path, port: int, password: str) -> list[str]:
    heap = os.environ.get("KOMMUNETZ_NEO4J_HEAP", "2g")
    extra = os.environ.get("KOMMUNETZ_NEO4J_JAVA_OPTS", "").split()
    classpath = os.pathsep.join([str(TARGET / "classes"), str(TARGET / "lib" / "*")])
    return [
        "java",
        f"-Xmx{heap}",
        "-XX:+UseG1GC",
        *extra,
        "-cp",
        classpath,
        MAIN_CLASS,
        str(home),
        str(port),
        password,
    ]


def _wait_ready(proc: subprocess.Popen[bytes], log: Path, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline().decode(errors="replace")
        if line.startswith("READY "):
            return line.split()[1]
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise Unavailable(f"Neo4j did not start; see {log}")


def start(
    home: Path,
    port: int | None = None,
    password: str = "kommunetz-test",
    timeout: float = 180,
    detached: bool = False,
) -> Server:
    """Start a server with its data under ``home``; return once Bolt accepts connections."""
    build()
    port = port or free_port()
    home.mkdir(parents=True, exist_ok=True)
    log = home / "server.log"
    env = dict(os.environ)
    if detached:
        env["KOMMUNETZ_NEO4J_DETACHED"] = "1"
    with open(log, "ab") as err:
        proc = subprocess.Popen(
            _java_command(home, port, password),
            stdin=subprocess.DEVNULL if detached else subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=err,
            env=env,
            start_new_session=detached,
        )
    uri = _wait_ready(proc, log, timeout)
    return Server(proc, uri, "neo4j", password, home)


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "start"
    pid_file = STATE_DIR / "pid"
    if command == "stop":
        if not pid_file.exists():
            print("Kein von `make neo4j` gestarteter Server läuft.")
            return 0
        pid = int(pid_file.read_text())
        try:
            os.kill(pid, signal.SIGTERM)
            for _ in range(120):
                os.kill(pid, 0)
                time.sleep(0.5)
        except ProcessLookupError:
            pass
        pid_file.unlink(missing_ok=True)
        print(f"Neo4j (pid {pid}) gestoppt.")
        return 0
    if pid_file.exists():
        try:
            os.kill(int(pid_file.read_text()), 0)
            print((STATE_DIR / "env").read_text(), end="")
            print("# läuft bereits; `make neo4j-stop` beendet ihn")
            return 0
        except ProcessLookupError:
            pid_file.unlink()
    try:
        port = 7687
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                port = free_port()
        server = start(STATE_DIR / "data", port, USER_PASSWORD, detached=True)
    except Unavailable as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return 1
    pid_file.write_text(str(server.process.pid))
    env_text = (
        f"export NEO4J_URI={server.uri}\n"
        f"export NEO4J_USERNAME={server.user}\n"
        f"export NEO4J_PASSWORD={server.password}\n"
        "export NEO4J_DATABASE=neo4j\n"
    )
    (STATE_DIR / "env").write_text(env_text)
    print(env_text, end="")
    print(f"# Neo4j 5.26 Community läuft (pid {server.process.pid}, Daten in {STATE_DIR}/data).")
    print("# Für diese Shell: source .neo4j/env   ·   Beenden: make neo4j-stop")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
