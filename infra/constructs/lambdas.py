"""The shared Python layer and the one way every MoneyGrow function is declared.

Each function gets its own role (only log writing is granted here; callers grant the rest), an
explicit log group, X-Ray tracing, Python 3.11 and CloudFormation Metadata naming its source
directory and handler (`moneygrow:source`, `moneygrow:handler`): devstack/aws.py reads those to
import exactly the handler that Lambda would run.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import time
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct, IConstruct

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = lambda_.Runtime.PYTHON_3_11
SOURCE_METADATA = "moneygrow:source"
HANDLER_METADATA = "moneygrow:handler"

_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", ".mypy_cache")


ML_PACKAGES_DIR = ROOT / "build" / "ml"  # numpy/scipy/scikit-learn, built by scripts/build_layer.py
STAGED_FUNCTIONS_DIR = ROOT / "build" / "functions"
PACKAGING_MANIFEST = ROOT / "build" / "packaging.json"


def stage_layer(build_dir: Path = ROOT / "build" / "layer") -> Path:
    """Copy shared/moneygrow to build/layer/python/moneygrow (the layout Lambda layers need).

    The locked third-party dependencies are there too once `scripts/build_layer.py` has run (it
    needs PyPI); without them (a fresh clone, tests) the layer holds only our package, so synth never
    needs the network. Either way the package is re-staged from shared/ at every synth.
    """
    target = build_dir / "python" / "moneygrow"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(ROOT / "shared" / "moneygrow", target, ignore=_IGNORE)
    _warn_if_stale()
    return build_dir


def _warn_if_stale() -> None:
    """Warn when the built dependencies are not the locked ones (uv.lock changed since the build)."""
    if not PACKAGING_MANIFEST.exists():
        return
    built: dict[str, str] = json.loads(PACKAGING_MANIFEST.read_text()).get("core", {})
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    locked = {re.sub(r"[-_.]+", "-", p["name"]).lower(): p.get("version") for p in lock["package"]}
    stale = sorted(name for name, version in built.items() if locked.get(name) != version)
    if stale:
        print(
            f"warning: build/layer holds other versions than uv.lock ({', '.join(stale[:5])}): "
            "run scripts/build_layer.py again",
            file=sys.stderr,
        )


def function_code(spec: FunctionSpec) -> lambda_.Code:
    """The function's source directory, plus the ML packages when it bundles them and they are built.

    The ML agent carries numpy/scipy/scikit-learn in its own asset (not a second layer): staged as
    hard links in build/functions/<construct id>-<content key>/ with the source files copied on top.
    The directory is content-addressed and renamed into place, so synths running side by side never
    see each other's half-staged copy.
    """
    exclude = ["__pycache__", "*.pyc"]
    if not (spec.bundle_ml and ML_PACKAGES_DIR.is_dir() and any(ML_PACKAGES_DIR.iterdir())):
        return lambda_.Code.from_asset(str(ROOT / spec.source), exclude=exclude)
    staged = STAGED_FUNCTIONS_DIR / f"{spec.construct_id}-{_staging_key(spec)}"
    if not staged.is_dir():
        partial = STAGED_FUNCTIONS_DIR / f".{staged.name}.{os.getpid()}"
        shutil.rmtree(partial, ignore_errors=True)
        try:
            shutil.copytree(ML_PACKAGES_DIR, partial, copy_function=os.link)
        except OSError:  # another file system: copy
            shutil.rmtree(partial, ignore_errors=True)
            shutil.copytree(ML_PACKAGES_DIR, partial)
        shutil.copytree(ROOT / spec.source, partial, ignore=_IGNORE, dirs_exist_ok=True)
        try:
            partial.rename(staged)
        except OSError:  # staged meanwhile by another synth: same content
            shutil.rmtree(partial, ignore_errors=True)
        _prune_staged(spec.construct_id, keep=staged)
    return lambda_.Code.from_asset(str(staged), exclude=exclude)


def _prune_staged(construct_id: str, *, keep: Path, min_age_s: float = 600) -> None:
    """Drop this function's older staged copies (not recent ones: a parallel synth may use them)."""
    now = time.time()
    for old in STAGED_FUNCTIONS_DIR.glob(f"{construct_id}-*"):
        if old != keep and now - old.stat().st_mtime > min_age_s:
            shutil.rmtree(old, ignore_errors=True)


def _staging_key(spec: FunctionSpec) -> str:
    digest = hashlib.sha256()
    built = PACKAGING_MANIFEST if PACKAGING_MANIFEST.exists() else ML_PACKAGES_DIR
    digest.update(str(built.stat().st_mtime_ns).encode())
    source = ROOT / spec.source
    for path in sorted(source.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(str(path.relative_to(source)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class SharedLayer(Construct):
    """The `moneygrow` package as a Lambda layer (staged into build/ at synth time)."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.layer = lambda_.LayerVersion(
            self,
            "Layer",
            code=lambda_.Code.from_asset(str(stage_layer()), exclude=["__pycache__", "*.pyc"]),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[lambda_.Architecture.X86_64],
            description="MoneyGrow shared package + locked dependencies (scripts/build_layer.py)",
        )
        if not PACKAGING_MANIFEST.exists():
            cdk.Annotations.of(self).add_warning_v2(
                "moneygrow:layer-not-built",
                "build/layer holds only shared/moneygrow: run `uv run python scripts/build_layer.py` "
                "before deploying, or the functions fail at import.",
            )


@dataclass(frozen=True)
class FunctionSpec:
    """What differs between two MoneyGrow functions."""

    construct_id: str
    source: str  # repo-relative directory, e.g. "functions/agents/heuristic"
    handler: str = "handler.handler"
    description: str = ""
    function_name: str | None = None  # a fixed name, when something must reach it by name
    memory_mb: int = 256
    timeout: cdk.Duration = field(default_factory=lambda: cdk.Duration.seconds(30))
    environment: dict[str, str] = field(default_factory=dict)
    bundle_ml: bool = False  # carry build/ml (numpy, scipy, scikit-learn) in the code asset


@dataclass(frozen=True)
class FunctionDefaults:
    """What every function of a stage shares."""

    stage: str
    layer: lambda_.ILayerVersion
    environment: dict[str, str]
    log_retention: logs.RetentionDays
    removal_policy: cdk.RemovalPolicy


def python_function(scope: Construct, spec: FunctionSpec, defaults: FunctionDefaults) -> lambda_.Function:
    """Declare one function in `scope` with its own role and log group."""
    log_group = logs.LogGroup(
        scope,
        f"{spec.construct_id}Logs",
        retention=defaults.log_retention,
        removal_policy=defaults.removal_policy,
    )
    role = iam.Role(
        scope,
        f"{spec.construct_id}Role",
        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        description=f"{spec.construct_id} ({defaults.stage})",
    )
    log_group.grant_write(role)
    fn = lambda_.Function(
        scope,
        spec.construct_id,
        runtime=RUNTIME,
        code=function_code(spec),
        architecture=lambda_.Architecture.X86_64,  # what scripts/build_layer.py builds wheels for
        handler=spec.handler,
        description=spec.description or spec.construct_id,
        function_name=spec.function_name,
        memory_size=spec.memory_mb,
        timeout=spec.timeout,
        layers=[defaults.layer],
        role=role,
        log_group=log_group,
        tracing=lambda_.Tracing.ACTIVE,
        environment={**defaults.environment, **spec.environment},
    )
    _add_source_metadata(fn, spec)
    _acknowledge_function_findings(fn, role)
    return fn


def reserve_concurrency(scope: Construct, reserved: Mapping[str, int]) -> None:
    """Reserved concurrency for the named functions in `scope` (construct id -> executions): each
    keeps that much of the account's concurrency and never runs more. A name that matches no
    function, or more than one, is refused: a typo must not silently reserve nothing."""
    found: dict[str, list[lambda_.Function]] = {}
    for child in scope.node.find_all():
        if isinstance(child, lambda_.Function) and child.node.id in reserved:
            found.setdefault(child.node.id, []).append(child)
    unknown = sorted(name for name in reserved if len(found.get(name, [])) != 1)
    if unknown:
        raise ValueError(f"moneygrow:reservedConcurrency names no single function: {', '.join(unknown)}")
    for name, executions in reserved.items():
        resource = found[name][0].node.default_child
        assert isinstance(resource, lambda_.CfnFunction)
        resource.reserved_concurrent_executions = executions


def acknowledge(scope: IConstruct, rule: str, reason: str) -> None:
    """Acknowledge (suppress) one cdk-nag finding on `scope`, always with a written reason."""
    cdk.Validations.of(scope).acknowledge(cdk.Acknowledgment(id=rule, reason=reason))


def arn_token(construct: IConstruct) -> str:
    """How cdk-nag spells `construct`'s ARN in finding ids, e.g. `<DataTableFDBAD0F2.Arn>`."""
    resource = construct.node.default_child
    assert isinstance(resource, cdk.CfnResource)
    stack = cdk.Stack.of(construct)
    return f"<{stack.resolve(resource.logical_id)}.Arn>"


def nag_arn(scope: IConstruct, service: str, path: str, *, account: bool = True) -> str:
    """How cdk-nag spells an ARN built from the stack's Region/account: `<AWS::Region>` in an
    environment-agnostic synth, the concrete value when the CLI (`cdk deploy`) sets the environment."""
    stack = cdk.Stack.of(scope)
    region = "<AWS::Region>" if cdk.Token.is_unresolved(stack.region) else stack.region
    owner = "<AWS::AccountId>" if cdk.Token.is_unresolved(stack.account) else stack.account
    return f"arn:<AWS::Partition>:{service}:{region}:{owner if account else ''}:{path}"


def _add_source_metadata(fn: lambda_.Function, spec: FunctionSpec) -> None:
    resource = fn.node.default_child
    assert isinstance(resource, cdk.CfnResource)
    resource.add_metadata(SOURCE_METADATA, spec.source)
    resource.add_metadata(HANDLER_METADATA, spec.handler)


_STACK_WIDE = "StackWideAcknowledgments"


def _acknowledge_function_findings(fn: lambda_.Function, role: iam.Role) -> None:
    # Two decisions for the whole stack, each said once: every function runs the project's pinned
    # runtime, and "*" is granted only for actions that have no resource level (X-Ray, and the state
    # machine's log delivery); tests/infra/test_stack.py fails if "*" appears for anything else.
    stack = cdk.Stack.of(fn)
    if stack.node.try_find_child(_STACK_WIDE) is None:
        Construct(stack, _STACK_WIDE)  # an empty marker (nothing in the template): said once
        acknowledge(
            stack,
            "AwsSolutions-L1",
            "The project pins Python 3.11 (pyproject requires-python <3.12, same as local dev and CI); "
            "the runtime moves forward as one deliberate change, not per function.",
        )
        acknowledge(
            stack,
            "AwsSolutions-IAM5[Resource::*]",
            "Only for X-Ray PutTraceSegments/PutTelemetryRecords (Tracing.ACTIVE) and the state machine's "
            "CloudWatch Logs delivery, which support no resource-level permissions (checked by a test).",
        )


def grant_table(
    fn: lambda_.Function, table: dynamodb.ITable, actions: list[str], index: str | None = None
) -> None:
    """Exactly these DynamoDB actions on the table (and on one named index): not CDK's
    grant_read_write_data, which adds Scan, BatchWrite and every index."""
    resources = [table.table_arn]
    if index:
        stack = cdk.Stack.of(fn)
        resources.append(
            stack.format_arn(
                service="dynamodb", resource="table", resource_name=f"{table.table_name}/index/{index}"
            )
        )
    fn.add_to_role_policy(
        iam.PolicyStatement(actions=[f"dynamodb:{a}" for a in actions], resources=resources)
    )


def grant_items(
    fn: lambda_.IFunction, table: dynamodb.ITable, actions: list[str], *leading_keys: str
) -> None:
    """`actions` (full names, e.g. "dynamodb:GetItem") on the table's items whose partition key
    matches one of `leading_keys` (e.g. "WALLET#*"): least privilege within the single table."""
    fn.add_to_role_policy(
        iam.PolicyStatement(
            actions=actions,
            resources=[table.table_arn],
            conditions={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": list(leading_keys)}},
        )
    )
