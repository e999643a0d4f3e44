"""The independent analysis agents and the aggregator that merges them."""
