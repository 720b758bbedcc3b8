"""Tags of instances, flows, modules and catalog resources of the caller's account."""

from __future__ import annotations

from flowops.sandbox.backend.common import Family, Output, Params
from flowops.sandbox.protocol import Caller, invalid_param, not_found

#: At most this many tags per resource (Connect's documented limit).
MAX_TAGS = 50


class Tags(Family):
    """TagResource, UntagResource, ListTagsForResource."""

    def _target(self, caller: Caller, arn: str) -> str:
        parts = arn.split(":")
        owned = len(parts) >= 6 and parts[3] == caller.region and parts[4] == caller.account
        if owned and self.store.taggable(arn):
            return arn
        raise not_found(f"Resource {arn}")

    def TagResource(self, caller: Caller, p: Params) -> Output:
        arn = self._target(caller, p["resourceArn"])
        tags = self.store.tags(arn) | dict(p["tags"])
        if len(tags) > MAX_TAGS:
            raise invalid_param(f"A resource can have at most {MAX_TAGS} tags")
        self.set_tags(arn, tags)
        return {}

    def UntagResource(self, caller: Caller, p: Params) -> Output:
        arn = self._target(caller, p["resourceArn"])
        tags = self.store.tags(arn)
        for key in p["tagKeys"]:
            tags.pop(key, None)
        self.set_tags(arn, tags)
        return {}

    def ListTagsForResource(self, caller: Caller, p: Params) -> Output:
        arn = self._target(caller, p["resourceArn"])
        return {"tags": self.tags(arn)}
