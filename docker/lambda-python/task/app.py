"""The image's default handler (CMD app.handler): proves the runtime works without any function code."""

import platform
import sys


def handler(event, context):
    return {
        "python": platform.python_version(),
        "function": context.function_name,
        "path": sys.path[:4],
        "event": event,
    }
