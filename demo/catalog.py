"""What the demo company sells and the stages its deals move through."""

from demo.context import money
from demo.data import PRODUCTS, STAGES
from pipeline.models import Product, Stage


def stages_ensure() -> dict[str, Stage]:
    """The standard stage set, created where missing; stages already there are left alone."""
    stages = {}
    for name, order, probability, kind, category in STAGES:
        defaults = {
            "order": order,
            "probability": probability,
            "kind": kind,
            "forecast_category": category,
        }
        stages[name], _ = Stage.objects.get_or_create(name=name, defaults=defaults)
    return stages


def products_create() -> dict[str, Product]:
    products = [
        Product(name=name, family=family, list_price=money(price), billing=billing)
        for name, (family, price, billing, _) in PRODUCTS.items()
    ]
    return {product.name: product for product in Product.objects.bulk_create(products)}
