"""Times are stored in UTC and shown to people in China Standard Time."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

LOCAL_TIME = ZoneInfo("Asia/Shanghai")


def local_today() -> date:
    """Today's date where the classes are (a parent in Shanghai at 00:30 is already in tomorrow)."""
    return datetime.now(LOCAL_TIME).date()
