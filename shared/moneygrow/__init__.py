"""MoneyGrow domain package: models, configuration, stores, auth and the analysis pipeline.

Importable and testable without AWS; shipped to Lambda as a layer.
"""
