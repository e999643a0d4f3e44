"""The heuristic agent's checks: each module holds independent checks run by agents.heuristic."""
