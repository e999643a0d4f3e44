"""The local product: moto provisioned from the CDK template, anvil with demo tokens, the API.

On import it puts the domain package and the API adapter on sys.path, as the Lambda layer and
the function's task root do in the cloud, so `python -m devstack` needs no PYTHONPATH.
"""

import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]
for _path in (_ROOT / "shared", _ROOT / "functions" / "api"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))
