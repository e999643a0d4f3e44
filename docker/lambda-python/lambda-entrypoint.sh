#!/bin/sh
# ENTRYPOINT of the image, as in the AWS base images: outside Lambda (no AWS_LAMBDA_RUNTIME_API),
# run the bootstrap under the Runtime Interface Emulator (invoke it on :8080).
if [ $# -ne 1 ]; then
    echo "entrypoint requires the handler name to be the first argument" >&2
    exit 142
fi
export _HANDLER="$1"
if [ -z "${AWS_LAMBDA_RUNTIME_API}" ]; then
    exec /usr/local/bin/aws-lambda-rie /var/runtime/bootstrap "$_HANDLER"
else
    exec /var/runtime/bootstrap "$_HANDLER"
fi
