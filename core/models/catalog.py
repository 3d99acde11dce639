"""The store's catalogue as mirrored: variants, locations, stock levels."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, Timestamped
from core.db.types import JSONType, Money, UTCDateTime
from core.models._columns import shop_fk


class Variant(Base, Timestamped):
    """A sellable unit (Shopify variant, WooCommerce simple product or variation)."""

    __tablename__ = "variants"
    __table_args__ = (
        UniqueConstraint("shop_id", "platform_id"),
        Index("ix_variants_shop_sku", "shop_id", "sku"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = shop_fk()
    platform_id: Mapped[str] = mapped_column(String(128))
    product_platform_id: Mapped[str | None] = mapped_column(String(128))
    # Shopify moves stock by inventory item, not by variant.
    inventory_item_id: Mapped[str | None] = mapped_column(String(128))
    sku: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(512), default="")
    product_title: Mapped[str] = mapped_column(String(512), default="")
    price: Mapped[Decimal | None] = mapped_column(Money())
    currency: Mapped[str | None] = mapped_column(String(3))
    tags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    product_type: Mapped[str | None] = mapped_column(String(255))
    # Shopify collections or WooCommerce categories, by handle/slug.
    collections: Mapped[list[str]] = mapped_column(JSONType, default=list)
    vendor: Mapped[str | None] = mapped_column(String(255))
    image_url: Mapped[str | None] = mapped_column(String(1024))
    tracks_inventory: Mapped[bool] = mapped_column(default=True)
    platform_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Location(Base, Timestamped):
    """Where stock is kept; WooCommerce shops have a single implicit one."""

    __tablename__ = "locations"
    __table_args__ = (UniqueConstraint("shop_id", "platform_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = shop_fk()
    platform_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(255), default="")
    active: Mapped[bool] = mapped_column(default=True)
    is_default: Mapped[bool] = mapped_column(default=False)


class InventoryLevel(Base, Timestamped):
    """Units available of a variant at a location, as last seen on the store."""

    __tablename__ = "inventory_levels"
    __table_args__ = (UniqueConstraint("variant_id", "location_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = shop_fk()
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"))
    location_id: Mapped[int] = mapped_column(
        ForeignKey("locations.id", ondelete="CASCADE"), index=True
    )
    available: Mapped[int] = mapped_column(default=0)
    platform_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    variant: Mapped[Variant] = relationship()
    location: Mapped[Location] = relationship()
