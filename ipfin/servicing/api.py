"""API of the servicing app, mounted at `/api/v1/servicing/`."""

from ninja import Router

router = Router(tags=["servicing"])
