"""What the pipeline tells the layers above about writes its model signals do not report."""

from django.dispatch import Signal

# Sent by the deal history writer on every write path (save, bulk_create, bulk_update,
# update), with `days`: the close days of the written deals, before and after the write, and
# `deals`: their ids. A set-based writer that has no ids sends `created_days` instead.
deals_written = Signal()
