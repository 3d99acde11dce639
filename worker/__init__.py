"""The worker: RQ queues, thin jobs, retry and pacing policy, and the schedule.

Jobs take ids, load what they need and call ``core.services`` with the shop's connector;
the database is the record of what must happen, Redis only says what to do next.
"""
