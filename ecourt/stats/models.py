"""What the statistics keep of their own: page views counted per day and page group, and the
daily-rotated salts and visitor keys that make "visitors" countable without storing who they
are. Every other figure is read live from the other apps' records (see selectors.py); the
statistics never change those records.
"""

from __future__ import annotations

from django.db import models


class VisitDay(models.Model):
    """Page views of one court day (Asia/Shanghai) and one page group.

    Written only by batched upserts (``views = views + n``) from the web processes' visit buffers
    and by the press scenario's loader; never once per request.
    """

    day = models.DateField(help_text="Court time zone.")
    page_group = models.CharField(
        max_length=30, help_text="Which part of the site: home, filing, cases, stats, …"
    )
    views = models.PositiveBigIntegerField(default=0, help_text="HTML page views counted.")

    class Meta:
        ordering = ["day", "page_group"]
        constraints = [
            models.UniqueConstraint(fields=["day", "page_group"], name="unique_visit_day_group")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.page_group}: {self.views}"


class VisitorDay(models.Model):
    """Distinct visitors of one closed court day, folded from that day's visitor keys."""

    day = models.DateField(unique=True)
    visitors = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day}: {self.visitors} visitors"


class VisitSalt(models.Model):
    """The random salt of one court day. Deleted once the day is folded, so nobody (not even
    the court) can later recompute a visitor key from an address."""

    day = models.DateField(unique=True)
    salt = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"salt of {self.day}"


class VisitorKey(models.Model):
    """One visitor seen on one day: a salted hash of address and browser, never the address.
    Kept only until the day is folded into ``VisitorDay``."""

    day = models.DateField()
    key = models.CharField(max_length=32, help_text="Truncated HMAC-SHA256, hex.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "key"], name="unique_visitor_key")]

    def __str__(self) -> str:
        return f"{self.day} {self.key}"
