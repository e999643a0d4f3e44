"""Adapters to AWS services; the only modules in shared/ that import boto3."""
