"""One construct per concern: data, lambdas (shared layer + function factory), workflow, api."""
