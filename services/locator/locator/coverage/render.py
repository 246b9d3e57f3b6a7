"""The coverage map as a PNG, drawn with matplotlib (Agg), without any map tiles.

Projection (documented so that anyone can find a commune's pixel):

- x = lon × cos(φ0), y = lat, where φ0 is the middle latitude of the communes drawn;
- the communes' bounding box in (x, y) is padded by 5 % of its larger side on every side (at least
  0.01°), then widened symmetrically along its shorter side until it has the map frame's pixel shape;
- the map frame is the rectangle from 3 % to 97 % of the width and from 10 % to 88 % of the height
  (from the bottom); the title sits above it and the legend below;
- so, with (X0, X1, Y0, Y1) the final box, a point is drawn at pixel column
  ``W × (0.03 + 0.94 × (x − X0) / (X1 − X0))`` and row (from the top)
  ``H × (1 − 0.10 − 0.78 × (y − Y0) / (Y1 − Y0))``.

Communes are discs coloured by time band (under 15, 15 to 30, over 30 minutes; grey: no place),
drawn in that order so that the communes beyond 30 minutes stay visible; sites are black triangles and
stops of mobile services purple diamonds.
"""

import io
import math
from dataclasses import dataclass

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

FRAME = (0.03, 0.10, 0.94, 0.78)  # left, bottom, width, height, in fractions of the image
PADDING = 0.05
MIN_PADDING_DEG = 0.01
DPI = 100
COLOURS = {"under_15": "#1a9850", "15_30": "#fee08b", "over_30": "#d73027", "none": "#9e9e9e"}
LABELS = {
    "under_15": "moins de 15 min",
    "15_30": "15 à 30 min",
    "over_30": "plus de 30 min",
    "none": "aucun lieu",
}


@dataclass(frozen=True)
class Projection:
    cos_phi0: float
    x0: float
    x1: float
    y0: float
    y1: float

    @classmethod
    def fit(cls, lat: np.ndarray, lon: np.ndarray, width: int, height: int) -> "Projection":
        cos_phi0 = math.cos(math.radians((float(lat.min()) + float(lat.max())) / 2))
        x, y = lon * cos_phi0, lat
        pad = max(PADDING * max(float(x.max() - x.min()), float(y.max() - y.min())), MIN_PADDING_DEG)
        x0, x1 = float(x.min()) - pad, float(x.max()) + pad
        y0, y1 = float(y.min()) - pad, float(y.max()) + pad
        frame_ratio = (FRAME[2] * width) / (FRAME[3] * height)
        if (x1 - x0) / (y1 - y0) < frame_ratio:
            grow = (frame_ratio * (y1 - y0) - (x1 - x0)) / 2
            x0, x1 = x0 - grow, x1 + grow
        else:
            grow = ((x1 - x0) / frame_ratio - (y1 - y0)) / 2
            y0, y1 = y0 - grow, y1 + grow
        return cls(cos_phi0, x0, x1, y0, y1)

    def xy(self, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return lon * self.cos_phi0, lat


@dataclass(frozen=True)
class MapData:
    title: str
    subtitle: str
    lat: np.ndarray
    lon: np.ndarray
    bands: list[str]
    site_lat: np.ndarray
    site_lon: np.ndarray
    stop_lat: np.ndarray
    stop_lon: np.ndarray


def render_png(data: MapData, width: int, height: int) -> bytes:
    projection = Projection.fit(data.lat, data.lon, width, height)
    figure = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    ax = figure.add_axes(FRAME)
    ax.set_xlim(projection.x0, projection.x1)
    ax.set_ylim(projection.y0, projection.y1)
    ax.set_axis_off()
    frame_px = FRAME[2] * width * FRAME[3] * height
    diameter_px = max(4.0, min(12.0, 0.8 * math.sqrt(frame_px / max(len(data.lat), 1))))
    size = (diameter_px * 72 / DPI) ** 2  # scatter sizes are in points²
    bands = np.array(data.bands)
    handles = []
    for name in ("none", "under_15", "15_30", "over_30"):
        chosen = bands == name
        if chosen.any():
            x, y = projection.xy(data.lat[chosen], data.lon[chosen])
            ax.scatter(x, y, s=size, c=COLOURS[name], edgecolors="none", zorder=2)
        if name != "none" or chosen.any():
            handles.append(Line2D([], [], ls="", marker="o", ms=8, color=COLOURS[name], label=LABELS[name]))
    marker_size = (1.6 * diameter_px * 72 / DPI) ** 2
    x, y = projection.xy(data.site_lat, data.site_lon)
    ax.scatter(x, y, s=marker_size, marker="^", c="black", edgecolors="white", linewidths=0.5, zorder=3)
    handles.append(Line2D([], [], ls="", marker="^", ms=8, color="black", label="France Services"))
    if len(data.stop_lat):
        x, y = projection.xy(data.stop_lat, data.stop_lon)
        ax.scatter(x, y, s=marker_size, marker="D", c="#6a3d9a", edgecolors="white", linewidths=0.5, zorder=3)
        handles.append(Line2D([], [], ls="", marker="D", ms=7, color="#6a3d9a", label="arrêt de bus"))
    figure.text(0.5, 0.955, data.title, ha="center", va="center", fontsize=14, weight="bold")
    figure.text(0.5, 0.91, data.subtitle, ha="center", va="center", fontsize=10)
    figure.legend(handles=handles, loc="lower center", ncol=len(handles), frameon=False, fontsize=9)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
