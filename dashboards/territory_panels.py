"""The executive page's territory panels: the territory table and the treemap of revenue."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import access
from core.periods import Period
from dashboards import charts
from dashboards.common import (
    Cell,
    Row,
    Table,
    chart,
    empty_chart,
    fmt,
    lean,
)
from metrics.definitions import CURRENCY, FRACTION
from metrics.scope import Scope
from org.models import User
from planning.selectors.performance import Performance, rolled_up, territory_performance

INDENT = "\u2003"  # an em space per level below the top
NO_DATA = "No won deals in this period. Deals are added in the admin, the API or by an import."


def territory_blocks(user: User, scope: Scope, window: Period, today: date, link) -> list:
    """The treemap and the performance table, from one computation per period."""
    # Listing the territories from the visible ones (reference data) spares a search through
    # every deal and account for the territories they use.
    listed = (
        scope.territories if scope.territories is not None else access.visible_territories(user)
    )
    rows = territory_performance(replace(lean(scope), territories=listed), window, today=today)
    # The whole tree (reference data, a few rows), so regions and areas frame their territories.
    tree = {
        name: (pk, parent)
        for pk, name, parent in access.visible_territories(user).values_list(
            "id", "name", "parent__name"
        )
    }
    rows = rolled_up(rows, {name: parent for name, (_, parent) in tree.items()})
    return [territory_chart(rows, tree, link), territory_table(rows, tree, link)]


def territory_table(rows: list[Performance], tree: dict, link) -> Table:
    def won(row: Performance) -> str:
        pk = tree.get(row.territory, (None, None))[0]
        if pk is None:
            return link("deals", measure="won", missing="territory")
        return link("deals", measure="won", territory=pk)

    by_name = {row.territory: row for row in rows}
    ranked = [by_name[name] for name in _walk(tree, {n: r.revenue for n, r in by_name.items()})]
    return Table(
        "territory_performance",
        "Territory performance",
        [("Territory", False), ("Revenue", True), ("Attainment", True), ("Win rate", True)]
        + [("Growth on a year before", True)],
        [
            [
                Cell(INDENT * _depth(tree, row.territory) + (row.territory or "(no territory)")),
                Cell(fmt(row.revenue, CURRENCY), won(row), num=True),
                Cell(fmt(row.attainment, FRACTION), num=True),
                Cell(fmt(row.win_rate, FRACTION), num=True),
                Cell(fmt(row.growth, FRACTION), num=True, tone=_tone(row.growth)),
            ]
            for row in ranked
        ],
        empty=NO_DATA,
        note="Closed deals count in the territory credited when they closed; a region or area "
        "adds up its sub-territories, as the treemap and the territory filter do. Attainment "
        "is against the territory's own quota. Growth: revenue against the same days a year "
        "earlier (a period still running: its days so far).",
        wide=True,
    )


def _tone(growth: Decimal | None) -> str:
    if growth is None or growth == 0:
        return ""
    return "good" if growth > 0 else "bad"


def territory_chart(rows: list[Performance], tree: dict, link):
    title = "Revenue and attainment by territory"
    found = {
        row.territory: {"revenue": row.revenue, "quota_attainment": row.attainment} for row in rows
    }
    if not any((values["revenue"] or 0) for values in found.values()):
        return empty_chart("territories", title, NO_DATA)
    # Values are whole subtrees (branchvalues="total"), as the territory filter counts them.
    subtree = {row.territory: row.revenue for row in rows}
    names = [name for name in _tree_order(tree, subtree) if subtree[name]]
    ids: list[str] = []
    labels: list[str] = []
    parents: list[str] = []
    values: list[Decimal] = []
    colours: list[Decimal | None] = []
    links: list[str] = []
    for name in names:
        pk, parent = tree.get(name, (None, None))
        ids.append(name)
        labels.append("(no territory)" if pk is None else name)
        parents.append(parent if parent in names else "")
        values.append(subtree[name])
        colours.append(found.get(name, {}).get("quota_attainment"))
        links.append(
            link("deals", measure="won", territory=pk)
            if pk
            else link("deals", measure="won", missing="territory")
        )
    figure = charts.treemap(ids, labels, parents, values, colours, links=links)
    table = [
        Row(label, f"{fmt(value, CURRENCY)}, attainment {fmt(colour, FRACTION)}", url)
        for label, value, colour, url in zip(labels, values, colours, links, strict=True)
    ]
    if any(colour is not None for colour in colours):
        note = (
            "Area: revenue including sub-territories. Shade: the territory's own "
            "attainment (darkest: low or no quota)."
        )
    else:
        note = (
            "Area: revenue including sub-territories; one colour per region. No territory "
            "has a quota for this period, so no attainment: sales operations sets territory "
            "quotas in the admin (Quotas)."
        )
    return chart("territories", title, figure, table, wide=True, note=note)


def _walk(tree: dict, subtree: dict) -> list[str]:
    """Each territory followed by its sub-territories, biggest first at every level."""
    children: dict = {}
    for name in subtree:
        parent = tree.get(name, (None, None))[1]
        children.setdefault(parent if parent in subtree else None, []).append(name)
    order: list[str] = []
    stack = sorted(children.get(None, []), key=lambda n: (subtree[n], str(n)))
    while stack:
        name = stack.pop()
        order.append(name)
        stack += sorted(children.get(name, []), key=lambda n: (subtree[n], str(n)))
    return order


def _tree_order(tree: dict, subtree: dict) -> list[str]:
    """Parents before children, biggest first."""
    return sorted(subtree, key=lambda name: (_depth(tree, name), -subtree[name], str(name)))


def _depth(tree: dict, name) -> int:
    depth, node, seen = 0, tree.get(name, (None, None))[1], set()
    while node is not None and node not in seen:
        seen.add(node)
        depth += 1
        node = tree.get(node, (None, None))[1]
    return depth
