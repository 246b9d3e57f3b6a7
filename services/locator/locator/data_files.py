"""Where the vendored reference data lives (see ``services/locator/data/README.md``)."""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SITES_CSV = DATA_DIR / "france_services_20240801.csv"
COMMUNES_CSV = DATA_DIR / "communes_fr_2026_with_centroids.csv"
ARRONDISSEMENTS_CSV = DATA_DIR / "arrondissements_municipaux_centroids_ODbL.csv"
SERVICE_DIR = Path(__file__).resolve().parent.parent
ROAD_TERRITORIES_CSV = DATA_DIR / "road_territories.csv"
OLD_NAMES_CSV = DATA_DIR / "communes_old_names.csv"
ROAD_DURATIONS_CSV = DATA_DIR / "road_durations.csv"
FERRY_LINKS_CSV = DATA_DIR / "ferry_links.csv"
