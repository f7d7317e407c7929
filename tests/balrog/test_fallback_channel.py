"""The channel a partner build also answers to, for rules and emergency shutoffs: Balrog's ``getFallbackChannel``.

Upstream: ``src/auslib/AUS.py`` ``getFallbackChannel`` at Balrog's main (v3.121, commit f0c823ac) cuts at
``-cck-`` and keeps nothing after it; its use in ``AUS.evaluateRules`` checks ``updates_are_disabled`` for the
channel and for that fallback (tests/web/test_client.py ``testShutoffUpdatesFallbackChannel``). A change that
would keep a ``-sysaddon`` suffix (commit 094c6866d, "preserve -sysaddon in partner distribution fallback")
exists only on a branch, not on Balrog's main: Shipyard does what main does.
"""

from __future__ import annotations

import pytest

from chalicelib.balrog.matching import fallback_channel


@pytest.mark.parametrize("channel, fallback", [
    ("release-cck-ubuntu", "release"),
    ("release-cck-ubuntu-sysaddon", "release"),  # main drops the suffix with the partner's name
    ("release-sysaddon", "release-sysaddon"),  # no partner: the channel itself
    ("beta", "beta"),
])
def test_given_a_partner_channel_then_the_fallback_is_everything_before_cck(channel, fallback):
    assert fallback_channel(channel) == fallback
