"""The SPA: a private S3 bucket behind CloudFront (origin access control), security headers with the
app's Content-Security-Policy (infra/csp.py), SPA fallback to /index.html, and the deployment of
frontend/dist (built by `make install`) with a /config.json naming the API, when it has been built.

Lives in its own stack (MoneyGrow-<stage>-frontend, see infra/stack.py): the BucketDeployment brings
a CDK-provided Lambda function, which the main stack, run locally by devstack/aws.py and translated
to template.local.yaml, must not carry.
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from infra.constructs.data import deliver_access_logs_by_policy
from infra.constructs.lambdas import ROOT, acknowledge, arn_token
from infra.csp import content_security_policy

FRONTEND_DIST = ROOT / "frontend" / "dist"
CONTENT_SECURITY_POLICY = content_security_policy()  # `make dev` serves the app under the same policy


class Frontend(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: str,
        removal_policy: cdk.RemovalPolicy,
        dist: Path = FRONTEND_DIST,
        api_url: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self._removal_policy = removal_policy
        self.log_bucket = self._bucket(
            "LogBucket",
            # CloudFront standard logs are delivered with ACLs.
            object_ownership=s3.ObjectOwnership.OBJECT_WRITER,
            lifecycle_rules=[s3.LifecycleRule(expiration=cdk.Duration.days(90))],
        )
        acknowledge(self.log_bucket, "AwsSolutions-S1", "The access-log bucket does not log into itself.")
        deliver_access_logs_by_policy(self.log_bucket, "s3/", enforce_owner=False)
        self.bucket = self._bucket(
            "SiteBucket", server_access_logs_bucket=self.log_bucket, server_access_logs_prefix="s3/"
        )
        headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            comment=f"MoneyGrow SPA security headers ({stage})",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    # The app may fetch only from itself and the API (any https origin if unknown).
                    content_security_policy=(
                        content_security_policy(f"'self' {api_url}") if api_url else CONTENT_SECURITY_POLICY
                    ),
                    override=True,
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
                    override=True,
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=cdk.Duration.days(365),
                    include_subdomains=True,
                    preload=True,
                    override=True,
                ),
                xss_protection=cloudfront.ResponseHeadersXSSProtection(
                    protection=True, mode_block=True, override=True
                ),
            ),
        )
        spa_fallback = [
            cloudfront.ErrorResponse(
                http_status=status,
                response_http_status=200,
                response_page_path="/index.html",
                ttl=cdk.Duration.seconds(0),
            )
            for status in (403, 404)  # S3 answers 403 for a missing key without ListBucket
        ]
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=f"MoneyGrow SPA ({stage})",
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=headers,
                compress=True,
            ),
            error_responses=spa_fallback,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            enable_logging=True,
            log_bucket=self.log_bucket,
            log_file_prefix="cloudfront/",
        )
        for rule, reason in (
            ("AwsSolutions-CFR1", "A public SPA for a global audience: no geo restriction."),
            ("AwsSolutions-CFR2", "WAF is a later, cost-driven decision (static assets only here)."),
            (
                "AwsSolutions-CFR4",
                "Without a custom domain the distribution uses the default *.cloudfront.net certificate, "
                "whose minimum protocol CloudFront fixes at TLSv1; TLS 1.2 applies with a custom domain.",
            ),
        ):
            acknowledge(self.distribution, rule, reason)
        self.api_url = api_url
        self.deployment = self._deploy(dist) if (dist / "index.html").is_file() else None

    def _bucket(self, construct_id: str, **kwargs: object) -> s3.Bucket:
        return s3.Bucket(
            self,
            construct_id,
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            removal_policy=self._removal_policy,
            **kwargs,  # type: ignore[arg-type]
        )

    def _deploy(self, dist: Path) -> s3deploy.BucketDeployment:
        deployment = s3deploy.BucketDeployment(
            self,
            "Deploy",
            sources=[
                s3deploy.Source.asset(str(dist)),
                # Where the app finds the API (a deploy-time value); "" = its own origin.
                s3deploy.Source.json_data("config.json", {"apiUrl": self.api_url or ""}),
            ],
            destination_bucket=self.bucket,
            distribution=self.distribution,
            distribution_paths=["/*"],
            prune=True,
        )
        # The provider function is a stack-level singleton: its findings are acknowledged on the stack,
        # one by one (cdk-nag's validation plugin wants each finding's id).
        stack = cdk.Stack.of(self)
        region = "<AWS::Region>" if cdk.Token.is_unresolved(stack.region) else stack.region
        account = "<AWS::AccountId>" if cdk.Token.is_unresolved(stack.account) else stack.account
        assets = f"arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-{account}-{region}/*"
        copies = "CDK's BucketDeployment copies the build from the CDK asset bucket into the site bucket"
        findings = [
            (
                "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                "AWSLambdaBasicExecutionRole]",
                "CDK's BucketDeployment provider function logs with AWSLambdaBasicExecutionRole.",
            ),
            *(
                (
                    f"AwsSolutions-IAM5[Action::{action}]",
                    f"{copies} (CDK's grantRead/grantReadWrite: {action}).",
                )
                for action in ("s3:GetObject*", "s3:GetBucket*", "s3:List*", "s3:DeleteObject*", "s3:Abort*")
            ),
            (f"AwsSolutions-IAM5[Resource::{assets}]", f"{copies}: it reads any key of the asset bucket."),
            (
                f"AwsSolutions-IAM5[Resource::{arn_token(self.bucket)}/*]",
                f"{copies}: it writes and prunes every key of the site bucket.",
            ),
            (
                "AwsSolutions-IAM5[Resource::*]",
                "cloudfront:CreateInvalidation after the upload; CDK grants it on '*' for the distribution.",
            ),
            ("AwsSolutions-L1", "The BucketDeployment provider's runtime is chosen by CDK, not by this app."),
        ]
        for rule, reason in findings:
            acknowledge(stack, rule, reason)
        return deployment
