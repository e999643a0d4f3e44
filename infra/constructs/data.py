"""Storage: the single DynamoDB table and the S3 bucket holding the ML model artefacts."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.constructs.lambdas import acknowledge

GSI1 = "gsi1"
TTL_ATTRIBUTE = "expires_at"


class Data(Construct):
    """`table` (pk/sk + gsi1, TTL, PITR, on-demand) and `model_bucket` (versioned, private, TLS only)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        removal_policy: cdk.RemovalPolicy,
        deletion_protection: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        self._removal_policy = removal_policy
        self._deletion_protection = deletion_protection
        self.table = self._table()
        self.access_log_bucket = self._access_log_bucket()
        self.model_bucket = self._model_bucket()

    def _table(self) -> dynamodb.Table:
        table = dynamodb.Table(
            self,
            "Table",
            partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="sk", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            time_to_live_attribute=TTL_ATTRIBUTE,
            removal_policy=self._removal_policy,
            deletion_protection=self._deletion_protection,
        )
        table.add_global_secondary_index(
            index_name=GSI1,
            partition_key=dynamodb.Attribute(name="gsi1pk", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="gsi1sk", type=dynamodb.AttributeType.STRING),
            projection_type=dynamodb.ProjectionType.ALL,
        )
        return table

    def _secure_bucket(self, construct_id: str, **kwargs: object) -> s3.Bucket:
        return s3.Bucket(
            self,
            construct_id,
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            removal_policy=self._removal_policy,
            **kwargs,  # type: ignore[arg-type]
        )

    def _access_log_bucket(self) -> s3.Bucket:
        bucket = self._secure_bucket(
            "AccessLogBucket",
            lifecycle_rules=[s3.LifecycleRule(expiration=cdk.Duration.days(90))],
        )
        acknowledge(
            bucket,
            "AwsSolutions-S1",
            "This bucket is the server access log target of the model bucket; logging it into itself "
            "would loop.",
        )
        deliver_access_logs_by_policy(bucket, "model-bucket/", enforce_owner=True)
        return bucket

    def _model_bucket(self) -> s3.Bucket:
        return self._secure_bucket(
            "ModelBucket",
            versioned=True,
            server_access_logs_bucket=self.access_log_bucket,
            server_access_logs_prefix="model-bucket/",
        )


def deliver_access_logs_by_policy(bucket: s3.Bucket, prefix: str, *, enforce_owner: bool) -> None:
    """S3 server access logs delivered under a bucket policy, not the legacy LogDeliveryWrite ACL
    CDK sets on a log target (cfn-lint W3045). `enforce_owner`: ACLs off entirely (BucketOwnerEnforced);
    CloudFront's standard logs still need ACLs, so the frontend's log bucket keeps ObjectWriter."""
    resource = bucket.node.default_child
    assert isinstance(resource, s3.CfnBucket)
    resource.add_property_deletion_override("AccessControl")
    if enforce_owner:
        resource.add_property_override(
            "OwnershipControls", {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
        )
    bucket.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal("logging.s3.amazonaws.com")],
            actions=["s3:PutObject"],
            resources=[bucket.arn_for_objects(f"{prefix}*")],
            conditions={"StringEquals": {"aws:SourceAccount": cdk.Aws.ACCOUNT_ID}},
        )
    )
