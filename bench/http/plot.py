"""Throughput against concurrency, from load.py's JSON results, as an SVG
line chart (written by hand: a few lines of SVG need no plotting library).

Usage: python3 bench/http/plot.py OUT.svg RESULTS.json [RESULTS.json ...]
"""

import json
import math
import sys

WIDTH, HEIGHT = 760, 420
LEFT, RIGHT, TOP, BOTTOM = 80, 200, 40, 60
COLOURS = {("sqlite", "search"): "#1f77b4", ("postgres", "search"): "#d62728",
           ("sqlite", "bookings"): "#6baed6", ("postgres", "bookings"): "#fc9272"}
DASH = {"search": "", "bookings": "6,4"}


def main():
    out, *inputs = sys.argv[1:]
    series = []
    for path in inputs:
        with open(path) as f:
            r = json.load(f)
        for name, points in r["sweep"].items():
            pts = sorted((int(c), p["rps"]) for c, p in points.items())
            if pts:
                series.append((r["backend"], name, pts))
    xs = sorted({c for _, _, pts in series for c, _ in pts})
    top = max(rps for _, _, pts in series for _, rps in pts)
    step = 10 ** math.floor(math.log10(top))
    ymax = math.ceil(top / step) * step
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(c):
        return LEFT + plot_w * (math.log2(c) - math.log2(xs[0])) / max(1e-9, math.log2(xs[-1]) - math.log2(xs[0]))

    def y(v):
        return TOP + plot_h * (1 - v / ymax)

    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
           f'font-family="sans-serif" font-size="12" role="img" '
           f'aria-label="Requests per second against concurrent connections">',
           f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
           f'<text x="{LEFT}" y="24" font-size="15">salle serve, département scale: throughput by concurrency</text>']
    for i in range(0, 11):
        v = ymax * i / 10
        svg.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#ddd"/>')
        svg.append(f'<text x="{LEFT - 8}" y="{y(v) + 4:.1f}" text-anchor="end">{v:,.0f}</text>')
    for c in xs:
        svg.append(f'<line x1="{x(c):.1f}" x2="{x(c):.1f}" y1="{TOP}" y2="{TOP + plot_h}" stroke="#eee"/>')
        svg.append(f'<text x="{x(c):.1f}" y="{TOP + plot_h + 18}" text-anchor="middle">{c}</text>')
    svg.append(f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 16}" text-anchor="middle">'
               f'concurrent connections (wrk, log scale)</text>')
    svg.append(f'<text transform="translate(20 {TOP + plot_h / 2}) rotate(-90)" text-anchor="middle">'
               f'requests per second</text>')
    for n, (backend, name, pts) in enumerate(series):
        colour = COLOURS.get((backend, name), "#333")
        d = " ".join(f"{'M' if i == 0 else 'L'}{x(c):.1f},{y(v):.1f}" for i, (c, v) in enumerate(pts))
        svg.append(f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="2.5" '
                   f'stroke-dasharray="{DASH.get(name, "")}"/>')
        for c, v in pts:
            svg.append(f'<circle cx="{x(c):.1f}" cy="{y(v):.1f}" r="3.5" fill="{colour}"/>')
        ly = TOP + 20 + n * 22
        svg.append(f'<line x1="{WIDTH - RIGHT + 20}" x2="{WIDTH - RIGHT + 50}" y1="{ly}" y2="{ly}" '
                   f'stroke="{colour}" stroke-width="2.5" stroke-dasharray="{DASH.get(name, "")}"/>')
        label = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[backend]
        svg.append(f'<text x="{WIDTH - RIGHT + 56}" y="{ly + 4}">{name}, {label}</text>')
    svg.append("</svg>")
    with open(out, "w") as f:
        f.write("\n".join(svg) + "\n")


if __name__ == "__main__":
    main()
