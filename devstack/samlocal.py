"""SAM local, offline: the API and the agents in Lambda-like containers (`make sam-local`).

    uv run python -m devstack.samlocal image      # dockerd + the local Lambda python3.11 image
    uv run python -m devstack.samlocal invoke     # `sam local invoke` of each agent with events/*.json
    uv run python -m devstack.samlocal api        # the dev stack + `sam local start-api` (make sam-local)

What it does, all on this machine and without a registry:

1. **Docker.** Uses the daemon at DOCKER_HOST when one answers; otherwise starts `dockerd` with its
   own socket, data root and exec root under build/docker (build/ is git-ignored) and stops it again
   on exit, after removing every container left in it.
2. **A Lambda python3.11 image** (`public.ecr.aws/lambda/python:3.11-x86_64`, the tag `sam local`
   looks for; always used with --skip-pull-image): a Debian bookworm root filesystem made by
   debootstrap (python3 is 3.11; cached as build/lambda-image/rootfs-<key>.tar) and `docker import`ed,
   plus docker/lambda-python/ (entrypoint, /var/runtime/bootstrap running awslambdaric, /var/task,
   LAMBDA_TASK_ROOT) with awslambdaric + boto3 (manylinux wheels, as Lambda provides boto3) and the
   Runtime Interface Emulator from the aws-sam-cli wheel. Rebuilt only when one of those inputs
   changes (label moneygrow.image.key).
3. **sam build** of template.local.yaml into build/sam (the layer from scripts/build_layer.py; the ML
   agent gets build/ml like its CDK asset), then **sam local start-api** / **start-lambda** /
   **invoke** pointed at the in-process dev stack (`python -m devstack`: moto + anvil). The dev stack
   listens on 127.0.0.1 only; a TCP relay on the Docker bridge's gateway address (local, reachable
   from the containers as host.docker.internal) forwards to it.
4. In `api` mode the workflow runs in the dev stack's moto, and its Lambda tasks (agents, aggregate)
   are forwarded to `sam local start-lambda`: every function of the analysis runs in a container.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess  # nosec B404
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devstack.chain import free_port
from devstack.process import DevStack, dev_stack, stop_group, wait_until

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build"
DOCKER_STATE = BUILD / "docker"
IMAGE_STATE = BUILD / "lambda-image"
SAM_BUILD_DIR = BUILD / "sam"
IMAGE_FILES = ROOT / "docker" / "lambda-python"
EVENTS = ROOT / "events"
TEMPLATE = ROOT / "template.local.yaml"

SAM_CLI = "aws-sam-cli==1.170.0"
LAMBDA_IMAGE = "public.ecr.aws/lambda/python:3.11-x86_64"  # what `sam local` builds python3.11 on
ROOTFS_IMAGE = "moneygrow/bookworm-rootfs"
SUITE = "bookworm"
MIRROR = os.environ.get("MONEYGROW_DEBIAN_MIRROR", "http://deb.debian.org/debian")
ROOTFS_PACKAGES = ("python3", "ca-certificates")
RUNTIME_PACKAGES = ("awslambdaric==4.2.2", "boto3==1.44.8")  # boto3 as in uv.lock
# Trimmed from the root filesystem: apt's caches and lists, docs, man pages, translations.
ROOTFS_TRIM = (
    "var/cache/apt",
    "var/lib/apt/lists",
    "usr/share/doc",
    "usr/share/man",
    "usr/share/info",
    "usr/share/locale",
)
AGENT_FUNCTIONS = {  # SAM logical id -> sample event
    "HeuristicAgentFunction": "heuristic.json",
    "MlAgentFunction": "ml.json",
    "SmartMoneyAgentFunction": "smart_money.json",
}
LOCAL_HOST_NAME = "host.docker.internal"


def log(message: str) -> None:
    print(f"[sam-local] {message}", file=sys.stderr, flush=True)


# --- can Docker run here? -----------------------------------------------------------------------------


def docker_unavailable_reason() -> str | None:
    """None when this machine can run the SAM local stack, else why not (tests print it)."""
    if sys.platform != "linux":
        return f"SAM local here needs Linux (this is {sys.platform})"
    if shutil.which("docker") is None:
        return "no docker client on PATH (apt-get install docker.io)"
    if _daemon_answers(os.environ.get("DOCKER_HOST")):
        return None
    if shutil.which("dockerd") is None:
        return "no Docker daemon answers and dockerd is not installed (apt-get install docker.io)"
    if os.geteuid() != 0:
        return "no Docker daemon answers and starting dockerd needs root"
    if not _cached_rootfs().exists() and shutil.which("debootstrap") is None:
        return "the Lambda image is not cached and debootstrap is not installed (apt-get install debootstrap)"
    return None


def _daemon_answers(host: str | None) -> bool:
    if shutil.which("docker") is None:
        return False
    env = {**os.environ, **({"DOCKER_HOST": host} if host else {})}
    try:
        proc = subprocess.run(  # nosec B603 B607
            ["docker", "version", "--format", "{{.Server.Version}}"],
            env=env,
            capture_output=True,
            timeout=10,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return False
    return proc.returncode == 0


# --- dockerd -------------------------------------------------------------------------------------------


class DockerUnavailable(RuntimeError):
    """dockerd is installed but would not start here (no cgroups, no iptables, ...): Docker cannot run."""


class Dockerd:
    """The daemon to use: the one at DOCKER_HOST if it answers, else our own dockerd (stopped on exit)."""

    def __init__(self, state: Path = DOCKER_STATE) -> None:
        self.state = state
        self.proc: subprocess.Popen[bytes] | None = None
        self.host = os.environ.get("DOCKER_HOST", "")
        self.started_seconds = 0.0
        self.started_pid: int | None = None  # set when we started dockerd ourselves

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "DOCKER_HOST": self.host} if self.host else dict(os.environ)

    def docker(self, *args: str, check: bool = True, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        env = {**self.env, **kwargs.pop("env", {})}
        proc = subprocess.run(  # nosec B603 B607
            ["docker", *args], env=env, text=True, capture_output=True, check=False, **kwargs
        )
        if check and proc.returncode != 0:
            raise RuntimeError(
                f"docker {' '.join(args[:3])} failed ({proc.returncode}):\n{proc.stderr[-3000:]}"
            )
        return proc

    def start(self) -> Dockerd:
        if _daemon_answers(self.host or None):
            log(f"using the running Docker daemon ({self.host or 'default socket'})")
            return self
        self.state.mkdir(parents=True, exist_ok=True)
        sock = self.state / "docker.sock"
        # exec-root holds unix sockets (108-byte path limit): keep it short.
        exec_root = (
            Path(tempfile.gettempdir()) / f"mg-dockerd-{hashlib.sha256(bytes(self.state)).hexdigest()[:8]}"
        )
        self.host = f"unix://{sock}"
        started = time.monotonic()
        logfile = (self.state / "dockerd.log").open("ab")
        self.proc = subprocess.Popen(  # nosec B603 B607
            [
                "dockerd",
                "--host",
                self.host,
                "--data-root",
                str(self.state / "data"),
                "--exec-root",
                str(exec_root),
                "--pidfile",
                str(self.state / "dockerd.pid"),
            ],
            stdout=logfile,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        logfile.close()
        deadline = time.monotonic() + 60
        while not _daemon_answers(self.host):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                tail = (self.state / "dockerd.log").read_text(errors="replace")[-3000:]
                self.stop()
                raise DockerUnavailable(f"dockerd did not start:\n{tail}")
            time.sleep(0.2)
        self.started_seconds = time.monotonic() - started
        self.started_pid = self.proc.pid
        log(f"started dockerd (pid {self.proc.pid}, {self.host}) in {self.started_seconds:.1f} s")
        return self

    def remove_containers(self) -> None:
        ids = self.docker("ps", "-aq", check=False).stdout.split()
        if ids:
            self.docker("rm", "-f", *ids, check=False, timeout=60)

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            with contextlib.suppress(Exception):
                self.remove_containers()
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        log("stopped dockerd")
        self.proc = None

    def gateway(self) -> str:
        """The default bridge's gateway: a host address the containers can reach."""
        out = self.docker(
            "network", "inspect", "bridge", "--format", "{{range .IPAM.Config}}{{.Gateway}}{{end}}"
        ).stdout.strip()
        return out or "172.17.0.1"

    def __enter__(self) -> Dockerd:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --- the SAM CLI ----------------------------------------------------------------------------------------


def sam_command() -> list[str]:
    """`sam` at the pinned version: an installed uv tool when it matches, else `uv tool run`."""
    installed = shutil.which("sam")
    if installed:
        proc = subprocess.run([installed, "--version"], capture_output=True, text=True, check=False)  # nosec B603
        if SAM_CLI.split("==")[1] in proc.stdout:
            return [installed]
    uv = shutil.which("uv")
    if uv is None:
        raise RuntimeError("neither sam nor uv on PATH")
    return [uv, "tool", "run", "--from", SAM_CLI, "sam"]


def sam_env(docker: Dockerd) -> dict[str, str]:
    return {
        **docker.env,
        "SAM_CLI_TELEMETRY": "0",
        "SAM_CLI_DISABLE_UPDATE_CHECK": "1",
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",  # nosec B105: fake, sam local needs credentials, never AWS
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }


def rie_binary() -> Path:
    """The Runtime Interface Emulator inside the aws-sam-cli wheel."""
    cmd = sam_command()
    python = [*cmd[:-1], "python"] if cmd[-1] == "sam" and len(cmd) > 1 else None
    if python is None:  # an installed tool: its interpreter sits next to the sam script
        python = [str(Path(os.path.realpath(cmd[0])).parent / "python")]
    out = subprocess.run(  # nosec B603
        [*python, "-c", "import samcli, os; print(os.path.dirname(samcli.__file__))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    path = Path(out) / "local" / "rapid" / "aws-lambda-rie-x86_64"
    if not path.exists():
        raise RuntimeError(f"no RIE at {path}")
    return path


# --- the image ------------------------------------------------------------------------------------------


@dataclass
class ImageReport:
    tag: str
    key: str
    cached: bool
    seconds: float = 0.0
    size_bytes: int = 0
    steps: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        how = "cached" if self.cached else f"built in {self.seconds:.1f} s " + json.dumps(self.steps)
        return f"{self.tag} ({self.size_bytes / 1e6:.0f} MB, {how})"


def _rootfs_key() -> str:
    return hashlib.sha256(json.dumps([SUITE, MIRROR, ROOTFS_PACKAGES, ROOTFS_TRIM]).encode()).hexdigest()[:12]


def _cached_rootfs() -> Path:
    return IMAGE_STATE / f"rootfs-{_rootfs_key()}.tar"


def image_key() -> str:
    digest = hashlib.sha256(_rootfs_key().encode())
    digest.update(json.dumps(RUNTIME_PACKAGES).encode())
    digest.update(SAM_CLI.encode())
    for path in sorted(p for p in IMAGE_FILES.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(IMAGE_FILES)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _build_rootfs(steps: dict[str, float]) -> Path:
    target = _cached_rootfs()
    if target.exists():
        return target
    if shutil.which("debootstrap") is None:
        raise RuntimeError("debootstrap is not installed (apt-get install debootstrap)")
    IMAGE_STATE.mkdir(parents=True, exist_ok=True)
    tree = IMAGE_STATE / "rootfs"
    if tree.exists():
        shutil.rmtree(tree)
    started = time.monotonic()
    log(f"debootstrap {SUITE} ({', '.join(ROOTFS_PACKAGES)}) from {MIRROR} ...")
    subprocess.run(  # nosec B603 B607
        [
            "debootstrap",
            "--variant=minbase",
            f"--include={','.join(ROOTFS_PACKAGES)}",
            SUITE,
            str(tree),
            MIRROR,
        ],
        check=True,
        stdout=(IMAGE_STATE / "debootstrap.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    steps["debootstrap_s"] = round(time.monotonic() - started, 1)
    for rel in ROOTFS_TRIM:
        path = tree / rel
        if path.is_dir():
            shutil.rmtree(path)
            path.mkdir()
    partial = target.with_suffix(".partial")
    subprocess.run(["tar", "-C", str(tree), "-cf", str(partial), "."], check=True)  # nosec B603 B607
    partial.rename(target)
    shutil.rmtree(tree)
    return target


def _stage_context(context: Path) -> None:
    """docker/lambda-python + the runtime packages + the RIE: everything the Dockerfile COPYs."""
    shutil.copytree(IMAGE_FILES, context, dirs_exist_ok=True)
    uv = shutil.which("uv") or "uv"
    subprocess.run(  # nosec B603
        [
            uv,
            "pip",
            "install",
            "--quiet",
            "--target",
            str(context / "runtime"),
            "--python-version",
            "3.11",
            "--python-platform",
            "x86_64-manylinux_2_28",
            "--only-binary",
            ":all:",
            *RUNTIME_PACKAGES,
        ],
        check=True,
    )
    shutil.rmtree(context / "runtime" / "bin", ignore_errors=True)
    shutil.copy2(rie_binary(), context / "aws-lambda-rie")
    (context / "aws-lambda-rie").chmod(0o755)


def ensure_image(docker: Dockerd, *, force: bool = False) -> ImageReport:
    """The local Lambda python3.11 image, built once per set of inputs (label moneygrow.image.key)."""
    key = image_key()
    labels = docker.docker(
        "image", "inspect", LAMBDA_IMAGE, "--format", "{{json .Config.Labels}}", check=False
    )
    if (
        not force
        and labels.returncode == 0
        and (json.loads(labels.stdout or "null") or {}).get("moneygrow.image.key") == key
    ):
        return ImageReport(LAMBDA_IMAGE, key, cached=True, size_bytes=_image_size(docker))
    started = time.monotonic()
    steps: dict[str, float] = {}
    rootfs = _build_rootfs(steps)
    rootfs_tag = f"{ROOTFS_IMAGE}:{_rootfs_key()}"
    if docker.docker("image", "inspect", rootfs_tag, check=False).returncode != 0:
        t = time.monotonic()
        docker.docker("import", str(rootfs), rootfs_tag, timeout=600)
        steps["import_s"] = round(time.monotonic() - t, 1)
    t = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mg-lambda-image-") as tmp:
        context = Path(tmp)
        _stage_context(context)
        docker.docker(
            "build",
            "--build-arg",
            f"ROOTFS={rootfs_tag}",
            "--label",
            f"moneygrow.image.key={key}",
            "-t",
            LAMBDA_IMAGE,
            str(context),
            timeout=600,
            env={"DOCKER_BUILDKIT": "0"},
        )
    steps["build_s"] = round(time.monotonic() - t, 1)
    report = ImageReport(LAMBDA_IMAGE, key, cached=False, seconds=time.monotonic() - started, steps=steps)
    report.size_bytes = _image_size(docker)
    log(f"image {report.summary()}")
    return report


def _image_size(docker: Dockerd) -> int:
    out = docker.docker("image", "inspect", LAMBDA_IMAGE, "--format", "{{.Size}}", check=False).stdout
    return int(out.strip() or 0)


# --- sam build --------------------------------------------------------------------------------------------


def ensure_layer() -> None:
    """build/layer (scripts/build_layer.py): the third-party packages every function imports."""
    if (BUILD / "layer" / "python" / "fastapi").is_dir():
        return
    log("build/layer missing: running scripts/build_layer.py ...")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_layer.py")], cwd=ROOT, check=True)  # nosec B603


def sam_build(docker: Dockerd) -> Path:
    """`sam build` of template.local.yaml into build/sam; returns the built template."""
    ensure_layer()
    started = time.monotonic()
    subprocess.run(  # nosec B603
        [
            *sam_command(),
            "build",
            "--template-file",
            str(TEMPLATE),
            "--build-dir",
            str(SAM_BUILD_DIR),
        ],
        cwd=ROOT,
        env=sam_env(docker),
        check=True,
        capture_output=True,
        text=True,
    )
    ml_dir = SAM_BUILD_DIR / "MlAgentFunction"
    ml_packages = BUILD / "ml"
    if ml_dir.is_dir() and ml_packages.is_dir():  # as the CDK asset: numpy/scipy/sklearn beside the code
        shutil.copytree(ml_packages, ml_dir, dirs_exist_ok=True, copy_function=os.link)
    log(f"sam build in {time.monotonic() - started:.1f} s")
    return SAM_BUILD_DIR / "template.yaml"


# --- the relay: dev stack (127.0.0.1) <- containers ----------------------------------------


class Relay:
    """Accept on `listen_host:port` and forward every connection to 127.0.0.1:`port` (thread per pipe).
    Bound to the Docker bridge gateway only: local traffic between the containers and the dev stack."""

    def __init__(self, listen_host: str, port: int, target_port: int | None = None) -> None:
        self.listen_host = listen_host
        self.port = port
        self.target_port = target_port or port
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((listen_host, port))
        self._sock.listen(128)
        self._closed = False
        threading.Thread(target=self._accept, daemon=True, name=f"relay-{port}").start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=10)
        except OSError:
            client.close()
            return
        upstream.settimeout(None)
        threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()
        self._pipe(client, upstream)

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                dst.shutdown(socket.SHUT_WR)
            with contextlib.suppress(OSError):
                src.close()

    def close(self) -> None:
        self._closed = True
        with contextlib.suppress(OSError):
            self._sock.close()


# --- sam local ----------------------------------------------------------------------------------------------


def local_overrides(stack: DevStack, jwt_secret: str) -> list[str]:
    """--parameter-overrides: the functions' AWS endpoint and chain RPC at the dev stack (via the relay)."""
    return [
        f"AwsEndpointUrl=http://{LOCAL_HOST_NAME}:{stack.moto_port}",
        f"RpcUrl=http://{LOCAL_HOST_NAME}:{stack.anvil_port}",
        f"JwtSecret={jwt_secret}",
    ]


def write_env_vars(stack: DevStack, built_template: Path) -> Path:
    """--env-vars: the smart-money wallet list, copied into that function's code dir (/var/task)."""
    target = built_template.parent / "SmartMoneyAgentFunction" / "smart_money.csv"
    wallets = stack.state / "smart_money.csv"
    if wallets.exists() and target.parent.is_dir():
        shutil.copy2(wallets, target)
    path = stack.state / "sam-env.json"
    path.write_text(
        json.dumps(
            {"SmartMoneyAgentFunction": {"MONEYGROW_SMART_MONEY_WALLETS": "/var/task/smart_money.csv"}}
        )
    )
    return path


def _local_args(docker: Dockerd, stack: DevStack, built: Path, jwt_secret: str) -> list[str]:
    return [
        "--template-file",
        str(built),
        "--skip-pull-image",
        "--add-host",
        f"{LOCAL_HOST_NAME}:{docker.gateway()}",
        "--parameter-overrides",
        " ".join(local_overrides(stack, jwt_secret)),
        "--env-vars",
        str(write_env_vars(stack, built)),
    ]


@contextlib.contextmanager
def sam_service(
    docker: Dockerd, command: str, args: list[str], port: int, logfile: Path, timeout_s: float = 180
) -> Iterator[str]:
    """`sam local start-api|start-lambda` on 127.0.0.1:`port`; yields its URL once it listens."""
    out = logfile.open("w")
    proc = subprocess.Popen(  # nosec B603
        [*sam_command(), "local", command, *args, "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=sam_env(docker),
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    out.close()
    url = f"http://127.0.0.1:{port}"

    def listening() -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
        return False

    def tail() -> str:
        return logfile.read_text(errors="replace")[-4000:]

    try:
        wait_until(listening, proc, f"sam local {command}", tail, timeout_s, interval_s=0.3)
        yield url
    finally:
        stop_group(proc, signal.SIGTERM, timeout_s=60)


@dataclass
class SamLocal:
    docker: Dockerd
    image: ImageReport
    stack: DevStack
    api: str
    lambda_endpoint: str
    built: Path
    jwt_secret: str

    def invoke(self, function: str, event: Path) -> dict[str, Any]:
        """`sam local invoke FUNCTION --event EVENT`: the handler's JSON result."""
        proc = subprocess.run(  # nosec B603
            [
                *sam_command(),
                "local",
                "invoke",
                function,
                "--event",
                str(event),
                *_local_args(self.docker, self.stack, self.built, self.jwt_secret),
            ],
            cwd=ROOT,
            env=sam_env(self.docker),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"sam local invoke {function} failed:\n{proc.stderr[-4000:]}")
        result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
        return result


def agent_event(function: str, token_address: str, directory: Path) -> Path:
    """events/<agent>.json for `function`, aimed at `token_address`, written into `directory`
    (the sample's address is the demo ScamToken's; a dev stack may have deployed it elsewhere)."""
    event = json.loads((EVENTS / AGENT_FUNCTIONS[function]).read_text())
    event["token_address"] = token_address
    path = directory / AGENT_FUNCTIONS[function]
    path.write_text(json.dumps(event))
    return path


@contextlib.contextmanager
def sam_local(
    state: Path, *, api_port: int | None = None, lambda_port: int | None = None
) -> Iterator[SamLocal]:
    """dockerd + image + sam build + dev stack (Lambda tasks -> start-lambda) + relays + start-api."""
    import secrets

    with contextlib.ExitStack() as stack:
        docker = stack.enter_context(Dockerd())
        image = ensure_image(docker)
        built = sam_build(docker)
        lambda_port = lambda_port or free_port()
        lambda_url = f"http://127.0.0.1:{lambda_port}"
        dev = stack.enter_context(dev_stack(state / "devstack", lambda_endpoint=lambda_url))
        gateway = docker.gateway()
        for port in (dev.moto_port, dev.anvil_port):
            relay = Relay(gateway, port)
            stack.callback(relay.close)
        jwt_secret = secrets.token_urlsafe(48)
        args = _local_args(docker, dev, built, jwt_secret)
        warm = ["--warm-containers", "LAZY"]
        stack.enter_context(
            sam_service(docker, "start-lambda", [*args, *warm], lambda_port, state / "start-lambda.log")
        )
        api = stack.enter_context(
            sam_service(docker, "start-api", [*args, *warm], api_port or free_port(), state / "start-api.log")
        )
        yield SamLocal(docker, image, dev, api, lambda_url, built, jwt_secret)


# --- the dev stack with its Lambda tasks in containers ----------------------------------------


def forward_lambda_tasks(endpoint: str) -> None:
    """Make the dev stack's HandlerBridge send each invocation to `sam local start-lambda` (containers)
    instead of the in-process handler: moto's workflow then runs the agents and aggregate as containers.
    Function names map to the SAM logical ids (devstack.sam.sam_ids); errors keep Lambda's contract."""
    import boto3
    from botocore.config import Config

    from devstack import aws as local_aws
    from devstack.sam import sam_ids

    client = boto3.client(
        "lambda",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106  # nosec B106: the local emulator ignores them
        config=Config(read_timeout=300, retries={"max_attempts": 0}),
    )
    ids: dict[str, str] = {}
    lock = threading.Lock()

    def invoke(
        self: local_aws.HandlerBridge,
        fn: local_aws.LocalFunction,
        body: Any,
        response_headers: dict[str, str],
    ) -> bytes:
        with lock:
            if not ids:
                ids.update(sam_ids(local_aws.load_template(local_aws.synth(ROOT / "cdk.out"))))
        payload = body if isinstance(body, bytes) else (body or "{}").encode()
        answer = client.invoke(FunctionName=ids[fn.logical_id], Payload=payload)
        if answer.get("FunctionError"):
            response_headers["x-amz-function-error"] = answer["FunctionError"]
        data: bytes = answer["Payload"].read()
        return data

    local_aws.HandlerBridge.invoke = invoke  # type: ignore[method-assign]


# --- CLI ------------------------------------------------------------------------------------------


def _cmd_image(args: argparse.Namespace) -> int:
    with Dockerd() as docker:
        report = ensure_image(docker, force=args.force)
        print(
            json.dumps(
                {
                    "image": report.tag,
                    "cached": report.cached,
                    "seconds": round(report.seconds, 1),
                    "size_mb": round(report.size_bytes / 1e6),
                    **report.steps,
                }
            )
        )
    return 0


def _cmd_invoke(args: argparse.Namespace) -> int:
    state = Path(tempfile.mkdtemp(prefix="mg-sam-invoke-"))
    with contextlib.ExitStack() as stack:
        docker = stack.enter_context(Dockerd())
        image = ensure_image(docker)
        built = sam_build(docker)
        dev = stack.enter_context(dev_stack(state / "devstack"))
        for port in (dev.moto_port, dev.anvil_port):
            stack.callback(Relay(docker.gateway(), port).close)
        session = SamLocal(docker, image, dev, "", "", built, "unused-" + "x" * 32)
        for function in args.functions or list(AGENT_FUNCTIONS):
            path = agent_event(function, dev.chain["ScamToken"], state)
            started = time.monotonic()
            result = session.invoke(function, path)
            print(
                json.dumps(
                    {"function": function, "seconds": round(time.monotonic() - started, 1), "result": result}
                )
            )
    return 0


def _cmd_api(args: argparse.Namespace) -> int:
    state = Path(args.state_dir).resolve()
    with sam_local(state, api_port=args.port) as session:
        print(
            f"\nMoneyGrow under SAM local.\n  API (Lambda containers)  {session.api}\n"
            f"  Lambda endpoint          {session.lambda_endpoint}\n"
            f"  image                    {session.image.summary()}\n"
            f"  dev stack (moto, anvil)  {session.stack.state}\n"
            f"  ScamToken                {session.stack.chain['ScamToken']}\n"
            "Ctrl-C to stop (containers and dockerd stop too).\n",
            flush=True,
        )
        with contextlib.suppress(KeyboardInterrupt):
            while session.stack.proc.poll() is None:
                time.sleep(1)
    return 0


def _cmd_devstack(argv: list[str]) -> int:
    """`python -m devstack` with its Lambda tasks forwarded to `--lambda-endpoint` (start-lambda)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--lambda-endpoint", required=True)
    ours, rest = parser.parse_known_args(argv)
    forward_lambda_tasks(ours.lambda_endpoint)
    from devstack.__main__ import main as devstack_main

    return devstack_main(rest)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["devstack"]:
        return _cmd_devstack(argv[1:])
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    image = sub.add_parser("image", help="start dockerd if needed and build (or reuse) the Lambda image")
    image.add_argument("--force", action="store_true")
    invoke = sub.add_parser("invoke", help="sam local invoke each agent function with events/*.json")
    invoke.add_argument("functions", nargs="*", help=f"default: all of {', '.join(AGENT_FUNCTIONS)}")
    api = sub.add_parser("api", help="the dev stack + sam local start-api/start-lambda (make sam-local)")
    api.add_argument("--port", type=int, default=3000)
    api.add_argument("--state-dir", default=str(ROOT / ".local" / "sam-local"))
    args = parser.parse_args(argv)
    reason = docker_unavailable_reason()
    if reason:
        print(f"SAM local cannot run here: {reason}", file=sys.stderr)
        return 2
    unknown = set(getattr(args, "functions", None) or ()) - set(AGENT_FUNCTIONS)
    if unknown:
        parser.error(f"unknown agent function(s): {sorted(unknown)}")
    handlers = {"image": _cmd_image, "invoke": _cmd_invoke, "api": _cmd_api}
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
