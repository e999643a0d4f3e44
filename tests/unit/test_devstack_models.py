"""The dev stack's models: the labelled data directory reaches the stack the tests start (it was
dropped, so a checkout not beside ../shared/data ran without a model: "no trained model in the model
store"), a cached model is reused only while its manifest checks out, and what is cached is
uploaded to the model bucket exactly as the ML agent's store reads it."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from devstack import models
from devstack.process import child_env
from moneygrow.ml.model_store import LocalDirModelStore, S3ModelStore

BUNDLE = {"kind": "bytecode", "version": "v-test-1", "feature_names": ["a", "b"], "model": [1, 2, 3]}


def test_the_stack_gets_the_data_directory_but_not_our_settings() -> None:
    env = child_env(
        {
            "MONEYGROW_DATA_DIR": "/data",
            "MONEYGROW_MODEL_CACHE": "/cache",
            "MONEYGROW_TABLE_NAME": "someone-elses-table",
            "AWS_ENDPOINT_URL": "http://127.0.0.1:1",
            "PATH": "/usr/bin",
        }
    )
    assert env == {"MONEYGROW_DATA_DIR": "/data", "MONEYGROW_MODEL_CACHE": "/cache", "PATH": "/usr/bin"}


def test_a_cached_model_counts_only_while_its_manifest_checks_out(tmp_path: Path) -> None:
    assert models.cached_version("scam_bytecode", tmp_path) is None  # nothing cached
    LocalDirModelStore(tmp_path).save("scam_bytecode", BUNDLE)
    assert models.cached_version("scam_bytecode", tmp_path) == "v-test-1"

    artifact = tmp_path / "models" / "scam_bytecode.joblib"
    artifact.write_bytes(artifact.read_bytes() + b"\0")  # not the manifest's sha256
    assert models.cached_version("scam_bytecode", tmp_path) is None

    LocalDirModelStore(tmp_path).save("scam_bytecode", {**BUNDLE, "kind": None})  # older training code
    assert models.cached_version("scam_bytecode", tmp_path) is None


def test_publish_uploads_what_is_cached_and_names_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(models, "MODEL_CACHE", tmp_path)
    monkeypatch.setenv("MONEYGROW_DATA_DIR", str(tmp_path / "no-data-here"))
    LocalDirModelStore(tmp_path).save("scam_bytecode", BUNDLE)
    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="model-bucket")
        monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        with models.training_in_background() as training:
            assert training is None  # no data to train the missing model on: nothing started
            note = models.publish("model-bucket", training)
        loaded = S3ModelStore("model-bucket").load("scam_bytecode")  # manifest checked, as the agent does
    assert loaded == BUNDLE
    assert note == (
        "models scam_bytecode v-test-1 published to s3://model-bucket; scam_liquidity missing: "
        "no labelled data directory (MONEYGROW_DATA_DIR), the ML agent will report DEGRADED"
    )
