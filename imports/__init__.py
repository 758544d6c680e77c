"""CSV import of CRM exports: read, map, validate and upsert, in chunks, all or nothing.

`engine.import_file` is the one entry point; the command, the upload page's Celery task and the
tests all call it through `services.import_run_execute`, which logs an `ImportRun`.
"""
