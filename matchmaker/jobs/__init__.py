"""Background jobs on a real queue (Celery over MATCHMAKER_BROKER_URL): imports, embedding chunks
and digest shards run on `matchmaker worker` processes, their progress kept in the database.

With no broker configured nothing here is used and nothing imports Celery: jobs run in-process.
"""
