"""Static files under hashed names, with gzip and brotli copies, once collectstatic has run."""

import os

from django.conf import settings
from django.contrib.staticfiles import finders
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Browsers keep a hashed file for good and whitenoise sends its brotli or gzip copy.

    Django leaves names unhashed under DEBUG; this storage hashes them whenever collectstatic
    has written its manifest, so the embedded demo (`make run`, DEBUG on) downloads plotly.js
    once, compressed, too. A file not collected yet, or under DEBUG edited since, keeps its
    plain name and is served from its app as it is now.
    """

    manifest_strict = False

    def url(self, name, force=False):
        if not self.hashed_files or (settings.DEBUG and self._edited_since_collected(name)):
            return super().url(name, force)
        try:
            return super().url(name, force=True)
        except ValueError:  # not collected yet
            return super().url(name, force)

    def _edited_since_collected(self, name: str) -> bool:
        source = finders.find(name)
        if not source or not self.exists(name):
            return True
        return os.path.getmtime(source) > os.path.getmtime(self.path(name))
