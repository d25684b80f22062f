"""The replay on a history with a known answer: models from earlier months only, cooldowns bind."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tactful.domain.affinity import MiningConfig
from tactful.domain.backtest.models import MonthlyModels
from tactful.domain.backtest.policy_file import BacktestPolicy
from tactful.domain.backtest.replay import Replay, replay
from tactful.domain.backtest.summary import Comparison, PolicySummary, summarise
from tactful.domain.catalog import Product, Sku
from tactful.domain.customers import CustomerId
from tactful.domain.lifetime.history import OrderHistory
from tactful.domain.money import Money
from tactful.domain.offers import Moment, OfferCatalog, OfferPolicy
from tactful.domain.orders import Order, OrderId, OrderLine

JAN = datetime(2024, 1, 1, tzinfo=UTC)
FEB = datetime(2024, 2, 1, tzinfo=UTC)
PRICES = {"LAMP": 4000, "BULB": 500, "SHADE": 1500}
CATALOG = OfferCatalog.build(Product(Sku(s), s.title(), Money(p, "GBP")) for s, p in PRICES.items())


def order(number: int, customer: str | None, at: datetime, *skus: str) -> Order:
    lines = tuple(OrderLine(Sku(s), 1, Money(PRICES[s], "GBP")) for s in skus)
    return Order(OrderId(f"o{number:03}"), at, lines, CustomerId(customer) if customer else None)


def history() -> OrderHistory:
    """January: 30 lamp-and-bulb orders and 30 shades; in February ann and bob buy lamps."""
    january = [
        order(n, f"jan{n}", JAN + timedelta(hours=10 * n), "LAMP", "BULB") for n in range(30)
    ]
    january += [
        order(100 + n, f"sh{n}", JAN + timedelta(hours=10 * n + 5), "SHADE") for n in range(30)
    ]
    january.append(order(40, "ann", JAN + timedelta(days=20), "LAMP"))
    february = [
        order(50, "ann", FEB + timedelta(days=2), "LAMP"),
        order(51, None, FEB + timedelta(days=3), "LAMP"),
        order(52, "ann", FEB + timedelta(days=5), "BULB"),
        order(53, "ann", FEB + timedelta(days=6), "LAMP"),
        order(54, "bob", FEB + timedelta(days=9), "LAMP"),
    ]
    return OrderHistory.from_orders(january + february)


def policy(name: str, **fields: object) -> BacktestPolicy:
    return BacktestPolicy(name, OfferPolicy(holdout_share=0.0, **fields), Moment.CHECKOUT)  # type: ignore[arg-type]


def run(
    *policies: BacktestPolicy, start: datetime = JAN
) -> tuple[Replay, list[PolicySummary], list[Comparison]]:
    past = history()
    models = MonthlyModels.of(past, MiningConfig(min_support=0.05), CATALOG.products.values())
    replayed = replay(past, CATALOG, policies, models, start=start, end=FEB + timedelta(days=28))
    summaries, comparisons = summarise(replayed, past)
    return replayed, summaries, comparisons


def test_january_has_no_model_and_february_offers_bulbs_with_lamps() -> None:
    replayed, (summary,), _ = run(policy("base", cooldown=timedelta(days=0)))
    (only,) = replayed.runs
    past = history()
    offered = [
        (past.order_ids[o], sku) for o, sku in zip(only.offer_orders, only.offer_skus, strict=True)
    ]
    assert ("o050", "BULB") in offered
    assert ("o054", "BULB") in offered
    assert all(order_id >= "o050" for order_id, _ in offered), "no model before February"
    assert replayed.guest_orders == 1
    assert replayed.orders_replayed == 65
    assert summary.offers == len(offered)
    by_order = dict(offered)
    bought = dict(
        zip((past.order_ids[o] for o in only.offer_orders), only.bought_anyway, strict=True)
    )
    assert by_order["o050"] == "BULB"
    assert bought["o050"] is True, "ann bought bulbs three days after"
    assert bought["o054"] is False, "bob never did"


def test_a_weekly_budget_stops_the_next_offer_four_days_later() -> None:
    """Replayed offers count as shown and unanswered: budgets bind, decline cooldowns cannot."""
    replayed, _, comparisons = run(policy("six"), policy("one", budget=1), start=FEB)
    six, one = replayed.runs
    past = history()
    assert "o053" in {past.order_ids[o] for o in six.offer_orders}
    assert "o053" not in {past.order_ids[o] for o in one.offer_orders}
    (comparison,) = comparisons
    assert (comparison.first, comparison.second) == ("six", "one")
    assert comparison.decisions == 4
    assert comparison.only_first == 1
    assert comparison.top_agreement == 0.75


def test_budget_caps_offers_per_customer_week() -> None:
    _, (summary,), _ = run(policy("tight", budget=1, cooldown=timedelta(days=0)), start=FEB)
    assert summary.weekly.max <= 1
    assert summary.weekly.over_budget == 0
