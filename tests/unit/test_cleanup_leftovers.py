"""What a notebook left behind: the difference of two leftovers() snapshots."""
from __future__ import annotations

from dockerlab.cleanup import left_behind


def test_only_what_is_new_is_named_per_kind():
    before = {"containers": ["registry"], "networks": ["course-net"], "volumes": []}
    after = {"containers": ["registry", "web-1"], "networks": ["course-net"], "volumes": ["data"]}
    assert left_behind(before, after) == ["container web-1", "volume data"]


def test_removing_things_is_not_leaving_them_and_a_name_in_another_kind_is_new():
    before = {"containers": ["db"], "networks": [], "volumes": []}
    after = {"containers": [], "networks": ["db"], "volumes": []}
    assert left_behind(before, after) == ["network db"]
