"""Watchlists, scheduled rescans and alerts.

users watch tokens (WatchEntry) ──► one WatchedToken per (chain, token), however many watch it
the schedule (scheduler.run_schedule) ──► due tokens rescanned through the analysis workflow,
    owned by RESCAN_OWNER, with a bounded number in flight
the workflow's Notify step (notify.after_rescan) ──► compare with the last state (changes.diff)
    ──► one SNS alert per changed token; each user's subscriptions filter it (filters.policy)
"""
