"""What to tell whom, on which channel, when, and in which words. No I/O.

- Each guardian gets one notification per channel they have (in-app, email, SMS, WeChat) and per
  webhook endpoint they registered with notify.
- Preferences: mute kinds of event, choose channels, set quiet hours, pick zh-CN or English.
- Safety alerts (a failed health screening, a refused pick-up, a late pick-up, the pick-up code)
  ignore muting, channel choices and quiet hours.
- Quiet hours hold routine messages on outside channels until they end; the in-app inbox is silent
  and always gets the message at once.
- Outside addresses (e-mail, SMS, WeChat, webhook) get notifications only once the guardian has
  confirmed them with the one-time code sent there; until then they get that code and nothing
  else, and the guardian is told in-app only. In-app needs no confirmation, so safety alerts
  always reach the guardian somewhere.
- A pick-up code arrives sealed to notify's key. The stored text has a slot where the code goes;
  the code is put in only for the guardian (on their channel, or in their own inbox before it
  expires), never for an admin reading the inbox, and never after it expires.
"""

from services.notify.domain.messages import message  # the words of a message: what tests of other services read

__all__ = ["message"]
