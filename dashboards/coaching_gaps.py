"""Where a rep's shortfall against the team comes from: activity pace, stage conversion, deal
size, cycle length.

Revenue in a period is, roughly, deals closed x win rate x won deal size, and the deals closed
grow with the activity behind them and with how fast deals move. Each gap is what the rep would
have won with the team's figure on that one driver and their own on the others; the drivers
whose gap is largest explain most of the shortfall.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from dashboards.common import fmt
from dashboards.rep_lines import RepLine
from metrics.definitions import CURRENCY, FRACTION

MIN_GAP = Decimal("0.1")  # a driver 10 % or less behind the team's is not a gap
SHOWN = 2


@dataclass(frozen=True)
class Gap:
    driver: str  # activity pace, stage conversion, deal size, cycle length
    lost: Decimal  # revenue the gap cost, in the scope's currency
    figures: str
    drill: tuple[str, dict]  # (kind, params) of the rows behind it


@dataclass(frozen=True)
class Team:
    win_rate: Decimal | None
    deal_size: Decimal | None
    activities: Decimal | None  # per rep
    cycle: Decimal | None  # mean of the reps' medians, days
    revenue: Decimal  # per rep


def _d(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def team_of(lines: list[RepLine]) -> Team:
    """The team's figures, pooled over its reps."""
    won = sum(line.values["deals_won"] or 0 for line in lines)
    closed = won + sum(line.values["deals_lost"] or 0 for line in lines)
    revenue = sum((_d(line.values["revenue"]) or Decimal(0) for line in lines), Decimal(0))
    cycles = [
        Decimal(c) for line in lines if (c := line.values["sales_cycle_days_median"]) is not None
    ]
    count = Decimal(len(lines)) if lines else None
    return Team(
        win_rate=Decimal(won) / closed if closed else None,
        deal_size=revenue / won if won else None,
        activities=Decimal(sum(line.activities for line in lines)) / count if count else None,
        cycle=sum(cycles, Decimal(0)) / len(cycles) if cycles else None,
        revenue=revenue / count if count else Decimal(0),
    )


def coaching_gaps(line: RepLine, team: Team) -> list[Gap]:
    """The one or two drivers that cost the rep most against the team, largest first."""
    values = line.values
    revenue = _d(values["revenue"]) or Decimal(0)
    won, lost = values["deals_won"] or 0, values["deals_lost"] or 0
    found = []
    for check in CHECKS:
        gap = check(line, team, revenue, won, lost)
        if gap is not None and gap.lost > 0:
            found.append(gap)
    return sorted(found, key=lambda gap: -gap.lost)[:SHOWN]


def _behind(mine: Decimal | None, theirs: Decimal | None, higher_is_better: bool = True) -> bool:
    if mine is None or theirs is None or not theirs:
        return False
    short = (theirs - mine) / theirs if higher_is_better else (mine - theirs) / theirs
    return short > MIN_GAP


def _conversion(line: RepLine, team: Team, revenue, won: int, lost: int) -> Gap | None:
    mine = Decimal(won) / (won + lost) if won + lost else None
    if not won or not _behind(mine, team.win_rate):
        return None
    assert mine is not None and team.win_rate is not None
    size = revenue / won
    cost = size * (won + lost) * (team.win_rate - mine)
    figures = (
        f"wins {fmt(mine, FRACTION)} of closed deals ({won} of {won + lost}), team "
        f"{fmt(team.win_rate, FRACTION)}"
    )
    return Gap("stage conversion", cost, figures, ("deals", {"measure": "closed"}))


def _size(line: RepLine, team: Team, revenue, won: int, lost: int) -> Gap | None:
    mine = revenue / won if won else None
    if not _behind(mine, team.deal_size):
        return None
    assert mine is not None and team.deal_size is not None
    figures = f"average won deal {fmt(mine, CURRENCY)}, team {fmt(team.deal_size, CURRENCY)}"
    return Gap("deal size", won * (team.deal_size - mine), figures, ("deals", {"measure": "won"}))


def _pace(line: RepLine, team: Team, revenue, won: int, lost: int) -> Gap | None:
    mine = Decimal(line.activities)
    if not mine or not _behind(mine, team.activities):
        return None
    assert team.activities is not None
    figures = f"{line.activities:,} activities, team {team.activities:,.0f} a rep"
    return Gap("activity pace", revenue * (team.activities / mine - 1), figures, ("activities", {}))


def _cycle(line: RepLine, team: Team, revenue, won: int, lost: int) -> Gap | None:
    mine = _d(line.values["sales_cycle_days_median"])
    if not mine or not _behind(mine, team.cycle, higher_is_better=False):
        return None
    assert team.cycle is not None
    figures = f"median sales cycle {mine:,.0f} days, team {team.cycle:,.0f}"
    return Gap(
        "cycle length", revenue * (mine / team.cycle - 1), figures, ("deals", {"measure": "won"})
    )


CHECKS: list[Callable[..., Gap | None]] = [_pace, _conversion, _size, _cycle]
