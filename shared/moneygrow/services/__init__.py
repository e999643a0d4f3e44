"""Use cases: plain functions over the Store and the Workflow ports."""
