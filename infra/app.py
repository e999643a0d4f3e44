"""CDK entry point: `uv run python infra/app.py` (what cdk.json runs) writes cdk.out/.

Context: `stage` (default "dev") picks the stack: `cdk synth -c stage=prod`, or without the CLI
CDK_CONTEXT_JSON='{"stage": "prod"}' uv run python infra/app.py (the App reads that variable itself).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, sys.path[0] is infra/, where our `constructs` package would shadow the
# `constructs` library that aws_cdk imports: make the repo root the first entry instead.
if sys.path and Path(sys.path[0]).resolve() == ROOT / "infra":
    sys.path[0] = str(ROOT)
elif str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
# The domain package's import-free constants (moneygrow.metering) are shared with the CDK app.
if str(ROOT / "shared") not in sys.path:
    sys.path.append(str(ROOT / "shared"))
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import aws_cdk as cdk  # noqa: E402
from cdk_nag import AwsSolutionsChecks  # noqa: E402

from infra.stack import FrontendStack, MoneyGrowStack, StageConfig  # noqa: E402


def build_app(outdir: str = "cdk.out", context: dict[str, object] | None = None) -> cdk.App:
    """Build the app (used by tests too); synthesis happens on app.synth()."""
    # The frontend stack reads the API's URL from the main stack: a strong (exported) reference, said
    # explicitly so CDK does not warn about its default.
    app = cdk.App(
        outdir=outdir, context={"@aws-cdk/core:defaultCrossStackReferences": "strong", **(context or {})}
    )
    config = StageConfig.from_context(app)
    env = cdk.Environment(
        account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=os.environ.get("CDK_DEFAULT_REGION")
    )
    main = MoneyGrowStack(
        app,
        config.stack_name,
        config=config,
        env=env,
        description=f"MoneyGrow token risk analysis ({config.stage})",
    )
    # The SPA's /config.json names the API: its custom domain, else the REST API's URL (a cross-stack
    # reference, so the frontend stack deploys after the main one).
    domain = config.custom_domain
    FrontendStack(
        app,
        config.frontend_stack_name,
        config=config,
        api_url=f"https://{domain.domain_name}" if domain else main.api.rest_api.url,
        env=env,
        description=f"MoneyGrow SPA: S3 + CloudFront ({config.stage})",
    )
    cdk.Tags.of(app).add("project", "moneygrow")
    cdk.Tags.of(app).add("stage", config.stage)
    # cdk-nag 3.x: a validation plugin (the Aspects form fails under jsii); errors fail synth.
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app


def main() -> None:
    # CDK_OUTDIR is what the CDK CLI sets; devstack/aws.py's synth() sets it too.
    try:
        app = build_app(outdir=os.environ.get("CDK_OUTDIR", "cdk.out"))
    except ValueError as exc:  # a configuration mistake: say it plainly, no traceback
        sys.exit(f"synth: {exc}")
    assembly = app.synth()
    # Run without the CDK CLI (make synth, devstack), nothing would show the stacks' warnings.
    for message in assembly_messages(Path(assembly.directory)):
        print(message, file=sys.stderr)


def assembly_messages(out: Path) -> list[str]:
    """The stacks' warnings, errors and infos, `[level] <stack> <path>: <text>`, read from the cloud
    assembly's manifest (plain JSON; jsii cannot always proxy the messages)."""
    messages = []
    manifest = json.loads((out / "manifest.json").read_text())
    for name, artifact in manifest.get("artifacts", {}).items():
        metadata = dict(artifact.get("metadata") or {})
        if artifact.get("additionalMetadataFile"):  # newer CDKs keep a stack's metadata beside it
            metadata.update(json.loads((out / artifact["additionalMetadataFile"]).read_text()))
        for path, entries in metadata.items():
            for entry in entries:
                kind = str(entry.get("type", ""))
                if kind in ("aws:cdk:warning", "aws:cdk:error", "aws:cdk:info"):
                    level = kind.rsplit(":", 1)[-1]
                    messages.append(f"[{level}] {name} {path}: {entry.get('data')}")
    return messages


if __name__ == "__main__":
    main()
