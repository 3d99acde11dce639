"""The emulator's GraphQL executor: projection, aliases, fragments, variables, errors."""

from __future__ import annotations


def seed_order(seeder, shop):
    variant = seeder.product(
        shop, "Shirt", [{"title": "M", "sku": "SH-M", "price": "20.00", "stock": 5}]
    )[0]
    customer = seeder.customer(shop, "ann@example.com", "Ann", "Lee")
    return seeder.order(shop, customer, [(variant, 2)]), variant


def test_orders_query_projects_aliases_fragments_and_variables(admin, seeder, shop):
    order, variant = seed_order(seeder, shop)
    data = admin.data(
        """
        query Orders($first: Int!) {
          list: orders(first: $first) {
            nodes {
              ...OrderBits
              lines: lineItems(first: 5) { nodes { sku quantity variant { id } } }
            }
            pageInfo { hasNextPage endCursor }
          }
        }
        fragment OrderBits on Order { id name customer { email } ... on Order { __typename } }
        """,
        {"first": 10},
    )
    node = data["list"]["nodes"][0]
    assert node["id"] == f"gid://shopify/Order/{order.id}"
    assert node["name"] == order.name
    assert node["customer"] == {"email": "ann@example.com"}
    assert node["__typename"] == "Order"
    assert node["lines"]["nodes"] == [
        {
            "sku": "SH-M",
            "quantity": 2,
            "variant": {"id": f"gid://shopify/ProductVariant/{variant.id}"},
        }
    ]
    assert data["list"]["pageInfo"]["hasNextPage"] is False


def test_unknown_field_fails_like_shopify(admin, seeder, shop):
    seed_order(seeder, shop)
    answer = admin.raw("{ orders(first: 1) { nodes { id favouriteColour } } }")
    assert "data" not in answer
    error = answer["errors"][0]
    assert error["message"] == "Field 'favouriteColour' doesn't exist on type 'Order'"
    assert error["extensions"]["code"] == "undefinedField"


def test_unknown_root_field_fails_before_running(admin):
    answer = admin.raw("mutation { launchRocket(id: 1) { id } }")
    assert answer["errors"][0]["extensions"] == {
        "code": "undefinedField",
        "typeName": "Mutation",
        "fieldName": "launchRocket",
    }


def test_cursor_pagination_walks_every_order(admin, seeder, shop):
    variant = seeder.product(shop, "Cap", [{"sku": "CAP", "stock": 100}])[0]
    placed = {seeder.order(shop, None, [(variant, 1)]).id for _ in range(7)}
    seen, cursor = set(), None
    while True:
        page = admin.data(
            """query($after: String) { orders(first: 3, after: $after) {
                edges { cursor node { legacyResourceId } }
                pageInfo { hasNextPage endCursor } } }""",
            {"after": cursor},
        )["orders"]
        seen |= {int(edge["node"]["legacyResourceId"]) for edge in page["edges"]}
        if not page["pageInfo"]["hasNextPage"]:
            break
        cursor = page["pageInfo"]["endCursor"]
    assert seen == placed


def test_search_query_filters_by_updated_at(admin, seeder, shop):
    from datetime import UTC, datetime, timedelta

    variant = seeder.product(shop, "Cap", [{"sku": "CAP", "stock": 100}])[0]
    old = seeder.order(
        shop, None, [(variant, 1)], fulfil=False, created_at=datetime.now(UTC) - timedelta(days=3)
    )
    new = seeder.order(shop, None, [(variant, 1)], fulfil=False)
    since = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    data = admin.data(
        "query($q: String) { orders(first: 10, query: $q) { nodes { legacyResourceId } } }",
        {"q": f"updated_at:>='{since}'"},
    )
    assert [n["legacyResourceId"] for n in data["orders"]["nodes"]] == [str(new.id)]
    assert old.id not in [int(n["legacyResourceId"]) for n in data["orders"]["nodes"]]


def test_orders_older_than_60_days_need_read_all_orders(client, seeder, shop):
    from datetime import UTC, datetime, timedelta

    from tests.sandbox.shopify.conftest import Admin

    cap = seeder.product(shop, "Cap", [{"sku": "CAP", "stock": 9}])[0]
    old = seeder.order(
        shop, None, [(cap, 1)], fulfil=False, created_at=datetime.now(UTC) - timedelta(days=90)
    )
    seeder.static_token(shop, "shpat_all", scope="read_orders,read_all_orders")
    query = "{ orders(first: 10) { nodes { legacyResourceId } } }"
    assert Admin(client).data(query)["orders"]["nodes"] == []
    assert Admin(client, token="shpat_all").data(query)["orders"]["nodes"] == [
        {"legacyResourceId": str(old.id)}
    ]
