"""The interactive dashboard: a JSON API (FastAPI) and a page that uses it, all assets local.

Nothing is imported here: the dashboard's packages are an optional extra (``dashboard``).
"""
