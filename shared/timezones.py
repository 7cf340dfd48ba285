"""Times are stored in UTC and shown to people in China Standard Time."""

from zoneinfo import ZoneInfo

LOCAL_TIME = ZoneInfo("Asia/Shanghai")
