"""Lambda adapter for the heuristic agent."""

from moneygrow.agents.runner import lambda_handler_for
from moneygrow.models import AgentName

handler = lambda_handler_for(AgentName.HEURISTIC)
