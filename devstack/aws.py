"""The AWS side of the local stack: moto provisioned from the CDK template, handlers run in-process.

Nothing here describes the infrastructure a second time. `synth()` runs the CDK app, and
`LocalAws` reads the synthesized template to create, in the current moto backend:

* each AWS::DynamoDB::Table with its key schema, GSIs, TTL, PITR and SSE as declared,
* each AWS::S3::Bucket (versioning, encryption, public access block),
* one Lambda function per AWS::Lambda::Function (a dummy zip; the code that runs is the handler
  named by the function's `moneygrow:source` / `moneygrow:handler` Metadata),
* the state machine from its synthesized DefinitionString, with Fn::Join / Fn::GetAtt / Ref
  resolved to the local ARNs.

moto's Step Functions interpreter then executes that definition (Parallel, Retry, Catch, ...) and
invokes Lambda; `HandlerBridge` routes those invocations to the real Python handlers.

In-process (tests):

    with mock_aws(config=MOTO_CONFIG), LocalAws(load_template(synth())) as aws:
        resources = aws.provision()

Server mode (the dev stack):

    server = start_server(5000)      # ThreadedMotoServer + config + MOTO_PORT
    with LocalAws(template, endpoint_url=server_url(5000)) as aws:
        os.environ.update(aws.provision().env())
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import logging
import os
import re
import subprocess  # nosec B404
import sys
import threading
import time
import traceback
import types
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_STACK = "MoneyGrow-dev"
REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account
SOURCE_METADATA = "moneygrow:source"
HANDLER_METADATA = "moneygrow:handler"
# What moto needs to execute state machines and to keep Lambda out of Docker.
MOTO_CONFIG: dict[str, Any] = {
    "stepfunctions": {"execute_state_machine": True},
    "lambda": {"use_docker": False},
}
# Inputs of the synthesized template: any change here makes synth() run the app again.
SYNTH_INPUTS = ("infra", "functions", "shared/moneygrow", "cdk.json")

log = logging.getLogger(__name__)


# --- synth -----------------------------------------------------------------------------------------


def _newest_mtime(paths: list[Path]) -> float:
    newest = 0.0
    for path in paths:
        files = [path] if path.is_file() else path.rglob("*")
        for f in files:
            if f.is_file() and "__pycache__" not in f.parts and f.suffix != ".pyc":
                newest = max(newest, f.stat().st_mtime)
    return newest


def synth(outdir: str | Path = "cdk.out", *, stack: str = DEFAULT_STACK, force: bool = False) -> Path:
    """Synthesize the CDK app into `outdir` (relative to the repo) unless it is up to date.

    Up to date: the stack's template is newer than every file under infra/, functions/,
    shared/moneygrow/ and cdk.json. Returns the template's path.
    """
    out = Path(outdir) if Path(outdir).is_absolute() else ROOT / outdir
    template = out / f"{stack}.template.json"
    inputs = [ROOT / p for p in SYNTH_INPUTS if (ROOT / p).exists()]
    if not force and template.exists() and template.stat().st_mtime > _newest_mtime(inputs):
        log.debug("cdk.out is up to date: %s", template)
        return template
    # The local stack's agents use the embedded chain: say so, or synth refuses a stage without RPC URLs.
    context = {**json.loads(os.environ.get("CDK_CONTEXT_JSON") or "{}"), "moneygrow:localChain": True}
    env = {
        **os.environ,
        "CDK_OUTDIR": str(out),
        "CDK_CONTEXT_JSON": json.dumps(context),
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    }
    started = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "infra" / "app.py")], cwd=ROOT, env=env, check=True)  # nosec B603
    log.info("synthesized %s in %.1f s", template, time.perf_counter() - started)
    if not template.exists():
        raise FileNotFoundError(f"synth produced no {template.name} in {out}")
    return template


def load_template(path: str | Path, *, stack: str = DEFAULT_STACK) -> dict[str, Any]:
    """The template JSON, from its file or from the cloud assembly directory holding it."""
    path = Path(path)
    if path.is_dir():
        path = path / f"{stack}.template.json"
    template: dict[str, Any] = json.loads(path.read_text())
    return template


# --- the bridge: moto Lambda -> in-process handler --------------------------------------------------


@dataclass(frozen=True)
class LocalFunction:
    """One AWS::Lambda::Function of the template, as created in moto."""

    logical_id: str
    name: str
    arn: str
    source: Path  # the function's code directory (the asset)
    handler: str  # "module.function", e.g. "handler.fail_handler"
    memory_mb: int = 128
    timeout_s: int = 3
    environment: dict[str, str] = field(default_factory=dict)


@dataclass
class FakeLambdaContext:
    """What Powertools' inject_lambda_context (and our handlers) read from the Lambda context."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    timeout_s: int
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    _deadline: float = field(default=0.0, repr=False)

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_s
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = f"local/{self.aws_request_id}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _function_name(name_or_arn: str) -> str:
    # arn:aws:lambda:region:account:function:name[:qualifier]
    return name_or_arn.split(":")[6] if name_or_arn.startswith("arn:") else name_or_arn


class HandlerBridge:
    """Routes moto Lambda invocations of registered functions to their in-process Python handlers.

    Why: moto's Docker-free Lambda backend (LambdaSimpleBackend) only echoes the payload. Patching
    its `invoke` is the one place where both the Step Functions interpreter and boto3 callers reach
    Lambda, in-process (mock_aws) and in server mode alike. An exception becomes what real Lambda
    returns (x-amz-function-error: Unhandled + {errorMessage, errorType, stackTrace}), so the
    workflow sees Error=<exception class name> and its Retry/Catch behave as in the cloud.
    Unregistered functions keep moto's behaviour. `uninstall()` restores the original method.
    """

    def __init__(
        self, functions: dict[str, LocalFunction] | None = None, sys_paths: list[Path] | None = None
    ):
        self.functions: dict[str, LocalFunction] = dict(functions or {})
        self._sys_paths = list(sys_paths or [ROOT / "shared"])  # the layer's content
        self._handlers: dict[str, Callable[[Any, Any], Any]] = {}
        self._lock = threading.Lock()
        self._original: Callable[..., Any] | None = None

    def register(self, fn: LocalFunction) -> None:
        self.functions[fn.name] = fn

    # install / uninstall ------------------------------------------------------------------------

    def install(self) -> HandlerBridge:
        from moto.awslambda_simple.models import LambdaSimpleBackend

        if self._original is not None:
            return self
        original = LambdaSimpleBackend.invoke
        bridge = self

        def invoke(
            backend: Any, function_name: str, qualifier: Any, body: Any, headers: Any, response_headers: Any
        ) -> Any:
            fn = bridge.functions.get(_function_name(function_name))
            if fn is None:
                return original(backend, function_name, qualifier, body, headers, response_headers)
            return bridge.invoke(fn, body, response_headers)

        invoke.__wrapped__ = original  # type: ignore[attr-defined]
        setattr(LambdaSimpleBackend, "invoke", invoke)  # noqa: B010
        self._original = original
        return self

    def uninstall(self) -> None:
        from moto.awslambda_simple.models import LambdaSimpleBackend

        if self._original is not None:
            setattr(LambdaSimpleBackend, "invoke", self._original)  # noqa: B010
            self._original = None

    def __enter__(self) -> HandlerBridge:
        return self.install()

    def __exit__(self, *exc: object) -> None:
        self.uninstall()

    # invocation ---------------------------------------------------------------------------------

    def invoke(self, fn: LocalFunction, body: Any, response_headers: dict[str, str]) -> bytes:
        """Run the handler the way Lambda would; return the response payload."""
        if isinstance(body, bytes):
            body = body.decode("utf-8")
        event = json.loads(body) if body else {}
        context = FakeLambdaContext(fn.name, fn.arn, fn.memory_mb, fn.timeout_s)
        try:
            result = self.handler(fn)(event, context)
            return json.dumps(result).encode("utf-8")
        except Exception as exc:  # Lambda's own contract for an unhandled error
            response_headers["x-amz-function-error"] = "Unhandled"
            error = {
                "errorMessage": str(exc),
                "errorType": type(exc).__name__,
                "stackTrace": traceback.format_tb(exc.__traceback__),
            }
            log.debug("%s raised %s: %s", fn.name, error["errorType"], exc)
            return json.dumps(error).encode("utf-8")

    def handler(self, fn: LocalFunction) -> Callable[[Any, Any], Any]:
        """Import the function's handler module once (a unique module name per function: every
        handler file is called handler.py) with the function dir and the layer on sys.path."""
        with self._lock:
            if fn.name not in self._handlers:
                module_path, _, attr = fn.handler.rpartition(".")
                for p in (*self._sys_paths, fn.source):
                    if str(p) not in sys.path:
                        sys.path.insert(0, str(p))
                module_name = "moneygrow_local_fn_" + re.sub(r"\W", "_", fn.name)
                file = fn.source / (module_path.replace(".", "/") + ".py")
                spec = importlib.util.spec_from_file_location(module_name, file)
                if spec is None or spec.loader is None:
                    raise ImportError(f"cannot load {file}")
                module = importlib.util.module_from_spec(spec)
                sys.modules[module_name] = module
                spec.loader.exec_module(module)
                self._handlers[fn.name] = getattr(module, attr)
            return self._handlers[fn.name]


# --- moto knobs ------------------------------------------------------------------------------------


_DYNAMO_LOCK = threading.Lock()


@contextlib.contextmanager
def serialised_moto_dynamodb() -> Iterator[None]:
    """One DynamoDB request at a time in moto (each request is atomic in DynamoDB itself): moto's
    TransactWriteItems deep-copies the table while other threads (the API, the workflow's handlers,
    the schedules) write to it, and fails with 'dictionary changed size during iteration'."""
    from moto.dynamodb.responses import DynamoHandler

    original = DynamoHandler.call_action
    if getattr(original, "moneygrow_serialised", False):  # already (a nested LocalAws)
        yield
        return

    def serialised(handler: Any) -> Any:
        with _DYNAMO_LOCK:
            return original(handler)

    serialised.moneygrow_serialised = True  # type: ignore[attr-defined]
    DynamoHandler.call_action = serialised  # type: ignore[method-assign]
    try:
        yield
    finally:
        DynamoHandler.call_action = original  # type: ignore[method-assign]


def quiet_moto_logs(level: int = logging.CRITICAL) -> None:
    """moto's ASL interpreter logs every caught task failure as a huge ERROR; the workflow handles them."""
    logging.getLogger("moto.stepfunctions.parser").setLevel(level)


@contextlib.contextmanager
def retry_sleep_scale(scale: float) -> Iterator[None]:
    """Scale the real sleeps of ASL Retry IntervalSeconds (0 = no wait; tests)."""
    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl

    original = getattr(retrier_decl, "time")  # noqa: B009 (the module's `import time`)
    real_sleep = original.sleep
    setattr(retrier_decl, "time", types.SimpleNamespace(sleep=lambda s: real_sleep(s * scale)))  # noqa: B010
    try:
        yield
    finally:
        setattr(retrier_decl, "time", original)  # noqa: B010


def server_url(port: int, host: str = "127.0.0.1") -> str:
    return f"http://{host}:{port}"


def start_server(port: int = 5000, host: str = "127.0.0.1") -> Any:
    """Start moto's ThreadedMotoServer (same process, so HandlerBridge applies), configure it for
    state machine execution, and point moto's Step Functions engine at it (MOTO_PORT)."""
    from moto.server import ThreadedMotoServer

    for key, value in (("AWS_ACCESS_KEY_ID", "local"), ("AWS_SECRET_ACCESS_KEY", "local")):
        os.environ.setdefault(key, value)
    os.environ.setdefault("AWS_DEFAULT_REGION", REGION)
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    response = requests.post(f"{server_url(port, host)}/moto-api/config", json=MOTO_CONFIG, timeout=10)
    response.raise_for_status()
    os.environ["MOTO_PORT"] = str(port)
    return server


# --- provisioning ----------------------------------------------------------------------------------


class IntrinsicResolver:
    """Resolves the CloudFormation intrinsics CDK emits here (Ref, Fn::GetAtt, Fn::Join)."""

    def __init__(self, region: str, account: str) -> None:
        self.refs: dict[str, str] = {
            "AWS::Region": region,
            "AWS::AccountId": account,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }
        self.attrs: dict[tuple[str, str], str] = {}

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self._lookup(self.refs, arg, value)
            if key == "Fn::GetAtt":
                return self._lookup(self.attrs, tuple(arg), value)
            if key == "Fn::Join":
                sep, parts = arg
                return sep.join(str(self.resolve(p)) for p in parts)
            if key.startswith("Fn::"):
                raise ValueError(f"unsupported intrinsic {key}")
        return {k: self.resolve(v) for k, v in value.items()}

    @staticmethod
    def _lookup(table: dict[Any, str], key: Any, value: Any) -> str:
        if key not in table:
            raise KeyError(f"cannot resolve {value} locally")
        return table[key]


@dataclass
class LocalResources:
    """What LocalAws created; `env()` gives the MONEYGROW_* variables for the local processes."""

    tables: dict[str, str]  # logical id -> table name
    buckets: dict[str, str]  # logical id -> bucket name
    functions: dict[str, LocalFunction]  # logical id -> function
    state_machine_arn: str
    definition: str  # the resolved DefinitionString, exactly as given to moto
    table_name: str
    bucket_name: str
    topics: dict[str, str] = field(default_factory=dict)  # logical id -> topic ARN
    queues: dict[str, str] = field(default_factory=dict)  # logical id -> queue URL

    def function(self, source: str, handler: str = "handler.handler") -> LocalFunction:
        for fn in self.functions.values():
            if fn.source == ROOT / source and fn.handler == handler:
                return fn
        raise KeyError((source, handler))

    def env(self) -> dict[str, str]:
        alerts = next((arn for arn in self.topics.values() if arn.endswith("-alerts")), "")
        delivery_dlq = next((url for lid, url in self.queues.items() if "AlertDeliveryDlq" in lid), "")
        return {
            "MONEYGROW_TABLE_NAME": self.table_name,
            "MONEYGROW_MODEL_BUCKET": self.bucket_name,
            "MONEYGROW_STATE_MACHINE_ARN": self.state_machine_arn,
            "MONEYGROW_ALERTS_TOPIC_ARN": alerts,
            "MONEYGROW_ALERT_DELIVERY_DLQ_ARN": _queue_arn(delivery_dlq) if delivery_dlq else "",
        }


def _queue_arn(url: str) -> str:
    # moto: http://host/<account>/<name> -> arn:aws:sqs:<region>:<account>:<name>
    account, name = url.rstrip("/").split("/")[-2:]
    return f"arn:aws:sqs:{REGION}:{account}:{name}"


def _resources(template: dict[str, Any], type_: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == type_}


def _short(logical_id: str) -> str:
    """DataModelBucket14BB63FB -> DataModelBucket (CDK appends an 8-hex hash)."""
    return re.sub(r"[0-9A-F]{8}$", "", logical_id)


def _dummy_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("handler.py", "def handler(event, context):\n    return event\n")
    return buf.getvalue()


class LocalAws:
    """Provision the synthesized template's data, functions and state machine in moto."""

    def __init__(
        self,
        template: dict[str, Any],
        *,
        prefix: str = "moneygrow-local",
        endpoint_url: str | None = None,
        region: str = REGION,
        account: str = ACCOUNT,
        retry_sleep: float | None = None,
    ) -> None:
        """`retry_sleep`: scale for ASL Retry waits while active (None: real waits; 0: none)."""
        self.template = template
        self.prefix = prefix
        self.region = region
        self.account = account
        self.endpoint_url = endpoint_url
        self.bridge = HandlerBridge()
        self.resolver = IntrinsicResolver(region, account)
        self._retry_sleep = retry_sleep
        self._stack = contextlib.ExitStack()

    # lifecycle ----------------------------------------------------------------------------------

    def __enter__(self) -> LocalAws:
        quiet_moto_logs()
        self._stack.enter_context(self.bridge)
        self._stack.enter_context(serialised_moto_dynamodb())
        if self._retry_sleep is not None:
            self._stack.enter_context(retry_sleep_scale(self._retry_sleep))
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def client(self, service: str) -> Any:
        import boto3

        return boto3.client(service, region_name=self.region, endpoint_url=self.endpoint_url)  # type: ignore[call-overload]

    # provisioning -------------------------------------------------------------------------------

    def provision(self) -> LocalResources:
        tables = {
            lid: self._create_table(lid, res)
            for lid, res in _resources(self.template, "AWS::DynamoDB::Table").items()
        }
        buckets = {
            lid: self._create_bucket(lid, res)
            for lid, res in _resources(self.template, "AWS::S3::Bucket").items()
        }
        queues = {lid: self._create_queue(lid) for lid in _resources(self.template, "AWS::SQS::Queue")}
        topics = {
            lid: self._create_topic(lid, res)
            for lid, res in _resources(self.template, "AWS::SNS::Topic").items()
        }
        role_arn = self._create_role()
        functions = {
            lid: self._create_function(lid, res, role_arn)
            for lid, res in _resources(self.template, "AWS::Lambda::Function").items()
        }
        ((sm_id, sm),) = _resources(self.template, "AWS::StepFunctions::StateMachine").items()
        definition = self.resolver.resolve(sm["Properties"]["DefinitionString"])
        sm_arn = self.client("stepfunctions").create_state_machine(
            name=f"{self.prefix}-{_short(sm_id)}",
            definition=definition,
            roleArn=role_arn,
            type=sm["Properties"].get("StateMachineType", "STANDARD"),
        )["stateMachineArn"]
        self.resolver.refs[sm_id] = sm_arn
        functions = {lid: self._with_environment(fn) for lid, fn in functions.items()}
        for fn in functions.values():
            self.bridge.register(fn)
        env = next(iter(functions.values())).environment if functions else {}
        return LocalResources(
            tables=tables,
            buckets=buckets,
            functions=functions,
            state_machine_arn=sm_arn,
            definition=definition,
            table_name=env.get("MONEYGROW_TABLE_NAME") or next(iter(tables.values())),
            bucket_name=env.get("MONEYGROW_MODEL_BUCKET") or next(iter(buckets.values())),
            topics=topics,
            queues=queues,
        )

    def _create_queue(self, logical_id: str) -> str:
        """A queue (the dead-letter queues); Ref is its URL, Arn its ARN, as in CloudFormation."""
        name = f"{self.prefix}-{_short(logical_id)}"[:80]
        url = str(self.client("sqs").create_queue(QueueName=name)["QueueUrl"])
        self.resolver.refs[logical_id] = url
        self.resolver.attrs[(logical_id, "Arn")] = _queue_arn(url)
        self.resolver.attrs[(logical_id, "QueueName")] = name
        return url

    def _create_topic(self, logical_id: str, res: dict[str, Any]) -> str:
        name = res["Properties"].get("TopicName") or f"{self.prefix}-{_short(logical_id)}"
        arn = str(self.client("sns").create_topic(Name=name)["TopicArn"])
        self.resolver.refs[logical_id] = arn
        self.resolver.attrs[(logical_id, "TopicArn")] = arn
        return arn

    def _create_table(self, logical_id: str, res: dict[str, Any]) -> str:
        props = res["Properties"]
        tables = _resources(self.template, "AWS::DynamoDB::Table")
        name = self.prefix if len(tables) == 1 else f"{self.prefix}-{_short(logical_id).lower()}"
        kwargs: dict[str, Any] = {
            "TableName": name,
            "KeySchema": props["KeySchema"],
            "AttributeDefinitions": props["AttributeDefinitions"],
            "BillingMode": props.get("BillingMode", "PROVISIONED"),
        }
        if "ProvisionedThroughput" in props:
            kwargs["ProvisionedThroughput"] = props["ProvisionedThroughput"]
        for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            if key in props:
                kwargs[key] = props[key]
        if "StreamSpecification" in props:
            kwargs["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
        if props.get("SSESpecification", {}).get("SSEEnabled"):
            kwargs["SSESpecification"] = {
                "Enabled": True,
                "SSEType": props["SSESpecification"].get("SSEType", "KMS"),
            }
        ddb = self.client("dynamodb")
        ddb.create_table(**kwargs)
        if "TimeToLiveSpecification" in props:
            ddb.update_time_to_live(TableName=name, TimeToLiveSpecification=props["TimeToLiveSpecification"])
        if "PointInTimeRecoverySpecification" in props:
            ddb.update_continuous_backups(
                TableName=name, PointInTimeRecoverySpecification=props["PointInTimeRecoverySpecification"]
            )
        self.resolver.refs[logical_id] = name
        self.resolver.attrs[(logical_id, "Arn")] = (
            f"arn:aws:dynamodb:{self.region}:{self.account}:table/{name}"
        )
        return name

    def _create_bucket(self, logical_id: str, res: dict[str, Any]) -> str:
        props = res.get("Properties", {})
        name = f"{self.prefix}-{_short(logical_id).lower()}"[:63]
        s3 = self.client("s3")
        s3.create_bucket(Bucket=name)
        if props.get("VersioningConfiguration", {}).get("Status") == "Enabled":
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        if "BucketEncryption" in props:
            # CloudFormation's ServerSideEncryptionByDefault is the API's ApplyServerSideEncryptionByDefault.
            rules = [
                {
                    ("ApplyServerSideEncryptionByDefault" if k == "ServerSideEncryptionByDefault" else k): v
                    for k, v in r.items()
                }
                for r in props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
            ]
            s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules})
        if "PublicAccessBlockConfiguration" in props:
            s3.put_public_access_block(
                Bucket=name, PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"]
            )
        self.resolver.refs[logical_id] = name
        self.resolver.attrs[(logical_id, "Arn")] = f"arn:aws:s3:::{name}"
        return name

    def _create_role(self) -> str:
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": ["lambda.amazonaws.com", "states.amazonaws.com"]},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        role: str = self.client("iam").create_role(
            RoleName=f"{self.prefix}-role", AssumeRolePolicyDocument=json.dumps(policy)
        )["Role"]["Arn"]
        return role

    def _create_function(self, logical_id: str, res: dict[str, Any], role_arn: str) -> LocalFunction:
        props, meta = res["Properties"], res.get("Metadata", {})
        if SOURCE_METADATA not in meta:
            raise ValueError(f"{logical_id} has no {SOURCE_METADATA} Metadata: not a MoneyGrow function")
        name = f"{self.prefix}-{_short(logical_id)}"[:64]
        arn = self.client("lambda").create_function(
            FunctionName=name,
            Runtime=props.get("Runtime", "python3.11"),
            Role=role_arn,
            Handler=meta.get(HANDLER_METADATA, props["Handler"]),
            Code={"ZipFile": _dummy_zip()},
            Timeout=props.get("Timeout", 3),
            MemorySize=props.get("MemorySize", 128),
        )["FunctionArn"]
        self.resolver.refs[logical_id] = name
        self.resolver.attrs[(logical_id, "Arn")] = arn
        return LocalFunction(
            logical_id=logical_id,
            name=name,
            arn=arn,
            source=ROOT / meta[SOURCE_METADATA],
            handler=meta.get(HANDLER_METADATA, props["Handler"]),
            memory_mb=props.get("MemorySize", 128),
            timeout_s=props.get("Timeout", 3),
        )

    def _with_environment(self, fn: LocalFunction) -> LocalFunction:
        """The function's template environment with its Refs resolved to local names (for reference;
        in-process handlers share the process environment)."""
        res = self.template["Resources"][fn.logical_id]
        variables = res["Properties"].get("Environment", {}).get("Variables", {})
        env = {k: str(self.resolver.resolve(v)) for k, v in variables.items()}
        return LocalFunction(**{**fn.__dict__, "environment": env})

    # executions ---------------------------------------------------------------------------------

    def run_execution(
        self,
        state_machine_arn: str,
        payload: dict[str, Any],
        *,
        name: str | None = None,
        timeout_s: float = 60,
    ) -> dict[str, Any]:
        """Start an execution and wait for it to finish; returns describe_execution's answer."""
        sfn = self.client("stepfunctions")
        arn = sfn.start_execution(
            stateMachineArn=state_machine_arn, name=name or str(uuid.uuid4()), input=json.dumps(payload)
        )["executionArn"]
        deadline = time.monotonic() + timeout_s
        while True:
            described: dict[str, Any] = sfn.describe_execution(executionArn=arn)
            if described["status"] != "RUNNING":
                return described
            if time.monotonic() > deadline:
                raise TimeoutError(f"execution {arn} still RUNNING after {timeout_s} s")
            time.sleep(0.02)
