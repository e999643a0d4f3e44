"""The web app's Content-Security-Policy, in one place: CloudFront sends it (infra/constructs/frontend.py)
and `make dev`'s static server sends the same policy (devstack/web.py), so the browser test proves the
built app runs under it. No CDK import here: devstack reads it without loading aws_cdk.

Scripts only from the site itself (the Vite build has no inline script); styles from the site (React
sets style properties through the CSSOM, which CSP does not restrict); the API is the only other place
the app talks to.
"""

from __future__ import annotations


def content_security_policy(connect_src: str = "'self' https:") -> str:
    """`connect_src`: where the app may fetch from (the API's origin); any https origin by default."""
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            f"connect-src {connect_src}",
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "object-src 'none'",
        )
    )
