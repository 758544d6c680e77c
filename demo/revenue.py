"""Recurring revenue and customer voice: subscriptions from the customer book, CSAT and NPS."""

import random
from datetime import date, timedelta

from core.periods import add_months
from demo.context import DemoContext
from demo.customers import Chain, CustomerBook
from pipeline.models import Account, Subscription, SurveyKind, SurveyResponse

CSAT_MONTHLY_CHANCE = 0.35
NPS_QUARTERLY_CHANCE = 0.4
COMMENT_SHARE = 0.25
AT_RISK_DAYS = 180
# Scores 1-5 and 0-10: healthy customers answer like most SaaS customers (NPS about +30);
# those who will churn within six months answer worse.
CSAT_WEIGHTS = {False: [3, 5, 12, 35, 45], True: [15, 20, 30, 25, 10]}
NPS_WEIGHTS = {
    False: [1, 1, 2, 2, 3, 4, 7, 12, 18, 22, 28],
    True: [6, 6, 8, 10, 10, 12, 14, 14, 10, 6, 4],
}
COMMENTS = {
    "low": [
        "Onboarding was a painful mess and nobody helped.",
        "Support is slow and the delays are really frustrating.",
        "Too expensive for what we get; disappointed.",
        "The last release broke our reports. Not happy.",
        "We are unhappy and looking at other vendors.",
    ],
    "mid": [
        "Does the job.",
        "Reporting could be better.",
        "Fine, a few rough edges.",
        "OK overall, the export is clunky.",
        "Works, but setup was confusing.",
    ],
    "high": [
        "Great support team!",
        "Saves us hours every week, love it.",
        "Easy to roll out and the team is happy.",
        "Excellent product, highly recommended.",
        "Really helpful account manager.",
    ],
}
BATCH_SIZE = 1000


def subscriptions_create(book: CustomerBook) -> int:
    rows = [
        row for chains in book.chains.values() for chain in chains for row in _rows(book, chain)
    ]
    return len(Subscription.objects.bulk_create(rows, batch_size=BATCH_SIZE))


def _rows(book: CustomerBook, chain: Chain) -> list[Subscription]:
    """One row per price: a change ends the old row the day the new one starts (half-open)."""
    days = sorted({since for since, _ in chain.changes if since < chain.churn})
    ends = [*days[1:], chain.churn if chain.churn <= book.ctx.today else None]
    return [
        Subscription(
            account=chain.account,
            product=chain.product,
            mrr=chain.mrr_on(start),
            start=start,
            end=end,
        )
        for start, end in zip(days, ends, strict=True)
    ]


def surveys_create(ctx: DemoContext, book: CustomerBook) -> int:
    rng = ctx.rng("surveys")
    rows = []
    for account, since, until, churned in book.spans():
        month = max(since, ctx.start).replace(day=1)
        while month <= until:
            rows.extend(_month_answers(rng, account, month, since, until, churned))
            month = add_months(month, 1)
    return len(SurveyResponse.objects.bulk_create(rows, batch_size=BATCH_SIZE))


def _month_answers(
    rng: random.Random, account: Account, month: date, since: date, until: date, churned
) -> list[SurveyResponse]:
    day = month + timedelta(days=rng.randint(0, 27))
    if not since <= day <= until:
        return []
    at_risk = churned is not None and (churned - day).days < AT_RISK_DAYS
    answers = []
    if rng.random() < CSAT_MONTHLY_CHANCE:
        answers.append(_answer(rng, account, SurveyKind.CSAT, day, at_risk))
    if month.month % 3 == 1 and rng.random() < NPS_QUARTERLY_CHANCE:
        answers.append(_answer(rng, account, SurveyKind.NPS, day, at_risk))
    return answers


def _answer(
    rng: random.Random, account: Account, kind: str, day: date, at_risk: bool
) -> SurveyResponse:
    weights = CSAT_WEIGHTS[at_risk] if kind == SurveyKind.CSAT else NPS_WEIGHTS[at_risk]
    low = 1 if kind == SurveyKind.CSAT else 0
    score = rng.choices(range(low, low + len(weights)), weights=weights)[0]
    share = score / (5 if kind == SurveyKind.CSAT else 10)
    band = "low" if share < 0.6 else "mid" if share < 0.85 else "high"
    comment = rng.choice(COMMENTS[band]) if rng.random() < COMMENT_SHARE else ""
    return SurveyResponse(
        account=account, kind=kind, score=score, responded_on=day, comment=comment
    )
