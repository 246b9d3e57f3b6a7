"""Typed client of the locator's public API: sites and their opening hours, with a small cache."""

import time
from collections.abc import AsyncIterator
from typing import TypeVar

import httpx
from pydantic import BaseModel, Field, ValidationError

from fs_common.errors import BadGateway, NotFound
from fs_common.logs import REQUEST_ID_HEADER, request_id_var

M = TypeVar("M", bound=BaseModel)


class TimeRange(BaseModel):
    opens: str
    closes: str


class DayHours(BaseModel):
    weekday: int
    day: str
    ranges: list[TimeRange]


class SiteAddress(BaseModel):
    street: str
    complement: str | None = None
    postcode: str
    commune: str
    insee_code: str
    departement: str


class LocatorSite(BaseModel):
    id: int
    name: str
    is_mobile: bool = False
    address: SiteAddress
    timezone: str
    opening_hours: list[DayHours]
    hours_known: bool = True

    @property
    def address_text(self) -> str:
        street = ", ".join(p for p in (self.address.street, self.address.complement) if p)
        return f"{street}, {self.address.postcode} {self.address.commune}"


class VisitRange(BaseModel):
    opens: str
    closes: str


class VisitRule(BaseModel):
    """When a bus comes to a stop (the locator's ``visits``); no ranges: the site's hours that day."""

    weekdays: list[int] = Field(default_factory=list)
    dates: list[str] = Field(default_factory=list)
    ranges: list[VisitRange] = Field(default_factory=list)
    valid_from: str | None = None
    valid_until: str | None = None
    weeks_of_month: list[int] = Field(default_factory=list)
    week_parity: str | None = None


class LocatorStop(BaseModel):
    id: int
    name: str
    address: str | None = None
    insee_code: str | None = None
    commune: str | None = None
    timezone: str
    visits: list[VisitRule]

    @property
    def address_text(self) -> str:
        return ", ".join(p for p in (self.address, self.commune) if p) or self.name

    @property
    def departement(self) -> str | None:
        code = self.insee_code or ""
        return code[:3] if code.startswith("97") else code[:2] or None


class _Itinerary(BaseModel):
    stops: list[LocatorStop]


class _SitePage(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[LocatorSite]


class LocatorUnavailable(BadGateway):
    """The locator did not answer, or not as agreed."""


class LocatorClient:
    """One shared ``httpx.AsyncClient`` (base URL and timeout set by its creator) per process."""

    def __init__(self, http: httpx.AsyncClient, *, cache_ttl_s: float = 600) -> None:
        self._http = http
        self._ttl = cache_ttl_s
        self._sites: dict[int, tuple[float, LocatorSite]] = {}

    async def _get(self, path: str, params: dict | None = None) -> httpx.Response:
        headers = {}
        if request_id := request_id_var.get():
            headers[REQUEST_ID_HEADER] = request_id
        try:
            return await self._http.get(path, params=params, headers=headers)
        except httpx.HTTPError as exc:
            raise LocatorUnavailable(
                "Le service des lieux France Services ne répond pas ; réessayez dans un instant."
            ) from exc

    async def get_site(self, site_id: int) -> LocatorSite:
        cached = self._sites.get(site_id)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        response = await self._get(f"/v1/sites/{site_id}")
        if response.status_code == 404:
            raise NotFound(f"Aucune France Services n'a l'identifiant {site_id}.")
        site = self._parse(response, LocatorSite)
        self._sites[site_id] = (time.monotonic() + self._ttl, site)
        return site

    async def site_stops(self, site_id: int) -> list[LocatorStop]:
        """The stops of a mobile site with their visit rules."""
        response = await self._get(f"/v1/sites/{site_id}/stops")
        if response.status_code == 404:
            return []
        return self._parse(response, _Itinerary).stops

    async def iter_sites(
        self, departement: str | None = None, page_size: int = 200
    ) -> AsyncIterator[LocatorSite]:
        """Every site (of one département), page after page."""
        offset = 0
        while True:
            params: dict = {"offset": offset, "limit": page_size}
            if departement:
                params["departement"] = departement
            page = self._parse(await self._get("/v1/sites", params), _SitePage)
            for site in page.items:
                yield site
            offset += len(page.items)
            if not page.items or offset >= page.total:
                return

    def _parse(self, response: httpx.Response, model: type[M]) -> M:
        if response.status_code != 200:
            raise LocatorUnavailable(
                f"Le service des lieux France Services a répondu {response.status_code} ; réessayez."
            )
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            raise LocatorUnavailable("Réponse inattendue du service des lieux France Services.") from exc
