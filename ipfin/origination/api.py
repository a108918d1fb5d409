"""API of the origination app, mounted at `/api/v1/origination/`."""

from ninja import Router

router = Router(tags=["origination"])
