"""The REST API (/api/v1/): every resource's viewset and serializers, the router, and the base
classes that put each request through `access`."""
