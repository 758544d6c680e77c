"""Static files under hashed names, with gzip and brotli copies, once collectstatic has run."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Browsers keep a hashed file for good and whitenoise sends its brotli or gzip copy.

    Django leaves names unhashed under DEBUG; this storage hashes them whenever collectstatic
    has written its manifest, so the embedded demo (`make run`, DEBUG on) downloads plotly.js
    once, compressed, too. Before any collectstatic, or for a file added since, the name stays
    plain and the file is served from its app.
    """

    manifest_strict = False

    def url(self, name, force=False):
        if not self.hashed_files:
            return super().url(name, force)
        try:
            return super().url(name, force=True)
        except ValueError:  # not collected yet
            return super().url(name, force)
