"""MoneyGrow's AWS CDK app (aws-cdk-lib v2). Entry point: infra/app.py (see cdk.json)."""
