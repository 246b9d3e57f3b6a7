"""Parameter types shared by the services' routes."""

from typing import Annotated

from fastapi import Path

# Our ids are PostgreSQL integers: a larger number is a 422 here rather than a database error later.
IntId = Annotated[int, Path(ge=1, le=2_147_483_647, description="Identifiant (entier positif)")]

# A démarche's code (``caf-rsa``): the catalogue's key, in booking's paths and the gateway's compositions.
DEMARCHE_CODE_PATTERN = r"^[a-z0-9][a-z0-9-]{1,63}$"
