"""``inventoryAdjustQuantities``: ``@idempotent`` keys and the ``changeFromQuantity`` check."""

from __future__ import annotations

ADJUST = """
mutation Adjust($input: InventoryAdjustQuantitiesInput!, $key: String!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { changes { name delta quantityAfterChange } }
    userErrors { code field message }
  }
}
"""


def _input(variant, location, delta, change_from):
    return {
        "name": "available",
        "reason": "restock",
        "changes": [
            {
                "inventoryItemId": f"gid://shopify/InventoryItem/{variant.inventory_item_id}",
                "locationId": f"gid://shopify/Location/{location.id}",
                "delta": delta,
                "changeFromQuantity": change_from,
            }
        ],
    }


def _setup(seeder, shop):
    variant = seeder.product(shop, "Mug", [{"sku": "MUG", "stock": 4}])[0]
    return variant, next(iter(shop.locations.values()))


def test_same_key_same_result_and_no_second_effect(admin, seeder, shop):
    variant, location = _setup(seeder, shop)
    first = admin.data(ADJUST, {"input": _input(variant, location, 2, 4), "key": "movement-1"})
    again = admin.data(ADJUST, {"input": _input(variant, location, 2, 4), "key": "movement-1"})
    assert first == again
    assert first["inventoryAdjustQuantities"]["userErrors"] == []
    assert seeder.stock(shop, variant) == 6


def test_stale_change_from_quantity_changes_nothing(admin, seeder, shop):
    variant, location = _setup(seeder, shop)
    answer = admin.data(ADJUST, {"input": _input(variant, location, 2, 3), "key": "movement-2"})
    errors = answer["inventoryAdjustQuantities"]["userErrors"]
    assert [e["code"] for e in errors] == ["CHANGE_FROM_QUANTITY_STALE"]
    assert seeder.stock(shop, variant) == 4
    # A refused attempt leaves the key free: the retry after a re-read applies once.
    retried = admin.data(ADJUST, {"input": _input(variant, location, 2, 4), "key": "movement-2"})
    assert retried["inventoryAdjustQuantities"]["userErrors"] == []
    assert seeder.stock(shop, variant) == 6


def test_change_from_quantity_is_mandatory(admin, seeder, shop):
    variant, location = _setup(seeder, shop)
    data = _input(variant, location, 1, None)
    del data["changes"][0]["changeFromQuantity"]
    answer = admin.data(ADJUST, {"input": data, "key": "movement-3"})
    assert answer["inventoryAdjustQuantities"]["userErrors"]
    assert seeder.stock(shop, variant) == 4


def test_null_change_from_quantity_skips_the_check(admin, seeder, shop):
    variant, location = _setup(seeder, shop)
    admin.data(ADJUST, {"input": _input(variant, location, -1, None), "key": "movement-4"})
    assert seeder.stock(shop, variant) == 3
    assert seeder.stock(shop, variant, name="on_hand") == 3


def test_key_is_mandatory_in_2026_04(admin, seeder, shop):
    variant, location = _setup(seeder, shop)
    answer = admin.raw(
        "mutation($input: InventoryAdjustQuantitiesInput!) {"
        " inventoryAdjustQuantities(input: $input) { userErrors { code } } }",
        {"input": _input(variant, location, 1, 4)},
    )
    assert answer["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert seeder.stock(shop, variant) == 4


def test_same_key_with_other_arguments_is_refused(admin, seeder, shop):
    variant, location = _setup(seeder, shop)
    admin.data(ADJUST, {"input": _input(variant, location, 2, 4), "key": "movement-5"})
    answer = admin.data(ADJUST, {"input": _input(variant, location, 2, 6), "key": "movement-5"})
    errors = answer["inventoryAdjustQuantities"]["userErrors"]
    assert [e["code"] for e in errors] == ["IDEMPOTENCY_KEY_PARAMETER_MISMATCH"]
    assert answer["inventoryAdjustQuantities"]["inventoryAdjustmentGroup"] is None
    assert seeder.stock(shop, variant) == 6
