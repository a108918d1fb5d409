"""API of the pledges app, mounted at `/api/v1/pledges/`."""

from ninja import Router

router = Router(tags=["pledges"])
